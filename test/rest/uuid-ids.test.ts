// uuids-codemod: skip (sends old-style ids on purpose, to see them refused)
import { randomUUID } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { DEMO_IDS, UUID_V7 } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Every resource id is a UUID (docs/DOMAIN.md, "Ids"): a path or body id that is not one is a 400
 * naming the parameter as the client spelled it, after authentication; a well-formed id of nothing is
 * a 404; what we create gets a UUIDv7; GraphQL `ID`s are the same UUIDs.
 */
describe.each(EACH_DATABASE)('UUID ids on %s', (_name, database) => {
  let server: TestServer;
  let backoffice: Record<string, string>;
  let backofficeToken: string;
  let aliceToken: string;

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    backofficeToken = (await login(server.url, 'backoffice@demo.test', '10.33.0.1')).token;
    backoffice = { authorization: `Bearer ${backofficeToken}` };
    aliceToken = (await login(server.url, 'alice@demo.test', '10.33.0.2')).token;
  });
  afterAll(() => server?.close());

  const { policies, compartments, subscribers } = DEMO_IDS;
  const unknown = randomUUID();
  // Documented routes whose path ids the public docs say must be UUIDs, with a well-formed id of nothing.
  const routes = (bad: string) => [
    { method: 'POST', path: `/v1/total-surrender/policies/${bad}/declarations`, field: 'policyId', json: {} },
    { method: 'GET', path: `/v1/total-surrender/policies/${policies.aliceAv}/declarations/${bad}`, field: 'declarationId' },
    { method: 'GET', path: `/v1/total-surrender/policies/${bad}/declarations/${unknown}`, field: 'policyId' },
    { method: 'POST', path: `/v1/partial-surrender/policies/${policies.alicePer}/compartments/${bad}/declarations`, field: 'compartmentId', json: {} },
    { method: 'GET', path: `/v1/partial-surrender/policies/${policies.alicePer}/compartments/${compartments.alicePerC1}/declarations/${bad}`, field: 'declarationId' },
    { method: 'POST', path: `/v1/support/subscribers/${bad}/requests`, field: 'subscriberId', json: { message: 'Hello' } },
    { method: 'GET', path: `/v1/billing/commissions/${bad}/download`, field: 'commissionId' },
    { method: 'GET', path: `/v1/subscription/subscribers/${bad}`, field: 'subscriberId' },
  ];
  const send = (route: { method: string; path: string; json?: unknown }, headers: Record<string, string>) =>
    call(`${server.url}${route.path}`, { method: route.method, json: route.json, headers });

  it('a path id that is not a UUID is 401 without credentials, then 400 naming the parameter', async () => {
    for (const bad of ['pol_alice_av', 'not-a-uuid', '12345', '0190A000-0000-7000-8000-00000000ABCD', `${DEMO_IDS.policies.aliceAv}0`, encodeURIComponent(`{${unknown}}`)]) {
      for (const route of routes(bad)) {
        expect({ route: route.path, status: (await send(route, {})).status }).toEqual({ route: route.path, status: 401 });
        const answer = await send(route, backoffice);
        expect({ route: route.path, status: answer.status, error: answer.json?.errors?.[0] ?? answer.text, bad }).toMatchObject({ route: route.path, status: 400, error: { code: 'parameter_invalid', field: route.field }, bad });
      }
    }
  });

  it('two bad path ids are both named, in path order', async () => {
    const answer = await call(`${server.url}/v1/partial-surrender/policies/x/compartments/y/declarations/z`, { headers: backoffice });
    expect(answer.status).toBe(400);
    expect(answer.json.errors.map((e: { field: string }) => e.field)).toEqual(['policyId', 'compartmentId', 'declarationId']);
  });

  it('a well-formed UUID that names nothing is 404 (any version)', async () => {
    for (const route of routes(unknown).filter((r) => r.method === 'GET' || r.field !== 'compartmentId')) {
      const answer = await send(route, backoffice);
      expect({ route: route.path, status: answer.status }).toEqual({ route: route.path, status: 404 });
    }
  });

  it('a body id that is not a UUID is 400 naming the field', async () => {
    const answer = await call(`${server.url}/v1/evidence/subscribers/${subscribers.alice}/documents`, {
      method: 'POST',
      headers: backoffice,
      json: { kind: 'acceptance_endorsement', subjectId: 'pol_alice_av', fileName: 'a.png', contentType: 'image/png', contentBase64: 'AA==' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid' });
    expect(answer.json.errors[0].field).toBe('subjectId');
  });

  it('the IBAN in a pay-out path stays an IBAN (or the IBAN\'s id), not a UUID', async () => {
    const iban = 'FR7630006000011234567890189';
    const answer = await call(`${server.url}/v1/pay-out/subscribers/${subscribers.alice}/ibans/${iban}/make-default`, { method: 'PATCH', headers: { authorization: `Bearer ${aliceToken}` } });
    expect(answer.status).toBe(200);
    expect(answer.json.id).toBe(DEMO_IDS.payoutIbans.aliceDebit);
    const byId = await call(`${server.url}/v1/pay-out/subscribers/${subscribers.alice}/ibans/${DEMO_IDS.payoutIbans.aliceDebit}/make-default`, { method: 'PATCH', headers: { authorization: `Bearer ${aliceToken}` } });
    expect(byId.status).toBe(200);
  });

  it('what we create gets a UUIDv7, later ones sorting after earlier ones', async () => {
    const open = 'mutation($subscriberId: ID!, $input: SupportRequestInput!) { openSupportRequest(subscriberId: $subscriberId, input: $input) { id subscriberId } }';
    const ids: string[] = [];
    for (const message of ['First', 'Second']) {
      const answer = await gql(server.url, open, { token: aliceToken, variables: { subscriberId: subscribers.alice, input: { message } } });
      expect(answer.json.errors).toBeUndefined();
      expect(answer.json.data.openSupportRequest.subscriberId).toBe(subscribers.alice);
      ids.push(answer.json.data.openSupportRequest.id);
    }
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(ids[0] < ids[1]).toBe(true);
  });

  it('GraphQL: ID arguments are checked the same way and ID fields carry the same UUIDs', async () => {
    const query = 'query($id: ID!) { policy(id: $id) { id subscriberId compartments { id code } } }';
    const found = await gql(server.url, query, { token: backofficeToken, variables: { id: policies.alicePer } });
    expect(found.json.data.policy).toMatchObject({ id: policies.alicePer, subscriberId: subscribers.alice });
    expect(found.json.data.policy.compartments.map((c: { id: string }) => c.id)).toEqual([compartments.alicePerC1, compartments.alicePerC2, compartments.alicePerC3]);
    const refused = await gql(server.url, query, { token: backofficeToken, variables: { id: 'pol_alice_per' } });
    // The input guard refuses the argument inside the field: a field error, so 200 with the field null (GraphQL over HTTP).
    expect({ status: refused.status, data: refused.json.data, code: refused.json.errors[0].extensions.code, field: refused.json.errors[0].extensions.field }).toEqual({ status: 200, data: { policy: null }, code: 'parameter_invalid', field: 'id' });
    const anonymous = await gql(server.url, query, { variables: { id: 'pol_alice_per' } });
    expect({ status: anonymous.status, code: anonymous.json.errors[0].extensions.code }).toEqual({ status: 401, code: 'unauthorized' });
    const missing = await gql(server.url, query, { token: backofficeToken, variables: { id: unknown } });
    expect({ status: missing.status, data: missing.json.data, code: missing.json.errors[0].extensions.code }).toEqual({ status: 200, data: { policy: null }, code: 'resource_not_found' });
  });
});
