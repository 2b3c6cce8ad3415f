import { MAX_SUPPORTING_DOCUMENTS } from '../../domain/subscription/document-service';
import { OTP_CODES_PER_SUBSCRIPTION_PER_HOUR, OTP_CODES_PER_SUBSCRIBER_PER_HOUR } from '../../domain/subscription/otp-limits';
import { EACH_DATABASE } from '../support/databases';
import { tinyPng } from '../support/files';
import { call, gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { addressSource, sameInsureeBody, subscriberBody, subscriptionBody } from '../support/subscription-inputs';
import { DEMO_IDS } from '../support/ids';

/** Limits on a subscription: supporting documents, one-time code requests, and who reads the e-signature link. */
describe.each(EACH_DATABASE)('subscription limits on %s', (_name, database) => {
  let server: TestServer;
  const newAddress = addressSource('10.33');
  const headers: Record<string, Record<string, string>> = {};
  const tokens: Record<string, string> = {};
  let people = 0;

  async function relogin(): Promise<void> {
    for (const who of ['alice', 'broker', 'backoffice']) {
      tokens[who] = (await login(server.url, `${who}@demo.test`, newAddress())).token;
      headers[who] = { authorization: `Bearer ${tokens[who]}` };
    }
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { esign: ['whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2'] } });
    await relogin();
  });
  afterAll(() => server?.close());

  const post = (who: string, path: string, json?: unknown) => call(`${server.url}${path}`, { method: 'POST', headers: headers[who], ...(json !== undefined ? { json } : {}) });
  const get = (who: string, path: string) => call(`${server.url}${path}`, { headers: headers[who] });
  const sub = (id: string) => `/v1/subscription/subscriptions/${id}`;
  const ok = (answer: Answer, status = 201): Answer => {
    if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status} ${answer.text}`);
    return answer;
  };

  /** A fresh subscriber (created by back-office, no login of its own) and its insuree. */
  async function person(): Promise<{ subscriberId: string; insureeId: string }> {
    const subscriberId = ok(await post('backoffice', '/v1/subscription/subscribers', subscriberBody({ email: `limits-${++people}@example.com` }))).json.id;
    const insureeId = ok(await post('backoffice', '/v1/subscription/insurees', sameInsureeBody(subscriberId))).json.id;
    return { subscriberId, insureeId };
  }

  /** A draft with its contract documents, ready to sign. */
  async function ready(who: string, owner: { subscriberId: string; insureeId: string }): Promise<string> {
    const id = ok(await post(who, `/v1/subscription/subscribers/${owner.subscriberId}/subscriptions`, subscriptionBody(owner.insureeId))).json.id;
    ok(await post(who, `${sub(id)}/documents`));
    return id;
  }

  /** The code sent for a signature, from the SMS outbox. */
  async function codeOf(signatureId: string): Promise<string> {
    const [row] = await server.db.query<{ payload: { code: string } }>("select payload from notification_outbox where template = 'signature_otp' and payload->>'signatureId' = $1", [signatureId]);
    return row.payload.code;
  }

  /** Requests a code, then spends its five attempts on wrong codes: the subscription is back to documents_ready. */
  async function burnOtp(id: string): Promise<void> {
    // A second later each time: the latest signature is the newest by time (the test clock stands still).
    server.clock.set(new Date(server.clock.now().getTime() + 1000));
    const signature = ok(await post('backoffice', `${sub(id)}/signing`, { method: 'otp' })).json;
    const wrong = String((Number(await codeOf(signature.id)) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) await post('backoffice', `${sub(id)}/signing/otp`, { code: wrong });
    expect((await get('backoffice', sub(id))).json.status).toBe('documents_ready');
  }

  it(`at most ${MAX_SUPPORTING_DOCUMENTS} supporting documents per subscription: the next is 422 SUPPORTING_DOCUMENT_LIMIT_REACHED`, async () => {
    expect(MAX_SUPPORTING_DOCUMENTS).toBe(20);
    const owner = await person();
    const id = ok(await post('backoffice', `/v1/subscription/subscribers/${owner.subscriberId}/subscriptions`, subscriptionBody(owner.insureeId))).json.id;
    const png = { kind: 'identity_proof', fileName: 'id.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') };
    const uploads = await Promise.all(Array.from({ length: MAX_SUPPORTING_DOCUMENTS + 5 }, () => post('backoffice', `${sub(id)}/supporting-documents`, png)));
    const statuses = uploads.map((u) => u.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_SUPPORTING_DOCUMENTS);
    for (const refused of uploads.filter((u) => u.status !== 201)) expect(refused.json.errors[0]).toMatchObject({ code: 'unprocessable_content', reason: 'SUPPORTING_DOCUMENT_LIMIT_REACHED' });
    const [{ n }] = await server.db.query<{ n: number }>("select count(*)::int as n from documents where subscription_id = $1 and kind in ('identity_proof', 'proof_of_address')", [id]);
    expect(n).toBe(MAX_SUPPORTING_DOCUMENTS);
  });

  it(`one-time codes: at most ${OTP_CODES_PER_SUBSCRIPTION_PER_HOUR} an hour for a subscription, then 429 with Retry-After; an hour later, again`, async () => {
    const id = await ready('backoffice', await person());
    for (let i = 0; i < OTP_CODES_PER_SUBSCRIPTION_PER_HOUR; i++) await burnOtp(id);
    const refused = await post('backoffice', `${sub(id)}/signing`, { method: 'otp' });
    expect({ status: refused.status, error: refused.json.errors[0] }).toMatchObject({ status: 429, error: { code: 'rate_limited', reason: 'TOO_MANY_OTP_REQUESTS' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Nothing was sent, and the subscription did not move.
    const [{ n }] = await server.db.query<{ n: number }>("select count(*)::int as n from notification_outbox where template = 'signature_otp' and payload->>'subscriptionId' = $1", [id]);
    expect(n).toBe(OTP_CODES_PER_SUBSCRIPTION_PER_HOUR);
    expect((await get('backoffice', sub(id))).json.status).toBe('documents_ready');

    server.clock.set(new Date(server.clock.now().getTime() + retryAfter * 1000));
    await relogin();
    expect((await post('backoffice', `${sub(id)}/signing`, { method: 'otp' })).status).toBe(201);
  });

  it(`one-time codes: at most ${OTP_CODES_PER_SUBSCRIBER_PER_HOUR} an hour for one subscriber across subscriptions`, async () => {
    const owner = await person();
    const ids = await Promise.all(Array.from({ length: OTP_CODES_PER_SUBSCRIBER_PER_HOUR + 1 }, () => ready('backoffice', owner)));
    for (const id of ids.slice(0, OTP_CODES_PER_SUBSCRIBER_PER_HOUR)) ok(await post('backoffice', `${sub(id)}/signing`, { method: 'otp' }));
    const refused = await post('backoffice', `${sub(ids.at(-1)!)}/signing`, { method: 'otp' });
    expect({ status: refused.status, reason: refused.json.errors[0].reason, retry: Boolean(refused.headers.get('retry-after')) }).toEqual({ status: 429, reason: 'TOO_MANY_OTP_REQUESTS', retry: true });
  });

  it('the e-signature link goes to the subscriber only: the broker who asks sees the signature without it; the subscriber reads it and gets it by e-mail', async () => {
    const id = await ready('broker', { subscriberId: DEMO_IDS.subscribers.alice, insureeId: DEMO_IDS.insurees.alice });
    const requested = ok(await post('broker', `${sub(id)}/signing`, { method: 'esign' }));
    expect(requested.json).toMatchObject({ method: 'esign', status: 'pending', signingUrl: null });
    expect((await get('broker', `${sub(id)}/signing`)).json.signature).toMatchObject({ id: requested.json.id, signingUrl: null });
    expect((await get('backoffice', `${sub(id)}/signing`)).json.signature).toMatchObject({ id: requested.json.id, signingUrl: null });
    const mine = (await get('alice', `${sub(id)}/signing`)).json.signature.signingUrl;
    expect(mine).toContain(`/esign/${requested.json.id}?t=`);
    const mails = await server.db.query<{ recipient_user_id: string; channel: string; payload: { to: string; signingUrl: string } }>(
      "select recipient_user_id, channel, payload from notification_outbox where template = 'signature_link' and payload->>'signatureId' = $1",
      [requested.json.id],
    );
    expect(mails).toEqual([{ recipient_user_id: DEMO_IDS.users.alice, channel: 'email', payload: expect.objectContaining({ to: 'alice@demo.test', signingUrl: mine }) }]);
    const graphql = await gql(server.url, `{ subscription(id: "${id}") { signature { id signingUrl } } }`, { token: tokens.broker });
    expect(graphql.json.data.subscription.signature).toEqual({ id: requested.json.id, signingUrl: null });
  });
});
