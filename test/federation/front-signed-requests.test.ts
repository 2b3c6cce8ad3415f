/**
 * A partner's signed request (docs/SECURITY.md 27) through the GraphQL front (gateway/front.ts): the
 * front verifies it at the edge, which spends its `jti`, and the service behind it sees the partner
 * through an edge assertion minted for each request the front sends on (docs/SECURITY.md 31). The
 * tokens are built with `jose` as a partner would (test/support/signed-request.ts).
 */
import { loadGatewayConfig } from '../../config/gateway';
import { silentLogger } from '../../http/logger';
import { createFront, type Front } from '../../gateway/front';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { signRequest } from '../support/signed-request';
import { subscriberBody } from '../support/subscription-inputs';
import { startCrmSubgraph, type CrmSubgraph } from './crm-subgraph';

const DOCS = 'https://docs.example.test';

async function frontOver(service: TestServer, crm: CrmSubgraph): Promise<{ front: Front; url: string }> {
  const config = loadGatewayConfig({ PORT: '0', TRUST_PROXY: '1', DOCS_BASE_URL: DOCS, SUBGRAPHS: `insurance=${service.url}/graphql crm=${crm.url}` });
  const front = await createFront({ config, db: service.db, clock: service.clock, logger: silentLogger });
  return { front, url: await front.listen(0, '127.0.0.1') };
}

describe.each(EACH_DATABASE)('signed partner requests through the GraphQL front on %s', (_name, database) => {
  let service: TestServer;
  let crm: CrmSubgraph;
  let front: Front;
  let url: string;

  beforeAll(async () => {
    service = await startTestServer(database, { env: { DOCS_BASE_URL: DOCS } });
    service.clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));
    crm = await startCrmSubgraph();
    ({ front, url } = await frontOver(service, crm));
  }, 120_000);
  afterAll(async () => {
    await front?.close();
    await crm?.stop();
    await service?.close();
  });

  const now = () => Math.floor(service.clock.now().getTime() / 1000);
  /** Signs the request for `base` (the front or the service) and sends it there. */
  async function signed(base: string, method: string, target: string, body?: string, headers: Record<string, string> = {}) {
    const token = await signRequest({ method, target, body, now: now() });
    return call(`${base}${target}`, { method, body, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } });
  }

  it('REST: GET /v1/auth/me answers as on the service, and the token is still single-use at the edge', async () => {
    const direct = await signed(service.url, 'GET', '/v1/auth/me');
    const token = await signRequest({ method: 'GET', target: '/v1/auth/me', now: now() });
    const viaFront = await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect({ status: viaFront.status, body: viaFront.json }).toEqual({ status: 200, body: direct.json });
    expect(viaFront.json).toMatchObject({ id: 'demo-partner', kind: 'machine' });
    // The same token again: a replay, refused at the edge.
    const replay = await call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(replay.status).toBe(401);
    expect(replay.json.errors[0]).toMatchObject({ code: 'unauthorized', message: 'INVALID_BEARER_TOKEN' });
  });

  it('REST: a write with a body (its digest checked at the edge) creates the subscriber', async () => {
    const answer = await signed(url, 'POST', '/v1/subscription/subscribers', JSON.stringify(subscriberBody({ email: 'signed.via.front@example.com' })));
    expect(answer.status).toBe(201);
    // A body other than the one signed: 401 at the edge, before the 400 it would also deserve.
    const token = await signRequest({ method: 'POST', target: '/v1/subscription/subscribers', body: '{}', now: now() });
    const tampered = await call(`${url}/v1/subscription/subscribers`, { method: 'POST', body: '{"x":1}', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect(tampered.status).toBe(401);
  });

  it('GraphQL: `me` is the partner, our fields and the foreign ones both answer', async () => {
    const query = '{ me { id kind clientId distributorId } crmCases { id } }';
    const direct = await signed(service.url, 'POST', '/graphql', JSON.stringify({ query: '{ me { id kind clientId distributorId } }' }));
    const answer = await signed(url, 'POST', '/graphql', JSON.stringify({ query }));
    expect(answer.status).toBe(200);
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.me).toEqual(direct.json.data.me);
    expect(answer.json.data.me).toMatchObject({ id: 'demo-partner', kind: 'machine' });
    expect(answer.json.data.crmCases.length).toBeGreaterThan(0);
    // What went on is an assertion minted for that subgraph request, not the spent signed request.
    expect(crm.lastHeaders.authorization).toBeUndefined();
    expect(crm.lastHeaders['x-edge-assertion']).toEqual(expect.any(String));
  });

  it("an edge assertion is good only for the request it was minted for: another body at the service is 401", async () => {
    await signed(url, 'POST', '/graphql', JSON.stringify({ query: '{ crmCases { id } }' }));
    const assertion = String(crm.lastHeaders['x-edge-assertion']);
    const reused = await gql(service.url, '{ me { id } }', { headers: { 'x-edge-assertion': assertion } });
    expect(reused.status).toBe(401);
    expect(reused.json.errors[0]).toMatchObject({ message: 'INVALID_BEARER_TOKEN', extensions: { code: 'unauthorized' } });
  });

  it('an access token is not an edge assertion, and the front takes no assertion from its callers', async () => {
    const { token } = await login(service.url, 'alice@demo.test', '10.53.0.1');
    expect((await gql(service.url, '{ me { id } }', { headers: { 'x-edge-assertion': token } })).status).toBe(401);
    // Beside a bearer it is refused rather than one of them picked.
    expect((await gql(service.url, '{ me { id } }', { token, headers: { 'x-edge-assertion': token } })).status).toBe(401);
    await signed(url, 'POST', '/graphql', JSON.stringify({ query: '{ crmCases { id } }' }));
    const assertion = String(crm.lastHeaders['x-edge-assertion']);
    const atFront = await gql(url, '{ me { id } }', { headers: { 'x-edge-assertion': assertion } });
    expect(atFront.status).toBe(401);
    expect(atFront.json.errors[0].message).toBe('NO_SESSION');
  });

  describe('a service that does not count the front among its trusted proxies', () => {
    let strict: TestServer;
    let strictFront: Front;
    let strictUrl: string;
    beforeAll(async () => {
      strict = await startTestServer(database, { env: { DOCS_BASE_URL: DOCS, TRUSTED_PROXIES: '10.9.9.9' } });
      strict.clock.set(service.clock.now());
      ({ front: strictFront, url: strictUrl } = await frontOver(strict, crm));
    }, 120_000);
    afterAll(async () => {
      await strictFront?.close();
      await strict?.close();
    });

    it('ignores the assertion: the partner is not signed in there (fails closed)', async () => {
      const token = await signRequest({ method: 'GET', target: '/v1/auth/me', now: Math.floor(strict.clock.now().getTime() / 1000) });
      const answer = await call(`${strictUrl}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0]).toMatchObject({ code: 'unauthorized', message: 'NO_SESSION' });
    });
  });
});
