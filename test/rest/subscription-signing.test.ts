import { randomBytes, randomUUID } from 'node:crypto';
import { call } from '../support/http';
import { IBAN, subscriptionBody, type Body } from '../support/subscription-inputs';
import { DEMO_IDS, UUID_V7 } from '../support/ids';
import { EACH_DATABASE } from '../support/databases';
import { ISO_INSTANT, INVESTED, iso, expectError, expectNotFound, formActions, signingSuite } from '../support/signing-suite';

/** Signing a subscription: lifecycle conflicts, the built-in e-signature page, the provider's webhook and the one-time code. */
describe.each(EACH_DATABASE)('REST subscription signing on %s', (_name, database) => {
  const t = signingSuite(database);
  const { post, get, getSubscription, generate, requestSignature, getSignature, confirmOtp, withdraw, created, draft, documentsReady, esignRequested, pressOnPage, signed, esignWebhook, count, policies, refunds, historyOf, otpSent, wrongCode } = t;

  describe('lifecycle conflicts', () => {
    it('requesting a signature on a draft (no documents) is 409 CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT, and no signature exists', async () => {
      const id = await draft();
      expectError(await requestSignature(t.alice, id, 'esign'), 409, 'conflict', 'CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT');
      expectError(await requestSignature(t.alice, id, 'otp'), 409, 'conflict', 'CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT');
      expect(await count('select count(*)::int as n from signatures where subscription_id = $1', [id])).toBe(0);
      expect((await getSubscription(t.alice, id)).json.status).toBe('draft');
    });

    it('a second signature request while one is pending is 409 naming SIGNING', async () => {
      const id = await documentsReady();
      await esignRequested(id);
      expectError(await requestSignature(t.alice, id, 'otp'), 409, 'conflict', 'CANNOT_REQUEST_SIGNATURE_IN_STATE_SIGNING');
    });

    it('withdrawing a draft is 409 CANNOT_WITHDRAW_IN_STATE_DRAFT, no refund', async () => {
      const id = await draft();
      expectError(await withdraw(t.alice, id), 409, 'conflict', 'CANNOT_WITHDRAW_IN_STATE_DRAFT');
      expect(await refunds(id)).toBe(0);
      expect((await getSubscription(t.alice, id)).json.status).toBe('draft');
    });

    it('withdrawing a withdrawn subscription is 409 CANNOT_WITHDRAW_IN_STATE_WITHDRAWN, still one refund', async () => {
      const id = await signed();
      expect((await withdraw(t.alice, id)).status).toBe(200);
      expectError(await withdraw(t.alice, id), 409, 'conflict', 'CANNOT_WITHDRAW_IN_STATE_WITHDRAWN');
      expect(await refunds(id)).toBe(1);
    });

    it("bob cannot sign or withdraw alice's subscription: 404", async () => {
      const id = await documentsReady();
      expectNotFound(await requestSignature(t.bob, id, 'esign'), 'SUBSCRIPTION_NOT_FOUND');
      expectNotFound(await withdraw(t.bob, id), 'SUBSCRIPTION_NOT_FOUND');
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
    });
  });

  describe('e-signature through the built-in signing page', () => {
    it('request -> page -> sign: the subscription is signed, the policy issued with the entry fee taken, the history complete', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'esign');
      expect(requested.status).toBe(201);
      expect(requested.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        method: 'esign',
        status: 'pending',
        signingUrl: expect.any(String),
        otpExpiresAt: null,
        otpAttemptsLeft: null,
        createdAt: expect.stringMatching(ISO_INSTANT),
        completedAt: null,
      });
      const url = new URL(requested.json.signingUrl);
      expect(url.origin).toBe(t.base);
      expect(url.pathname).toBe(`/esign/${requested.json.id}`);
      expect(url.searchParams.get('t')).toBeTruthy();
      expect((await getSubscription(t.alice, id)).json.status).toBe('signing');

      const page = await call(requested.json.signingUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const actions = formActions(page.text);
      expect(actions.sign).toBeDefined();
      expect(actions.decline).toBeDefined();

      const signedAt = t.server.clock.now().toISOString();
      const done = await call(new URL(actions.sign!, requested.json.signingUrl).toString(), { method: 'POST' });
      expect(done.status).toBe(200);
      expect(done.text).toContain('Signed');

      const subscription = await getSubscription(t.alice, id);
      expect(subscription.status).toBe(200);
      expect(subscription.json).toMatchObject({
        status: 'signed',
        signedAt: expect.stringMatching(ISO_INSTANT),
        withdrawalDeadline: expect.stringMatching(ISO_INSTANT),
        withdrawnAt: null,
        refund: null,
        signature: { id: requested.json.id, method: 'esign', status: 'completed' },
      });
      expect(iso(subscription.json.signedAt)).toBe(signedAt);
      expect(new Date(subscription.json.withdrawalDeadline).getTime()).toBeGreaterThan(new Date(signedAt).getTime() + 29 * 86_400_000);
      expect(subscription.json.policy).toEqual({
        id: expect.stringMatching(UUID_V7),
        status: 'active',
        issuedAt: expect.stringMatching(ISO_INSTANT),
        compartments: [{ id: expect.stringMatching(UUID_V7), code: 'MAIN', status: 'active', value: { amount: INVESTED, currency: 'EUR' } }],
      });
      expect(subscription.json.history.map((h: Body) => [h.fromStatus, h.toStatus])).toEqual([
        [null, 'draft'],
        ['draft', 'documents_ready'],
        ['documents_ready', 'signing'],
        ['signing', 'signed'],
      ]);
      const signature = await getSignature(t.alice, id);
      expect(signature.json.signature).toMatchObject({ id: requested.json.id, status: 'completed', completedAt: expect.stringMatching(ISO_INSTANT) });
      expect(await policies(id)).toBe(1);
    });

    it('pressing Sign several times at once issues exactly one policy', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const action = formActions((await call(signature.signingUrl)).text).sign!;
      const presses = await Promise.all(Array.from({ length: 3 }, () => call(new URL(action, signature.signingUrl).toString(), { method: 'POST' })));
      for (const press of presses) expect(press.status).toBe(200);
      expect((await getSubscription(t.alice, id)).json.status).toBe('signed');
      expect(await policies(id)).toBe(1);
      expect((await historyOf(id)).filter((s: string) => s === 'signed')).toHaveLength(1);
    });

    it('a PER is issued with its initial compartment C1, less its own 1% entry fee', async () => {
      const id = await created(
        post(`/v1/subscription/subscribers/${t.aliceSubscriberId}/subscriptions`, t.alice, subscriptionBody(t.aliceInsureeId, { productId: DEMO_IDS.products.per, initialPayment: { amount: 80_000, currency: 'EUR' }, scheduledPayment: null })),
      );
      expect((await generate(t.alice, id)).status).toBe(201);
      const signature = await esignRequested(id);
      expect((await pressOnPage(signature.signingUrl, 'sign')).status).toBe(200);
      const subscription = (await getSubscription(t.alice, id)).json;
      expect(subscription.status).toBe('signed');
      expect(subscription.policy.compartments).toEqual([expect.objectContaining({ code: 'C1', status: 'active', value: { amount: 79_200, currency: 'EUR' } })]);
    });

    it('a wrong, missing or borrowed token on the signing page is 404, and nothing is signed', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const other = await esignRequested(await documentsReady());
      const sigId = signature.id;
      const otherToken = new URL(other.signingUrl).searchParams.get('t')!;
      for (const path of [`/esign/${sigId}?t=wrong`, `/esign/${sigId}`, `/esign/${sigId}?t=${encodeURIComponent(otherToken)}`]) {
        expect((await call(`${t.base}${path}`)).status).toBe(404);
      }
      for (const path of [`/esign/${sigId}/sign?t=wrong`, `/esign/${sigId}/sign`, `/esign/${sigId}/sign?t=${encodeURIComponent(otherToken)}`]) {
        expect((await call(`${t.base}${path}`, { method: 'POST' })).status).toBe(404);
      }
      expect((await getSubscription(t.alice, id)).json.status).toBe('signing');
      expect((await getSignature(t.alice, id)).json.signature.status).toBe('pending');
      expect(await policies(id)).toBe(0);
    });

    it('declining on the page: the signature is declined, the subscription back to documents_ready, and a new signature can be requested and signed', async () => {
      const id = await documentsReady();
      const first = await esignRequested(id);
      const declined = await pressOnPage(first.signingUrl, 'decline');
      expect(declined.status).toBe(200);
      expect(declined.text).toContain('Declined');
      expect((await getSignature(t.alice, id)).json.signature).toMatchObject({ id: first.id, status: 'declined' });
      const subscription = (await getSubscription(t.alice, id)).json;
      expect(subscription.status).toBe('documents_ready');
      expect(subscription.policy).toBeNull();

      const second = await requestSignature(t.alice, id, 'esign');
      expect(second.status).toBe(201);
      expect(second.json.id).not.toBe(first.id);
      expect(second.json.status).toBe('pending');
      const done = await pressOnPage(second.json.signingUrl, 'sign');
      expect(done.text).toContain('Signed');
      expect((await getSubscription(t.alice, id)).json.status).toBe('signed');
      expect(await policies(id)).toBe(1);
    });

    it('the link of a signature that already ended does not tell the signer the contract is signed', async () => {
      const id = await documentsReady();
      const first = await esignRequested(id);
      await pressOnPage(first.signingUrl, 'decline');
      // The old link, used again: nothing may be signed, and the page must not claim it was.
      const page = await call(first.signingUrl);
      const action = page.status === 200 ? formActions(page.text).sign : undefined;
      if (action) {
        const again = await call(new URL(action, first.signingUrl).toString(), { method: 'POST' });
        expect(again.text).not.toContain('<h1>Signed</h1>');
      }
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
      expect((await getSignature(t.alice, id)).json.signature.status).toBe('declined');
      expect(await policies(id)).toBe(0);
    });
  });

  describe('esign webhook', () => {
    it('signature.completed is applied once; a replay is a duplicate; a new delivery for a completed signature changes nothing', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const webhookId = `msg_${randomUUID()}`;
      const first = await esignWebhook('signature.completed', signature.id, webhookId);
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ received: true, duplicate: false });
      const after = (await getSubscription(t.alice, id)).json;
      expect(after.status).toBe('signed');
      expect(after.policy.compartments).toEqual([expect.objectContaining({ code: 'MAIN', status: 'active', value: { amount: INVESTED, currency: 'EUR' } })]);

      const replay = await esignWebhook('signature.completed', signature.id, webhookId);
      expect(replay.status).toBe(200);
      expect(replay.json).toEqual({ received: true, duplicate: true });

      const redelivered = await esignWebhook('signature.completed', signature.id);
      expect(redelivered.status).toBe(200);
      expect(redelivered.json.duplicate).toBe(false);
      // A late "declined" or "expired" for the completed signature changes nothing either.
      expect((await esignWebhook('signature.declined', signature.id)).status).toBe(200);
      expect((await esignWebhook('signature.expired', signature.id)).status).toBe(200);

      expect(await policies(id)).toBe(1);
      expect(await count("select count(*)::int as n from compartments c join policies p on p.id = c.policy_id where p.subscription_id = $1", [id])).toBe(1);
      const final = (await getSubscription(t.alice, id)).json;
      expect(final.status).toBe('signed');
      expect(final.signedAt).toBe(after.signedAt);
      expect(final.withdrawalDeadline).toBe(after.withdrawalDeadline);
      expect(final.history).toEqual(after.history);
      expect((await getSignature(t.alice, id)).json.signature.status).toBe('completed');
      expect(await count("select count(*)::int as n from notification_outbox where template = 'policy_issued' and payload->>'subscriptionId' = $1", [id])).toBe(1);
    });

    it('signature.expired for a pending signature: expired, and the subscription back to documents_ready', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const answer = await esignWebhook('signature.expired', signature.id);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ received: true, duplicate: false });
      expect((await getSignature(t.alice, id)).json.signature).toMatchObject({ id: signature.id, status: 'expired' });
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
      expect(await policies(id)).toBe(0);
      // And a later completion for the expired signature does not sign it.
      await esignWebhook('signature.completed', signature.id);
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
      expect(await policies(id)).toBe(0);
    });

    it('a delivery signed with another secret is 401 and changes nothing', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const answer = await esignWebhook('signature.completed', signature.id, undefined, `whsec_${randomBytes(24).toString('base64')}`);
      expect(answer.status).toBe(401);
      expect((await getSubscription(t.alice, id)).json.status).toBe('signing');
      expect(await policies(id)).toBe(0);
    });
  });

  describe('one-time code', () => {
    it('POST .../signing {"method":"otp"}: 201, the code goes to the SMS outbox; the right code signs and issues the policy', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      expect(requested.status).toBe(201);
      expect(requested.json).toMatchObject({ id: expect.stringMatching(UUID_V7), method: 'otp', status: 'pending', signingUrl: null, otpAttemptsLeft: 5, completedAt: null });
      expect(iso(requested.json.otpExpiresAt)).toBe(new Date(t.server.clock.now().getTime() + 600_000).toISOString());
      const sent = await otpSent(requested.json.id);
      expect(sent.code).toMatch(/^\d{6}$/);
      expect(sent).toMatchObject({ channel: 'sms', recipient_user_id: DEMO_IDS.users.alice });
      // The code is never shown by the API.
      expect((await getSignature(t.alice, id)).text).not.toContain(sent.code);

      const confirmed = await confirmOtp(t.alice, id, sent.code);
      expect(confirmed.status).toBe(200);
      expect(confirmed.json).toMatchObject({ id, status: 'signed', signedAt: expect.stringMatching(ISO_INSTANT), withdrawalDeadline: expect.stringMatching(ISO_INSTANT) });
      expect(confirmed.json.policy.compartments).toEqual([expect.objectContaining({ code: 'MAIN', status: 'active', value: { amount: INVESTED, currency: 'EUR' } })]);
      expect((await getSignature(t.alice, id)).json.signature).toMatchObject({ status: 'completed', completedAt: expect.stringMatching(ISO_INSTANT) });
      expect(await policies(id)).toBe(1);
      // Confirming again: nothing pending any more.
      expectError(await confirmOtp(t.alice, id, sent.code), 409, 'conflict', 'NO_PENDING_OTP_SIGNATURE');
      expect(await policies(id)).toBe(1);
    });

    it('the debit IBAN checked at subscription becomes, in the issuing transaction, a confirmed pay-out IBAN of the subscriber (once) and their default', async () => {
      for (let i = 0; i < 2; i++) {
        const id = await documentsReady();
        const requested = await requestSignature(t.alice, id, 'otp');
        expect((await confirmOtp(t.alice, id, (await otpSent(requested.json.id)).code)).status).toBe(200);
      }
      const ibans = await get(`/v1/pay-out/subscribers/${t.aliceSubscriberId}/ibans`, t.alice);
      expect(ibans.json.filter((i: Body) => i.iban === IBAN)).toEqual([
        expect.objectContaining({ iban: IBAN, holderName: 'Alice Martin', status: 'confirmed', registeredBy: 'system', isDefault: true }),
      ]);
    });

    it('a wrong code is 422 OTP_INVALID, and the attempts left go down', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      for (const left of [4, 3]) {
        const answer = await confirmOtp(t.alice, id, wrongCode(code));
        expectError(answer, 422, 'unprocessable_content', 'OTP_INVALID');
        expect(answer.json.errors[0].field).toBe('code');
        expect((await getSignature(t.alice, id)).json.signature).toMatchObject({ status: 'pending', otpAttemptsLeft: left });
      }
      expect((await getSubscription(t.alice, id)).json.status).toBe('signing');
      expect(await policies(id)).toBe(0);
      // The right code still works.
      expect((await confirmOtp(t.alice, id, code)).status).toBe(200);
    });

    it('the fifth attempt still counts: four wrong codes, then the right one signs', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      for (let i = 0; i < 4; i++) expectError(await confirmOtp(t.alice, id, wrongCode(code)), 422, 'unprocessable_content', 'OTP_INVALID');
      expect((await getSignature(t.alice, id)).json.signature.otpAttemptsLeft).toBe(1);
      const confirmed = await confirmOtp(t.alice, id, code);
      expect(confirmed.status).toBe(200);
      expect(confirmed.json.status).toBe('signed');
    });

    it('five wrong codes: 422 OTP_TOO_MANY_ATTEMPTS, the signature expires, and the right code no longer signs', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await confirmOtp(t.alice, id, wrongCode(code)));
      for (const answer of answers.slice(0, 4)) expectError(answer, 422, 'unprocessable_content', 'OTP_INVALID');
      expectError(answers[4], 422, 'unprocessable_content', 'OTP_TOO_MANY_ATTEMPTS');
      expect((await getSignature(t.alice, id)).json.signature).toMatchObject({ status: 'expired', otpAttemptsLeft: 0 });
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
      expectError(await confirmOtp(t.alice, id, code), 409, 'conflict', 'NO_PENDING_OTP_SIGNATURE');
      expect(await policies(id)).toBe(0);
      // A new code can be requested.
      expect((await requestSignature(t.alice, id, 'otp')).status).toBe(201);
    });

    it('an expired code (601 s later) is 422 OTP_EXPIRED, and the signature ends', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      t.server.clock.advance(601_000);
      expectError(await confirmOtp(t.alice, id, code), 422, 'unprocessable_content', 'OTP_EXPIRED');
      expect((await getSignature(t.alice, id)).json.signature.status).toBe('expired');
      expect((await getSubscription(t.alice, id)).json.status).toBe('documents_ready');
      expectError(await confirmOtp(t.alice, id, code), 409, 'conflict', 'NO_PENDING_OTP_SIGNATURE');
      expect(await policies(id)).toBe(0);
    });

    it("bob cannot confirm alice's code: 404, and no attempt is counted", async () => {
      const id = await documentsReady();
      const requested = await requestSignature(t.alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      expectNotFound(await confirmOtp(t.bob, id, code), 'SUBSCRIPTION_NOT_FOUND');
      expect((await getSignature(t.alice, id)).json.signature).toMatchObject({ status: 'pending', otpAttemptsLeft: 5 });
    });
  });

});
