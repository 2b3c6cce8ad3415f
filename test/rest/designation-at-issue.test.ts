import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { sameInsureeBody, subscriberBody, subscriptionBody } from '../support/subscription-inputs';
import { DEMO_IDS } from '../support/ids';

describe.each(EACH_DATABASE)('a new policy’s beneficiary designation on %s', (_name, database) => {
  let server: TestServer;
  let auth: Record<string, string>;
  const post = (path: string, json?: unknown): Promise<Answer> => call(`${server.url}${path}`, { method: 'POST', headers: auth, ...(json !== undefined ? { json } : {}) });
  beforeAll(async () => {
    server = await startTestServer(database, { webhookSecrets: { esign: ['whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2'] } });
    auth = { authorization: `Bearer ${(await login(server.url, 'broker@demo.test', '10.80.0.1')).token}` };
  });
  afterAll(() => server.close());

  it('is the standard clause chosen at subscription, at version 0', async () => {
    const subscriber = (await post('/v1/subscription/subscribers', subscriberBody())).json.id;
    const insuree = (await post('/v1/subscription/insurees', sameInsureeBody(subscriber))).json.id;
    const draft = (await post(`/v1/subscription/subscribers/${subscriber}/subscriptions`, subscriptionBody(insuree, { beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.children } }))).json.id;
    expect((await post(`/v1/subscription/subscriptions/${draft}/documents`)).status).toBe(201);
    const signing = await post(`/v1/subscription/subscriptions/${draft}/signing`, { method: 'esign' });
    // The broker does not get the signing link: the subscriber does, by e-mail.
    const [mail] = await server.db.query<{ payload: { signingUrl: string } }>("select payload from notification_outbox where template = 'signature_link' and payload->>'signatureId' = $1", [signing.json.id]);
    await call(mail.payload.signingUrl.replace('?t=', '/sign?t='), { method: 'POST' });
    const policyId = (await call(`${server.url}/v1/subscription/subscriptions/${draft}`, { headers: auth })).json.policy.id;

    const designation = await call(`${server.url}/v1/death-settlement/policies/${policyId}/beneficiary-designation`, { headers: auth });
    expect(designation.status).toBe(200);
    expect(designation.headers.get('etag')).toBe('"0"');
    expect(designation.json).toMatchObject({ version: 0, kind: 'standard', isDefault: true, standardClause: { id: DEMO_IDS.standardClauses.children } });
  });
});
