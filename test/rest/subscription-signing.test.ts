import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { signStandardWebhook } from '../../domain/webhooks/standard-webhooks';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { addressSource, IBAN, sameInsureeBody, subscriberBody, subscriptionBody, type Body } from '../support/subscription-inputs';
import { tinyPng } from '../support/files';
import { expectRestInvalid } from '../support/invalid';
import { MAX_UPLOAD_BYTES as MAX_SUPPORTING_BYTES } from '../../domain/shared/uploaded-file';
import { restReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

// ---- helper builders: valid inputs as a REST client sends them (camelCase) ---------------------------

const ESIGN_SECRET = 'whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** The draft's initial payment (1,500.00 EUR) and what is invested after prd_av_demo's 2% entry fee (200 bp). */
const INITIAL_PAYMENT = 150_000;
const INVESTED = 147_000;

type Caller = Record<string, string>;



const newAddress = addressSource('10.41');
const newKey = () => `key-${randomBytes(9).toString('base64url')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const iso = (at: string) => new Date(at).toISOString();

function expectError(answer: Answer, status: number, code: string, message: string): void {
  expect({ status: answer.status, error: answer.json?.errors?.[0] }).toEqual({ status, error: expect.objectContaining({ code, ...restReason(code, message) }) });
  expect(answer.json.errors).toHaveLength(1);
}

const expectNotFound = (answer: Answer, reason: string) => expectError(answer, 404, 'resource_not_found', reason);

/** `&#38;`-style entities, as the signing page escapes its form actions. */
const unescapeHtml = (text: string) => text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));

/** The form actions of the signing page, as a browser would read them. */
function formActions(html: string): { sign?: string; decline?: string } {
  const actions = [...html.matchAll(/<form[^>]*method="post"[^>]*action="([^"]*)"/gi)].map((m) => unescapeHtml(m[1]));
  return { sign: actions.find((a) => /\/sign\?/.test(a)), decline: actions.find((a) => /\/decline\?/.test(a)) };
}

describe.each(EACH_DATABASE)('REST subscription signing and withdrawal on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let aliceSubscriberId: string;
  let aliceInsureeId: string;

  const post = (path: string, caller: Caller, json: unknown, headers: Record<string, string> = {}) =>
    call(`${base}${path}`, { method: 'POST', json, headers: { ...caller, ...headers } });
  const get = (path: string, caller: Caller) => call(`${base}${path}`, { headers: caller });
  const sub = (id: string) => `/v1/subscription/subscriptions/${id}`;

  const getSubscription = (caller: Caller, id: string) => get(sub(id), caller);
  const generate = (caller: Caller, id: string) => call(`${base}${sub(id)}/documents`, { method: 'POST', headers: caller });
  const listDocuments = (caller: Caller, id: string) => get(`${sub(id)}/documents`, caller);
  const upload = (caller: Caller, id: string, body: Body) => post(`${sub(id)}/supporting-documents`, caller, body);
  const requestSignature = (caller: Caller, id: string, method: 'esign' | 'otp') => post(`${sub(id)}/signing`, caller, { method });
  const getSignature = (caller: Caller, id: string) => get(`${sub(id)}/signing`, caller);
  const confirmOtp = (caller: Caller, id: string, code: string) => post(`${sub(id)}/signing/otp`, caller, { code });
  const withdraw = (caller: Caller, id: string, headers: Record<string, string> = {}) => post(`${sub(id)}/withdraw`, caller, { reason: 'Changed my mind' }, headers);

  /** A download as raw bytes (the JSON helper would decode the PDF as text). */
  async function download(caller: Caller, subscriptionId: string, documentId: string) {
    const response = await fetch(`${base}${sub(subscriptionId)}/documents/${documentId}/download`, { headers: caller });
    const bytes = Buffer.from(await response.arrayBuffer());
    let json: any;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, bytes, json, text: bytes.toString('utf8') } as Answer & { bytes: Buffer };
  }

  const bearer = async (email: string) => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });
  /** Fresh tokens: access tokens last 15 minutes of the (movable) clock. */
  async function relogin(): Promise<void> {
    [alice, bob] = await Promise.all(['alice@demo.test', 'bob@demo.test'].map(bearer));
  }
  async function setClock(at: string): Promise<void> {
    server.clock.set(at);
    await relogin();
  }

  async function created(answer: Promise<Answer>): Promise<string> {
    const done = await answer;
    if (done.status !== 201) throw new Error(`expected 201, got ${done.status} ${done.text}`);
    return done.json.id;
  }

  /** A fresh draft of alice's. */
  const draft = () => created(post(`/v1/subscription/subscribers/${aliceSubscriberId}/subscriptions`, alice, subscriptionBody(aliceInsureeId)));

  /** A fresh draft of alice's with its contract documents. */
  async function documentsReady(): Promise<string> {
    const id = await draft();
    const answer = await generate(alice, id);
    if (answer.status !== 201) throw new Error(`documents: ${answer.status} ${answer.text}`);
    return id;
  }

  /** documents_ready -> signing by e-signature; returns the signature as the API shows it. */
  async function esignRequested(id: string): Promise<Body> {
    const answer = await requestSignature(alice, id, 'esign');
    if (answer.status !== 201) throw new Error(`signing: ${answer.status} ${answer.text}`);
    return answer.json;
  }

  /** The signing page's button: POST to its form action. */
  async function pressOnPage(signingUrl: string, button: 'sign' | 'decline'): Promise<Answer> {
    const page = await call(signingUrl);
    if (page.status !== 200) throw new Error(`signing page: ${page.status} ${page.text}`);
    const action = formActions(page.text)[button];
    if (!action) throw new Error(`no ${button} form on the signing page: ${page.text}`);
    return call(new URL(action, signingUrl).toString(), { method: 'POST' });
  }

  /** A subscription of alice's, signed through the built-in signing page at the current clock. */
  async function signed(): Promise<string> {
    const id = await documentsReady();
    const signature = await esignRequested(id);
    const done = await pressOnPage(signature.signingUrl, 'sign');
    if (done.status !== 200 || !done.text.includes('Signed')) throw new Error(`sign: ${done.status} ${done.text}`);
    return id;
  }

  /** A delivery of the e-signature provider, signed with the esign secret. */
  function esignWebhook(type: string, signatureId: string, webhookId = `msg_${randomUUID()}`): Promise<Answer> {
    const body = JSON.stringify({ type, data: { signature_id: signatureId } });
    const timestamp = Math.floor(server.clock.now().getTime() / 1000);
    return call(`${base}/v1/webhooks/esign`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook({ id: webhookId, timestamp, rawBody: body, secret: ESIGN_SECRET }),
      },
    });
  }

  const count = async (sql: string, params: unknown[]) => Number((await server.db.query<{ n: number }>(sql, params))[0].n);
  const policies = (id: string) => count('select count(*)::int as n from policies where subscription_id = $1', [id]);
  const refunds = (id: string) => count('select count(*)::int as n from refunds where subscription_id = $1', [id]);
  const historyOf = async (id: string) => (await getSubscription(alice, id)).json.history.map((h: { fromStatus: string | null; toStatus: string }) => h.toStatus);

  /** The one-time code sent for a signature (the SMS outbox). */
  async function otpSent(signatureId: string): Promise<{ code: string; channel: string; recipient_user_id: string }> {
    const rows = await server.db.query<{ payload: { code: string }; channel: string; recipient_user_id: string }>(
      "select payload, channel, recipient_user_id from notification_outbox where template = 'signature_otp' and payload->>'signatureId' = $1",
      [signatureId],
    );
    expect(rows).toHaveLength(1);
    return { code: rows[0].payload.code, channel: rows[0].channel, recipient_user_id: rows[0].recipient_user_id };
  }
  const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  beforeAll(async () => {
    server = await startTestServer(database, { webhookSecrets: { esign: [ESIGN_SECRET] } });
    base = server.url;
    await relogin();
    aliceSubscriberId = await created(post('/v1/subscription/subscribers', alice, subscriberBody()));
    aliceInsureeId = await created(post('/v1/subscription/insurees', alice, sameInsureeBody(aliceSubscriberId)));
  });
  afterAll(() => server?.close());

  describe('contract documents', () => {
    it('POST .../documents on a draft: 201 with the three contract PDFs, and the draft becomes documents_ready', async () => {
      const id = await draft();
      const answer = await generate(alice, id);
      expect(answer.status).toBe(201);
      expect(answer.json.map((d: Body) => d.kind).sort()).toEqual(['general_terms', 'key_information', 'subscription_form']);
      for (const doc of answer.json) {
        expect(doc).toEqual({
          id: expect.stringMatching(UUID_V7),
          kind: doc.kind,
          title: expect.any(String),
          fileName: expect.stringMatching(/\.pdf$/),
          contentType: 'application/pdf',
          sizeBytes: expect.any(Number),
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          createdAt: expect.stringMatching(ISO_INSTANT),
        });
        expect(doc.sizeBytes).toBeGreaterThan(0);
      }
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
      const listed = await listDocuments(alice, id);
      expect(listed.status).toBe(200);
      expect([...listed.json.documents].sort((a: Body, b: Body) => a.id.localeCompare(b.id))).toEqual([...answer.json].sort((a: Body, b: Body) => a.id.localeCompare(b.id)));
    });

    it('each document downloads as an attachment: application/pdf, a real PDF whose sha256 is the one listed', async () => {
      const id = await documentsReady();
      const { documents } = (await listDocuments(alice, id)).json;
      expect(documents).toHaveLength(3);
      for (const doc of documents) {
        const file = await download(alice, id, doc.id);
        expect(file.status).toBe(200);
        expect(file.headers.get('content-type')).toBe('application/pdf');
        expect(file.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${doc.fileName.replace(/[.]/g, '\\.')}"`));
        expect(file.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(file.bytes.length).toBe(doc.sizeBytes);
        expect(sha256(file.bytes)).toBe(doc.sha256);
      }
    });

    it('regenerating before signing replaces the contract documents (old ids are gone) and keeps uploads', async () => {
      const id = await draft();
      const first = await generate(alice, id);
      const uploaded = await upload(alice, id, { kind: 'proof_of_address', fileName: 'address.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') });
      expect(uploaded.status).toBe(201);
      const second = await generate(alice, id);
      expect(second.status).toBe(201);
      const contract = (docs: Body[]) => docs.filter((d) => d.kind !== 'proof_of_address');
      expect(contract(second.json).map((d: Body) => d.kind).sort()).toEqual(['general_terms', 'key_information', 'subscription_form']);
      const firstIds = first.json.map((d: Body) => d.id);
      for (const doc of second.json) expect(firstIds).not.toContain(doc.id);
      for (const oldId of firstIds) expectNotFound(await download(alice, id, oldId), 'DOCUMENT_NOT_FOUND');
      const listed = (await listDocuments(alice, id)).json.documents.map((d: Body) => d.id).sort();
      expect(listed).toEqual([...contract(second.json).map((d: Body) => d.id), uploaded.json.id].sort());
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
    });

    it('once signing has started the documents cannot be regenerated (409 naming SIGNING)', async () => {
      const id = await documentsReady();
      await esignRequested(id);
      const before = (await listDocuments(alice, id)).json.documents;
      expectError(await generate(alice, id), 409, 'conflict', 'CANNOT_GENERATE_DOCUMENTS_IN_STATE_SIGNING');
      expect((await listDocuments(alice, id)).json.documents).toEqual(before);
    });

    it('an unknown document id is 404 DOCUMENT_NOT_FOUND; a document of another subscription too', async () => {
      const id = await documentsReady();
      const other = await documentsReady();
      expectNotFound(await download(alice, id, testId('doc_does_not_exist')), 'DOCUMENT_NOT_FOUND');
      const otherDoc = (await listDocuments(alice, other)).json.documents[0].id;
      expectNotFound(await download(alice, id, otherDoc), 'DOCUMENT_NOT_FOUND');
    });

    it("bob gets 404 on alice's documents (list, download, generate), exactly as for a subscription that does not exist", async () => {
      const id = await documentsReady();
      const docId = (await listDocuments(alice, id)).json.documents[0].id;
      const list = await listDocuments(bob, id);
      expectNotFound(list, 'SUBSCRIPTION_NOT_FOUND');
      expect(list.json).toEqual((await listDocuments(bob, testId('sbs_does_not_exist'))).json);
      const file = await download(bob, id, docId);
      expectNotFound(file, 'SUBSCRIPTION_NOT_FOUND');
      expect(file.headers.get('content-type')).toMatch(/^application\/json/);
      expect(file.text).not.toContain('%PDF');
      expectNotFound(await generate(bob, id), 'SUBSCRIPTION_NOT_FOUND');
    });
  });

  describe('supporting documents', () => {
    let id: string;
    let contractPdf: Buffer;
    beforeAll(async () => {
      id = await documentsReady();
      const doc = (await listDocuments(alice, id)).json.documents[0];
      contractPdf = (await download(alice, id, doc.id)).bytes;
    });
    const docCount = () => count('select count(*)::int as n from documents where subscription_id = $1', [id]);

    it('a real PDF as base64: 201, listed, and it downloads byte for byte', async () => {
      const answer = await upload(alice, id, { kind: 'identity_proof', fileName: 'passport.pdf', contentType: 'application/pdf', contentBase64: contractPdf.toString('base64') });
      expect(answer.status).toBe(201);
      expect(answer.json).toEqual({
        id: expect.stringMatching(UUID_V7),
        kind: 'identity_proof',
        title: expect.any(String),
        fileName: 'passport.pdf',
        contentType: 'application/pdf',
        sizeBytes: contractPdf.length,
        sha256: sha256(contractPdf),
        createdAt: expect.stringMatching(ISO_INSTANT),
      });
      expect((await listDocuments(alice, id)).json.documents).toContainEqual(answer.json);
      const file = await download(alice, id, answer.json.id);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="passport\.pdf"/);
      expect(file.bytes.equals(contractPdf)).toBe(true);
    });

    it('a valid PNG: 201, and it downloads as image/png byte for byte', async () => {
      const png = tinyPng();
      const answer = await upload(alice, id, { kind: 'proof_of_address', fileName: 'bill.png', contentType: 'image/png', contentBase64: png.toString('base64') });
      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ kind: 'proof_of_address', contentType: 'image/png', sizeBytes: png.length, sha256: sha256(png) });
      const file = await download(alice, id, answer.json.id);
      expect(file.headers.get('content-type')).toBe('image/png');
      expect(file.bytes.equals(png)).toBe(true);
    });

    it('content that does not match the declared type (text declared as application/pdf) is 400 CONTENT_DOES_NOT_MATCH_TYPE, nothing stored', async () => {
      const before = await docCount();
      const text = Buffer.from('MZ this is not a PDF at all\n');
      expectRestInvalid(await upload(alice, id, { kind: 'identity_proof', fileName: 'id.pdf', contentType: 'application/pdf', contentBase64: text.toString('base64') }), [
        'contentBase64 CONTENT_DOES_NOT_MATCH_TYPE',
      ]);
      // A PDF declared as a PNG is refused too.
      expectRestInvalid(await upload(alice, id, { kind: 'identity_proof', fileName: 'id.png', contentType: 'image/png', contentBase64: contractPdf.toString('base64') }), [
        'contentBase64 CONTENT_DOES_NOT_MATCH_TYPE',
      ]);
      expect(await docCount()).toBe(before);
    });

    it('an unaccepted type (text/plain) is 400 CONTENT_TYPE_NOT_ACCEPTED', async () => {
      const before = await docCount();
      expectRestInvalid(await upload(alice, id, { kind: 'identity_proof', fileName: 'id.txt', contentType: 'text/plain', contentBase64: Buffer.from('hello').toString('base64') }), [
        'contentType CONTENT_TYPE_NOT_ACCEPTED',
      ]);
      expect(await docCount()).toBe(before);
    });

    it('over 5 MiB decoded is 400 FILE_TOO_LARGE (the body itself is within the route limit); exactly 5 MiB is accepted', async () => {
      const before = await docCount();
      const big = Buffer.alloc(MAX_SUPPORTING_BYTES + 1, 0x20);
      big.write('%PDF-1.4\n', 0, 'latin1');
      const tooBig = await upload(alice, id, { kind: 'identity_proof', fileName: 'big.pdf', contentType: 'application/pdf', contentBase64: big.toString('base64') });
      expectRestInvalid(tooBig, ['contentBase64 FILE_TOO_LARGE']);
      expect(await docCount()).toBe(before);

      const limit = big.subarray(0, MAX_SUPPORTING_BYTES);
      const atLimit = await upload(alice, id, { kind: 'identity_proof', fileName: 'limit.pdf', contentType: 'application/pdf', contentBase64: limit.toString('base64') });
      expect(atLimit.status).toBe(201);
      expect(atLimit.json.sizeBytes).toBe(MAX_SUPPORTING_BYTES);
      expect(await docCount()).toBe(before + 1);
    });

    it('once the subscription is signed, uploads are refused: 409 naming SIGNED', async () => {
      const signedId = await signed();
      const answer = await upload(alice, signedId, { kind: 'identity_proof', fileName: 'late.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') });
      expectError(answer, 409, 'conflict', 'CANNOT_UPLOAD_IN_STATE_SIGNED');
      expect(await count("select count(*)::int as n from documents where subscription_id = $1 and kind = 'identity_proof'", [signedId])).toBe(0);
    });

    it("bob cannot upload to alice's subscription: 404", async () => {
      const before = await docCount();
      expectNotFound(await upload(bob, id, { kind: 'identity_proof', fileName: 'x.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') }), 'SUBSCRIPTION_NOT_FOUND');
      expect(await docCount()).toBe(before);
    });
  });

  describe('lifecycle conflicts', () => {
    it('requesting a signature on a draft (no documents) is 409 CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT, and no signature exists', async () => {
      const id = await draft();
      expectError(await requestSignature(alice, id, 'esign'), 409, 'conflict', 'CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT');
      expectError(await requestSignature(alice, id, 'otp'), 409, 'conflict', 'CANNOT_REQUEST_SIGNATURE_IN_STATE_DRAFT');
      expect(await count('select count(*)::int as n from signatures where subscription_id = $1', [id])).toBe(0);
      expect((await getSubscription(alice, id)).json.status).toBe('draft');
    });

    it('a second signature request while one is pending is 409 naming SIGNING', async () => {
      const id = await documentsReady();
      await esignRequested(id);
      expectError(await requestSignature(alice, id, 'otp'), 409, 'conflict', 'CANNOT_REQUEST_SIGNATURE_IN_STATE_SIGNING');
    });

    it('withdrawing a draft is 409 CANNOT_WITHDRAW_IN_STATE_DRAFT, no refund', async () => {
      const id = await draft();
      expectError(await withdraw(alice, id), 409, 'conflict', 'CANNOT_WITHDRAW_IN_STATE_DRAFT');
      expect(await refunds(id)).toBe(0);
      expect((await getSubscription(alice, id)).json.status).toBe('draft');
    });

    it('withdrawing a withdrawn subscription is 409 CANNOT_WITHDRAW_IN_STATE_WITHDRAWN, still one refund', async () => {
      const id = await signed();
      expect((await withdraw(alice, id)).status).toBe(200);
      expectError(await withdraw(alice, id), 409, 'conflict', 'CANNOT_WITHDRAW_IN_STATE_WITHDRAWN');
      expect(await refunds(id)).toBe(1);
    });

    it("bob cannot sign or withdraw alice's subscription: 404", async () => {
      const id = await documentsReady();
      expectNotFound(await requestSignature(bob, id, 'esign'), 'SUBSCRIPTION_NOT_FOUND');
      expectNotFound(await withdraw(bob, id), 'SUBSCRIPTION_NOT_FOUND');
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
    });
  });

  describe('e-signature through the built-in signing page', () => {
    it('request -> page -> sign: the subscription is signed, the policy issued with the entry fee taken, the history complete', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'esign');
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
      expect(url.origin).toBe(base);
      expect(url.pathname).toBe(`/esign/${requested.json.id}`);
      expect(url.searchParams.get('t')).toBeTruthy();
      expect((await getSubscription(alice, id)).json.status).toBe('signing');

      const page = await call(requested.json.signingUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const actions = formActions(page.text);
      expect(actions.sign).toBeDefined();
      expect(actions.decline).toBeDefined();

      const signedAt = server.clock.now().toISOString();
      const done = await call(new URL(actions.sign!, requested.json.signingUrl).toString(), { method: 'POST' });
      expect(done.status).toBe(200);
      expect(done.text).toContain('Signed');

      const subscription = await getSubscription(alice, id);
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
      const signature = await getSignature(alice, id);
      expect(signature.json.signature).toMatchObject({ id: requested.json.id, status: 'completed', completedAt: expect.stringMatching(ISO_INSTANT) });
      expect(await policies(id)).toBe(1);
    });

    it('pressing Sign several times at once issues exactly one policy', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const action = formActions((await call(signature.signingUrl)).text).sign!;
      const presses = await Promise.all(Array.from({ length: 3 }, () => call(new URL(action, signature.signingUrl).toString(), { method: 'POST' })));
      for (const press of presses) expect(press.status).toBe(200);
      expect((await getSubscription(alice, id)).json.status).toBe('signed');
      expect(await policies(id)).toBe(1);
      expect((await historyOf(id)).filter((s: string) => s === 'signed')).toHaveLength(1);
    });

    it('a PER is issued with its initial compartment C1, less its own 1% entry fee', async () => {
      const id = await created(
        post(`/v1/subscription/subscribers/${aliceSubscriberId}/subscriptions`, alice, subscriptionBody(aliceInsureeId, { productId: DEMO_IDS.products.per, initialPayment: { amount: 80_000, currency: 'EUR' }, scheduledPayment: null })),
      );
      expect((await generate(alice, id)).status).toBe(201);
      const signature = await esignRequested(id);
      expect((await pressOnPage(signature.signingUrl, 'sign')).status).toBe(200);
      const subscription = (await getSubscription(alice, id)).json;
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
        expect((await call(`${base}${path}`)).status).toBe(404);
      }
      for (const path of [`/esign/${sigId}/sign?t=wrong`, `/esign/${sigId}/sign`, `/esign/${sigId}/sign?t=${encodeURIComponent(otherToken)}`]) {
        expect((await call(`${base}${path}`, { method: 'POST' })).status).toBe(404);
      }
      expect((await getSubscription(alice, id)).json.status).toBe('signing');
      expect((await getSignature(alice, id)).json.signature.status).toBe('pending');
      expect(await policies(id)).toBe(0);
    });

    it('declining on the page: the signature is declined, the subscription back to documents_ready, and a new signature can be requested and signed', async () => {
      const id = await documentsReady();
      const first = await esignRequested(id);
      const declined = await pressOnPage(first.signingUrl, 'decline');
      expect(declined.status).toBe(200);
      expect(declined.text).toContain('Declined');
      expect((await getSignature(alice, id)).json.signature).toMatchObject({ id: first.id, status: 'declined' });
      const subscription = (await getSubscription(alice, id)).json;
      expect(subscription.status).toBe('documents_ready');
      expect(subscription.policy).toBeNull();

      const second = await requestSignature(alice, id, 'esign');
      expect(second.status).toBe(201);
      expect(second.json.id).not.toBe(first.id);
      expect(second.json.status).toBe('pending');
      const done = await pressOnPage(second.json.signingUrl, 'sign');
      expect(done.text).toContain('Signed');
      expect((await getSubscription(alice, id)).json.status).toBe('signed');
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
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
      expect((await getSignature(alice, id)).json.signature.status).toBe('declined');
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
      const after = (await getSubscription(alice, id)).json;
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
      const final = (await getSubscription(alice, id)).json;
      expect(final.status).toBe('signed');
      expect(final.signedAt).toBe(after.signedAt);
      expect(final.withdrawalDeadline).toBe(after.withdrawalDeadline);
      expect(final.history).toEqual(after.history);
      expect((await getSignature(alice, id)).json.signature.status).toBe('completed');
      expect(await count("select count(*)::int as n from notification_outbox where template = 'policy_issued' and payload->>'subscriptionId' = $1", [id])).toBe(1);
    });

    it('signature.expired for a pending signature: expired, and the subscription back to documents_ready', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const answer = await esignWebhook('signature.expired', signature.id);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ received: true, duplicate: false });
      expect((await getSignature(alice, id)).json.signature).toMatchObject({ id: signature.id, status: 'expired' });
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
      expect(await policies(id)).toBe(0);
      // And a later completion for the expired signature does not sign it.
      await esignWebhook('signature.completed', signature.id);
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
      expect(await policies(id)).toBe(0);
    });

    it('a delivery signed with another secret is 401 and changes nothing', async () => {
      const id = await documentsReady();
      const signature = await esignRequested(id);
      const body = JSON.stringify({ type: 'signature.completed', data: { signature_id: signature.id } });
      const timestamp = Math.floor(server.clock.now().getTime() / 1000);
      const webhookId = `msg_${randomUUID()}`;
      const answer = await call(`${base}/v1/webhooks/esign`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook({ id: webhookId, timestamp, rawBody: body, secret: `whsec_${randomBytes(24).toString('base64')}` }),
        },
      });
      expect(answer.status).toBe(401);
      expect((await getSubscription(alice, id)).json.status).toBe('signing');
      expect(await policies(id)).toBe(0);
    });
  });

  describe('one-time code', () => {
    it('POST .../signing {"method":"otp"}: 201, the code goes to the SMS outbox; the right code signs and issues the policy', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      expect(requested.status).toBe(201);
      expect(requested.json).toMatchObject({ id: expect.stringMatching(UUID_V7), method: 'otp', status: 'pending', signingUrl: null, otpAttemptsLeft: 5, completedAt: null });
      expect(iso(requested.json.otpExpiresAt)).toBe(new Date(server.clock.now().getTime() + 600_000).toISOString());
      const sent = await otpSent(requested.json.id);
      expect(sent.code).toMatch(/^\d{6}$/);
      expect(sent).toMatchObject({ channel: 'sms', recipient_user_id: DEMO_IDS.users.alice });
      // The code is never shown by the API.
      expect((await getSignature(alice, id)).text).not.toContain(sent.code);

      const confirmed = await confirmOtp(alice, id, sent.code);
      expect(confirmed.status).toBe(200);
      expect(confirmed.json).toMatchObject({ id, status: 'signed', signedAt: expect.stringMatching(ISO_INSTANT), withdrawalDeadline: expect.stringMatching(ISO_INSTANT) });
      expect(confirmed.json.policy.compartments).toEqual([expect.objectContaining({ code: 'MAIN', status: 'active', value: { amount: INVESTED, currency: 'EUR' } })]);
      expect((await getSignature(alice, id)).json.signature).toMatchObject({ status: 'completed', completedAt: expect.stringMatching(ISO_INSTANT) });
      expect(await policies(id)).toBe(1);
      // Confirming again: nothing pending any more.
      expectError(await confirmOtp(alice, id, sent.code), 409, 'conflict', 'NO_PENDING_OTP_SIGNATURE');
      expect(await policies(id)).toBe(1);
    });

    it('the debit IBAN checked at subscription becomes, in the issuing transaction, a confirmed pay-out IBAN of the subscriber (once) and their default', async () => {
      for (let i = 0; i < 2; i++) {
        const id = await documentsReady();
        const requested = await requestSignature(alice, id, 'otp');
        expect((await confirmOtp(alice, id, (await otpSent(requested.json.id)).code)).status).toBe(200);
      }
      const ibans = await get(`/v1/pay-out/subscribers/${aliceSubscriberId}/ibans`, alice);
      expect(ibans.json.filter((i: Body) => i.iban === IBAN)).toEqual([
        expect.objectContaining({ iban: IBAN, holderName: 'Alice Martin', status: 'confirmed', registeredBy: 'system', isDefault: true }),
      ]);
    });

    it('a wrong code is 422 OTP_INVALID, and the attempts left go down', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      for (const left of [4, 3]) {
        const answer = await confirmOtp(alice, id, wrongCode(code));
        expectError(answer, 422, 'unprocessable_content', 'OTP_INVALID');
        expect(answer.json.errors[0].field).toBe('code');
        expect((await getSignature(alice, id)).json.signature).toMatchObject({ status: 'pending', otpAttemptsLeft: left });
      }
      expect((await getSubscription(alice, id)).json.status).toBe('signing');
      expect(await policies(id)).toBe(0);
      // The right code still works.
      expect((await confirmOtp(alice, id, code)).status).toBe(200);
    });

    it('the fifth attempt still counts: four wrong codes, then the right one signs', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      for (let i = 0; i < 4; i++) expectError(await confirmOtp(alice, id, wrongCode(code)), 422, 'unprocessable_content', 'OTP_INVALID');
      expect((await getSignature(alice, id)).json.signature.otpAttemptsLeft).toBe(1);
      const confirmed = await confirmOtp(alice, id, code);
      expect(confirmed.status).toBe(200);
      expect(confirmed.json.status).toBe('signed');
    });

    it('five wrong codes: 422 OTP_TOO_MANY_ATTEMPTS, the signature expires, and the right code no longer signs', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await confirmOtp(alice, id, wrongCode(code)));
      for (const answer of answers.slice(0, 4)) expectError(answer, 422, 'unprocessable_content', 'OTP_INVALID');
      expectError(answers[4], 422, 'unprocessable_content', 'OTP_TOO_MANY_ATTEMPTS');
      expect((await getSignature(alice, id)).json.signature).toMatchObject({ status: 'expired', otpAttemptsLeft: 0 });
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
      expectError(await confirmOtp(alice, id, code), 409, 'conflict', 'NO_PENDING_OTP_SIGNATURE');
      expect(await policies(id)).toBe(0);
      // A new code can be requested.
      expect((await requestSignature(alice, id, 'otp')).status).toBe(201);
    });

    it('an expired code (601 s later) is 422 OTP_EXPIRED, and the signature ends', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      server.clock.advance(601_000);
      expectError(await confirmOtp(alice, id, code), 422, 'unprocessable_content', 'OTP_EXPIRED');
      expect((await getSignature(alice, id)).json.signature.status).toBe('expired');
      expect((await getSubscription(alice, id)).json.status).toBe('documents_ready');
      expectError(await confirmOtp(alice, id, code), 409, 'conflict', 'NO_PENDING_OTP_SIGNATURE');
      expect(await policies(id)).toBe(0);
    });

    it("bob cannot confirm alice's code: 404, and no attempt is counted", async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      expectNotFound(await confirmOtp(bob, id, code), 'SUBSCRIPTION_NOT_FOUND');
      expect((await getSignature(alice, id)).json.signature).toMatchObject({ status: 'pending', otpAttemptsLeft: 5 });
    });
  });

  describe('withdrawal (30 calendar days, Paris time)', () => {
    it('on day 30 (23:30 Paris): 200 withdrawn, all sums paid refunded within 30 days, the policy void', async () => {
      await setClock('2026-01-10T09:00:00Z');
      const id = await signed();
      const signedView = (await getSubscription(alice, id)).json;
      expect(iso(signedView.signedAt)).toBe('2026-01-10T09:00:00.000Z');
      // 24:00 Paris (CET) on 9 February.
      expect(iso(signedView.withdrawalDeadline)).toBe('2026-02-09T23:00:00.000Z');

      await setClock('2026-02-09T22:30:00Z');
      expect((await getSubscription(alice, id)).json.status).toBe('signed');
      const answer = await withdraw(alice, id);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ id, status: 'withdrawn', withdrawnAt: expect.stringMatching(ISO_INSTANT) });
      expect(iso(answer.json.withdrawnAt)).toBe('2026-02-09T22:30:00.000Z');
      expect(answer.json.refund).toEqual({ amount: { amount: INITIAL_PAYMENT, currency: 'EUR' }, recordedAt: expect.stringMatching(ISO_INSTANT), dueBy: expect.stringMatching(ISO_INSTANT) });
      expect(iso(answer.json.refund.recordedAt)).toBe('2026-02-09T22:30:00.000Z');
      // 30 days after the notice (9 February, Paris): 24:00 Paris on 11 March.
      expect(iso(answer.json.refund.dueBy)).toBe('2026-03-11T23:00:00.000Z');
      expect(answer.json.policy.status).toBe('withdrawn');
      expect(answer.json.policy.compartments.length).toBeGreaterThan(0);
      for (const compartment of answer.json.policy.compartments) expect(compartment.status).toBe('closed');

      const read = (await getSubscription(alice, id)).json;
      expect(read.status).toBe('withdrawn');
      expect(read.refund).toEqual(answer.json.refund);
      expect(read.history.at(-1)).toMatchObject({ fromStatus: 'signed', toStatus: 'withdrawn' });
      expect(await refunds(id)).toBe(1);
      expect(await count("select count(*)::int as n from notification_outbox where template = 'withdrawal_confirmed' and payload->>'subscriptionId' = $1", [id])).toBe(1);
    });

    it('after the deadline (00:00:01 and 09:00 Paris on day 31): 422 WITHDRAWAL_PERIOD_ENDED, and the subscription shows active', async () => {
      await setClock('2026-01-10T09:00:00Z');
      const id = await signed();

      await setClock('2026-02-09T23:00:01Z');
      expectError(await withdraw(alice, id), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');
      await setClock('2026-02-10T08:00:00Z');
      expectError(await withdraw(alice, id), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');

      const read = (await getSubscription(alice, id)).json;
      expect(read.status).toBe('active');
      expect(read.withdrawnAt).toBeNull();
      expect(read.refund).toBeNull();
      expect(read.policy.status).toBe('active');
      expect(read.policy.compartments).toEqual([expect.objectContaining({ status: 'active', value: { amount: INVESTED, currency: 'EUR' } })]);
      expect(await refunds(id)).toBe(0);
    });

    it('across a month end: signed on 31 January, withdrawal accepted on 2 March (21:00 Paris), refused on 3 March', async () => {
      await setClock('2026-01-31T10:00:00Z');
      const accepted = await signed();
      const refused = await signed();
      expect(iso((await getSubscription(alice, accepted)).json.withdrawalDeadline)).toBe('2026-03-02T23:00:00.000Z');

      await setClock('2026-03-02T20:00:00Z');
      const ok = await withdraw(alice, accepted);
      expect(ok.status).toBe(200);
      expect(ok.json.status).toBe('withdrawn');
      // 30 days after 2 March is 1 April, in summer time: 24:00 Paris (CEST) is 22:00 UTC.
      expect(iso(ok.json.refund.dueBy)).toBe('2026-04-01T22:00:00.000Z');

      await setClock('2026-03-03T08:00:00Z');
      expectError(await withdraw(alice, refused), 422, 'unprocessable_content', 'WITHDRAWAL_PERIOD_ENDED');
      expect((await getSubscription(alice, refused)).json.status).toBe('active');
      expect(await refunds(refused)).toBe(0);
    });

    it('days are Paris days: signed at 00:30 Paris on 11 January (23:30 UTC on the 10th), the period runs to the end of 10 February', async () => {
      await setClock('2026-01-10T23:30:00Z');
      const id = await signed();
      expect(iso((await getSubscription(alice, id)).json.withdrawalDeadline)).toBe('2026-02-10T23:00:00.000Z');
      await setClock('2026-02-10T22:00:00Z');
      const answer = await withdraw(alice, id);
      expect(answer.status).toBe(200);
      expect(answer.json.status).toBe('withdrawn');
    });

    it('concurrent withdrawals without a key: one 200, the others 409, never a 500, one refund', async () => {
      await setClock('2026-04-20T10:00:00Z');
      const id = await signed();
      const answers = await Promise.all(Array.from({ length: 3 }, () => withdraw(alice, id)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
      for (const answer of answers.filter((a) => a.status === 409)) expectError(answer, 409, 'conflict', 'CANNOT_WITHDRAW_IN_STATE_WITHDRAWN');
      expect(await refunds(id)).toBe(1);
    });

    it('the same Idempotency-Key twice: the second is the stored answer (Idempotent-Replayed: true), one refund', async () => {
      await setClock('2026-05-04T10:00:00Z');
      const id = await signed();
      const key = newKey();
      const first = await withdraw(alice, id, { 'idempotency-key': key });
      const second = await withdraw(alice, id, { 'idempotency-key': key });
      expect(first.status).toBe(200);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.status).toBe(200);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.text).toBe(first.text);
      expect(await refunds(id)).toBe(1);
      expect((await historyOf(id)).filter((s: string) => s === 'withdrawn')).toHaveLength(1);
      expect(await count("select count(*)::int as n from audit_log where action = 'subscription.withdraw' and target_id = $1", [id])).toBe(1);
    });
  });

  describe('audit trail', () => {
    const auditOf = (action: string, targetId: string) =>
      server.db.query<{ actor_kind: string; actor_id: string; request_id: string | null; details: Record<string, unknown> }>(
        'select actor_kind, actor_id, request_id, details from audit_log where action = $1 and target_id = $2 order by id',
        [action, targetId],
      );

    it('signing by the provider is recorded as system/esign; the withdrawal as the subscriber with the request id', async () => {
      await setClock('2026-06-01T10:00:00Z');
      const id = await documentsReady();
      const signature = await esignRequested(id);
      expect((await esignWebhook('signature.completed', signature.id)).status).toBe(200);
      expect(await auditOf('subscription.request_signature', id)).toEqual([expect.objectContaining({ actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice })]);
      expect(await auditOf('subscription.complete_signature', id)).toEqual([
        expect.objectContaining({ actor_kind: 'system', actor_id: 'esign', details: { from: 'signing', to: 'signed' } }),
      ]);

      const answer = await withdraw(alice, id);
      expect(answer.status).toBe(200);
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(await auditOf('subscription.withdraw', id)).toEqual([
        { actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: requestId, details: { from: 'signed', to: 'withdrawn' } },
      ]);
    });

    it('signing by one-time code is recorded as the subscriber', async () => {
      const id = await documentsReady();
      const requested = await requestSignature(alice, id, 'otp');
      const { code } = await otpSent(requested.json.id);
      const answer = await confirmOtp(alice, id, code);
      expect(answer.status).toBe(200);
      expect(await auditOf('subscription.complete_signature', id)).toEqual([
        expect.objectContaining({ actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: answer.headers.get('x-request-id') }),
      ]);
    });

    it('a refused withdrawal leaves no entry', async () => {
      const id = await draft();
      await withdraw(alice, id);
      expect(await auditOf('subscription.withdraw', id)).toEqual([]);
    });
  });
});
