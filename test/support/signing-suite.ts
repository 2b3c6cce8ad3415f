import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { signStandardWebhook } from '../../domain/webhooks/standard-webhooks';
import { call, login, type Answer } from './http';
import { addressSource, sameInsureeBody, subscriberBody, subscriptionBody, type Body } from './subscription-inputs';
import type { TestDatabase } from './databases';
import { restReason } from './errors';
import { startTestServer, type TestServer } from './server';

export const ESIGN_SECRET = 'whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2';
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** The draft's initial payment (1,500.00 EUR) and what is invested after prd_av_demo's 2% entry fee (200 bp). */
export const INITIAL_PAYMENT = 150_000;
export const INVESTED = 147_000;

export type Caller = Record<string, string>;

const newAddress = addressSource('10.41');
export const newKey = () => `key-${randomBytes(9).toString('base64url')}`;
export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const iso = (at: string) => new Date(at).toISOString();

export function expectError(answer: Answer, status: number, code: string, message: string): void {
  expect({ status: answer.status, error: answer.json?.errors?.[0] }).toEqual({ status, error: expect.objectContaining({ code, ...restReason(code, message) }) });
  expect(answer.json.errors).toHaveLength(1);
}

export const expectNotFound = (answer: Answer, reason: string) => expectError(answer, 404, 'resource_not_found', reason);

/** `&#38;`-style entities, as the signing page escapes its form actions. */
const unescapeHtml = (text: string) => text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));

/** The form actions of the signing page, as a browser would read them. */
export function formActions(html: string): { sign?: string; decline?: string } {
  const actions = [...html.matchAll(/<form[^>]*method="post"[^>]*action="([^"]*)"/gi)].map((m) => unescapeHtml(m[1]));
  return { sign: actions.find((a) => /\/sign\?/.test(a)), decline: actions.find((a) => /\/decline\?/.test(a)) };
}

/**
 * The subscription signing tests' world (test/rest/subscription-{documents,signing,withdrawal}.test.ts):
 * a server with the demo esign secret, alice and bob logged in, and alice's subscriber and insuree
 * made once. Call it inside a `describe`; what changes (the tokens, after `setClock`) is read through
 * the returned object's getters.
 */
export function signingSuite(database: TestDatabase) {
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

  /** A delivery of the e-signature provider, signed with the esign secret (or another). */
  function esignWebhook(type: string, signatureId: string, webhookId = `msg_${randomUUID()}`, secret = ESIGN_SECRET): Promise<Answer> {
    const body = JSON.stringify({ type, data: { signature_id: signatureId } });
    const timestamp = Math.floor(server.clock.now().getTime() / 1000);
    return call(`${base}/v1/webhooks/esign`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook({ id: webhookId, timestamp, rawBody: body, secret }),
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

  return {
    get server() {
      return server;
    },
    get base() {
      return base;
    },
    get alice() {
      return alice;
    },
    get bob() {
      return bob;
    },
    get aliceSubscriberId() {
      return aliceSubscriberId;
    },
    get aliceInsureeId() {
      return aliceInsureeId;
    },
    post, get, sub, getSubscription, generate, listDocuments, upload, requestSignature, getSignature, confirmOtp, withdraw, download, bearer, relogin, setClock, created, draft, documentsReady, esignRequested, pressOnPage, signed, esignWebhook, count, policies, refunds, historyOf, otpSent, wrongCode,
  };
}
