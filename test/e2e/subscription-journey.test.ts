import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '../../domain/auth/passwords';
import { EACH_DATABASE } from '../support/databases';
import { call, DEMO_PASSWORD, gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';

/**
 * The whole subscription journey against the real server, as a client would run it: a new subscriber
 * login creates its profile, its insuree and a draft, gets the contract documents, signs on the built-in
 * e-signature page, finds its policy, and withdraws within the period.
 */

const ESIGN_SECRET = 'whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2';
const IBAN = 'FR7630006000011234567890189';
const FUND = { euro: 'FR0000000001', equity: 'FR0010315770' } as const;
const INITIAL_PAYMENT = 150_000;
/** prd_av_demo takes a 2% entry fee (200 bp) from the first payment. */
const INVESTED = 147_000;

type Body = Record<string, any>;

let addressCounter = 0;
const newAddress = () => `10.42.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

/** `&#38;`-style entities, as the signing page escapes its form actions. */
const unescapeHtml = (text: string) => text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));

/** The signing page's "Sign" form action, as a browser would read it. */
function signAction(html: string): string | undefined {
  return [...html.matchAll(/<form[^>]*method="post"[^>]*action="([^"]*)"/gi)].map((m) => unescapeHtml(m[1])).find((a) => /\/sign\?/.test(a));
}

function expectOk(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.text}`);
}

/** A GraphQL answer with data and no errors. */
function data(answer: Answer, what: string): Body {
  if (answer.status !== 200 || answer.json?.errors) throw new Error(`${what}: ${answer.status} ${answer.text}`);
  return answer.json.data;
}

describe.each(EACH_DATABASE)('subscription journey end to end on %s', (_name, database) => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer(database, { webhookSecrets: { esign: [ESIGN_SECRET] } });
    base = server.url;
  });
  afterAll(() => server?.close());

  /** A brand-new subscriber login of the demo distributor (one profile per login), signed in. */
  async function newSubscriberLogin(): Promise<{ userId: string; token: string }> {
    const userId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await server.db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
      userId, `${userId}@journey.test`, 'subscriber', await hashPassword(DEMO_PASSWORD), DEMO_IDS.distributor, server.clock.now(),
    ]);
    return { userId, token: (await login(base, `${userId}@journey.test`, newAddress())).token };
  }

  /** Opens the signing link and presses "Sign", as the signer would in a browser. */
  async function signOnPage(signingUrl: string): Promise<void> {
    expect(new URL(signingUrl).origin).toBe(base);
    const page = await call(signingUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const action = signAction(page.text);
    expect(action).toBeDefined();
    const done = await call(new URL(action!, signingUrl).toString(), { method: 'POST' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Signed');
  }

  it('over REST: subscriber -> insuree -> draft -> documents -> e-signature -> policy -> withdrawal', async () => {
    server.clock.set('2026-02-02T10:00:00Z');
    const { userId, token } = await newSubscriberLogin();
    const headers = { authorization: `Bearer ${token}` };
    const post = (path: string, json?: unknown) => call(`${base}${path}`, { method: 'POST', headers, ...(json === undefined ? {} : { json }) });
    const get = (path: string) => call(`${base}${path}`, { headers });

    const subscriber = await post('/v1/subscription/subscribers', {
      civility: 'M',
      firstName: 'Jules',
      lastName: 'Renard',
      birthDate: '1979-09-23',
      birthPlace: 'Bordeaux',
      nationality: 'FR',
      address: { line1: '3 quai des Chartrons', postalCode: '33000', city: 'Bordeaux', country: 'FR' },
      email: 'jules.renard@example.com',
      phone: '+33687654321',
      taxResidence: 'FR',
    });
    expectOk(subscriber, 201, 'subscriber');
    const insuree = await post('/v1/subscription/insurees', { subscriberId: subscriber.json.id, sameAsSubscriber: true });
    expectOk(insuree, 201, 'insuree');
    expect(insuree.json).toMatchObject({ sameAsSubscriber: true, firstName: 'Jules', lastName: 'Renard' });
    const draft = await post(`/v1/subscription/subscribers/${subscriber.json.id}/subscriptions`, {
      insureeId: insuree.json.id,
      productId: DEMO_IDS.products.av,
      initialPayment: { amount: INITIAL_PAYMENT, currency: 'EUR' },
      allocation: [
        { isin: FUND.euro, basisPoints: 7_000 },
        { isin: FUND.equity, basisPoints: 3_000 },
      ],
      beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren },
      debitIban: IBAN,
      debitHolder: 'Jules Renard',
    });
    expectOk(draft, 201, 'draft');
    expect(draft.json.status).toBe('draft');
    const sub = `/v1/subscription/subscriptions/${draft.json.id}`;

    const documents = await post(`${sub}/documents`);
    expectOk(documents, 201, 'documents');
    expect(documents.json.map((d: Body) => d.kind).sort()).toEqual(['general_terms', 'key_information', 'subscription_form']);
    // The subscriber reads what they sign: the key information document downloads intact.
    const kid = documents.json.find((d: Body) => d.kind === 'key_information');
    const file = await fetch(`${base}${sub}/documents/${kid.id}/download`, { headers });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(kid.sha256);

    const signature = await post(`${sub}/signing`, { method: 'esign' });
    expectOk(signature, 201, 'signing');
    expect(signature.json).toMatchObject({ method: 'esign', status: 'pending' });
    expect((await get(sub)).json.status).toBe('signing');
    await signOnPage(signature.json.signingUrl);

    const signed = await get(sub);
    expectOk(signed, 200, 'subscription');
    expect(signed.json).toMatchObject({
      status: 'signed',
      signature: { id: signature.json.id, method: 'esign', status: 'completed' },
      policy: { status: 'active', compartments: [{ code: 'MAIN', status: 'active', value: { amount: INVESTED, currency: 'EUR' } }] },
    });
    expect(new Date(signed.json.signedAt).toISOString()).toBe('2026-02-02T10:00:00.000Z');
    expect(new Date(signed.json.withdrawalDeadline).toISOString()).toBe('2026-03-04T23:00:00.000Z');
    expect(signed.json.history.map((h: Body) => h.toStatus)).toEqual(['draft', 'documents_ready', 'signing', 'signed']);

    // Three weeks later the subscriber changes their mind (new login: the token has long expired).
    server.clock.set('2026-02-23T18:00:00Z');
    const again = { authorization: `Bearer ${(await login(base, `${userId}@journey.test`, newAddress())).token}` };
    const withdrawn = await call(`${base}${sub}/withdraw`, { method: 'POST', headers: again, json: { reason: 'Found a better offer' } });
    expectOk(withdrawn, 200, 'withdraw');
    expect(withdrawn.json).toMatchObject({
      status: 'withdrawn',
      refund: { amount: { amount: INITIAL_PAYMENT, currency: 'EUR' } },
      policy: { status: 'withdrawn', compartments: [{ code: 'MAIN', status: 'closed' }] },
    });
    expect(new Date(withdrawn.json.refund.dueBy).toISOString()).toBe('2026-03-25T23:00:00.000Z');
    expect((await call(`${base}${sub}`, { headers: again })).json.status).toBe('withdrawn');
  });

  it('over GraphQL: the same journey with the mutations, the signing page and the subscription query', async () => {
    server.clock.set('2026-02-02T10:00:00Z');
    const { userId, token } = await newSubscriberLogin();
    const run = async (what: string, query: string, variables?: Record<string, unknown>, bearer = token) => data(await gql(base, query, { token: bearer, variables }), what);

    const { createSubscriber } = await run(
      'createSubscriber',
      `mutation($input: SubscriberInput!) { createSubscriber(input: $input) { id firstName phone } }`,
      {
        input: {
          civility: 'MME',
          firstName: 'Inès',
          lastName: 'Lefèvre',
          birthDate: '1990-03-08',
          birthPlace: 'Lille',
          nationality: 'FR',
          address: { line1: '8 rue Nationale', postalCode: '59000', city: 'Lille', country: 'FR' },
          email: 'ines.lefevre@example.com',
          phone: '07 11 22 33 44',
          taxResidence: 'FR',
        },
      },
    );
    expect(createSubscriber).toMatchObject({ firstName: 'Inès', phone: '+33711223344' });

    const { createInsuree } = await run('createInsuree', `mutation($input: InsureeInput!) { createInsuree(input: $input) { id sameAsSubscriber } }`, {
      input: { subscriberId: createSubscriber.id, sameAsSubscriber: true },
    });
    const { createSubscription } = await run(
      'createSubscription',
      `mutation($subscriberId: ID!, $input: SubscriptionInput!) { createSubscription(subscriberId: $subscriberId, input: $input) { id status } }`,
      {
        subscriberId: createSubscriber.id,
        input: {
          insureeId: createInsuree.id,
          productId: DEMO_IDS.products.av,
          initialPayment: { amount: INITIAL_PAYMENT, currency: 'EUR' },
          scheduledPayment: { amount: 10_000, currency: 'EUR', frequency: 'monthly' },
          allocation: [{ isin: FUND.euro, basisPoints: 10_000 }],
          beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.children },
          debitIban: IBAN,
          debitHolder: 'Inès Lefèvre',
        },
      },
    );
    expect(createSubscription.status).toBe('draft');
    const subscriptionId = createSubscription.id;

    const { generateContractDocuments } = await run(
      'generateContractDocuments',
      `mutation($id: ID!) { generateContractDocuments(subscriptionId: $id) { id kind contentType sha256 } }`,
      { id: subscriptionId },
    );
    expect(generateContractDocuments.map((d: Body) => d.kind).sort()).toEqual(['general_terms', 'key_information', 'subscription_form']);
    const form = generateContractDocuments.find((d: Body) => d.kind === 'subscription_form');
    const { subscriptionDocument } = await run(
      'subscriptionDocument',
      `query($s: ID!, $d: ID!) { subscriptionDocument(subscriptionId: $s, documentId: $d) { contentType contentBase64 } }`,
      { s: subscriptionId, d: form.id },
    );
    const pdf = Buffer.from(subscriptionDocument.contentBase64, 'base64');
    expect(subscriptionDocument.contentType).toBe('application/pdf');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(form.sha256);

    const { requestSignature } = await run(
      'requestSignature',
      `mutation($id: ID!) { requestSignature(subscriptionId: $id, method: esign) { id method status signingUrl } }`,
      { id: subscriptionId },
    );
    expect(requestSignature).toMatchObject({ method: 'esign', status: 'pending', signingUrl: expect.stringContaining(`/esign/${requestSignature.id}?t=`) });
    await signOnPage(requestSignature.signingUrl);

    const { subscription } = await run(
      'subscription',
      `query($id: ID!) { subscription(id: $id) { status signedAt withdrawalDeadline signature { status } policy { status compartments { code status value { amount currency } } } } }`,
      { id: subscriptionId },
    );
    expect(subscription).toEqual({
      status: 'signed',
      signedAt: expect.any(String),
      withdrawalDeadline: expect.any(String),
      signature: { status: 'completed' },
      policy: { status: 'active', compartments: [{ code: 'MAIN', status: 'active', value: { amount: INVESTED, currency: 'EUR' } }] },
    });
    expect(new Date(subscription.withdrawalDeadline).toISOString()).toBe('2026-03-04T23:00:00.000Z');

    // On the last day of the period, late in the evening (Paris), a fresh login withdraws.
    server.clock.set('2026-03-04T22:45:00Z');
    const later = (await login(base, `${userId}@journey.test`, newAddress())).token;
    const { withdrawSubscription } = await run(
      'withdrawSubscription',
      `mutation($id: ID!) { withdrawSubscription(subscriptionId: $id, reason: "Reconsidered") {
         status withdrawnAt refund { amount { amount currency } dueBy } policy { status compartments { code status } } } }`,
      { id: subscriptionId },
      later,
    );
    expect(withdrawSubscription).toMatchObject({
      status: 'withdrawn',
      refund: { amount: { amount: INITIAL_PAYMENT, currency: 'EUR' } },
      policy: { status: 'withdrawn', compartments: [{ code: 'MAIN', status: 'closed' }] },
    });
    expect(new Date(withdrawSubscription.withdrawnAt).toISOString()).toBe('2026-03-04T22:45:00.000Z');
    // 30 days after 4 March (Paris) is 3 April, in summer time: 24:00 Paris is 22:00 UTC.
    expect(new Date(withdrawSubscription.refund.dueBy).toISOString()).toBe('2026-04-03T22:00:00.000Z');

    const reread = await run('subscription', `query($id: ID!) { subscription(id: $id) { status history { toStatus } } }`, { id: subscriptionId }, later);
    expect(reread.subscription).toEqual({
      status: 'withdrawn',
      history: [{ toStatus: 'draft' }, { toStatus: 'documents_ready' }, { toStatus: 'signing' }, { toStatus: 'signed' }, { toStatus: 'withdrawn' }],
    });
    expect(await server.db.query('select amount from refunds where subscription_id = $1', [subscriptionId])).toEqual([{ amount: expect.anything() }]);
  });
});
