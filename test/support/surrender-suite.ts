// The shared set-up of the REST surrender tests (surrender*.test.ts): a server with the demo portfolio and
// a signed-in caller of each kind.
import type { TestDatabase } from './databases';
import { call, login, type Answer } from './http';
import { restReason } from './errors';
import { startTestServer, type TestServer } from './server';
import { acceptedEvidence } from './evidence';
import { PAYMENTS_SECRET } from './surrender-fixtures';
import { DEMO_IDS } from './ids';

const PARTNER = { client_id: 'demo-partner', client_secret: 'demo-partner-secret', serial: '01:23:45:67:89:AB:CD:EF' };

let addressCounter = 0;
/** A distinct client address per login, so the per-address login throttle never interferes. */
export const newAddress = () => `10.52.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

type Caller = Record<string, string>;

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const totalPath = (policyId: string) => `/v1/total-surrender/policies/${policyId}/declarations`;
export const partialPath = (policyId: string, compartmentId: string) => `/v1/partial-surrender/policies/${policyId}/compartments/${compartmentId}/declarations`;
export const eur = (amount: number) => ({ amount, currency: 'EUR' });
export const expectRule = (answer: Answer, reason: string, field?: string) => expectError(answer, 422, 'unprocessable_content', reason, field);

export function expectError(answer: Answer, status: number, code: string, message: string, field?: string): void {
  expect({ status: answer.status, error: answer.json?.errors?.[0] }).toEqual({ status, error: expect.objectContaining({ code, ...restReason(code, message), ...(field ? { field } : {}) }) });
  expect(answer.json.errors).toHaveLength(1);
}

export function surrenderSuite(database: TestDatabase) {
  let server: TestServer;
  const as: Record<'alice' | 'bob' | 'broker' | 'backoffice' | 'partner', Caller> = { alice: {}, bob: {}, broker: {}, backoffice: {}, partner: {} };

  const post = (caller: Caller, path: string, body: unknown, headers: Record<string, string> = {}) => call(`${server.url}${path}`, { method: 'POST', headers: { ...caller, ...headers }, json: body });
  const get = (caller: Caller, path: string) => call(`${server.url}${path}`, { headers: caller });
  /** Uploads (as `who`) and back-office accepts one proof of every document the declaration needs. */
  const completeFile = async (declaration: { id: string; requiredDocuments: Array<{ item: string }> }, who: Caller = as.alice) => {
    for (const { item } of declaration.requiredDocuments) await acceptedEvidence(server, who, as.backoffice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declaration.id, item });
  };
  const declaredCount = async (policyId: string) => Number((await server.db.query<{ n: number }>('select count(*)::int as n from surrender_declarations where policy_id = $1', [policyId]))[0].n);

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    for (const who of ['alice', 'bob', 'broker', 'backoffice'] as const) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, newAddress())).token}` };
    const token = await call(`${server.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'x-client-certificate-serial': PARTNER.serial, 'x-forwarded-for': newAddress() },
      json: { grant_type: 'client_credentials', client_id: PARTNER.client_id, client_secret: PARTNER.client_secret },
    });
    as.partner = { authorization: `Bearer ${token.json.access_token}`, 'x-client-certificate-serial': PARTNER.serial };
  });
  afterAll(async () => {
    await server?.close();
  });

  return {
    as, post, get, completeFile, declaredCount,
    /** What the set-up made, once `beforeAll` ran. */
    state: () => ({ server }),
  };
}
