/**
 * The front's short cut (gateway/single-fetch.ts): a query the gateway planned as one fetch asking our
 * service exactly what the client asked is sent straight to it from the second time on. What the client
 * hears must not change, nor what the service receives: each front request is one subgraph request
 * (counted by a pass-through proxy in front of the service), also when the answer carries errors and
 * the gateway words it from the answer already received.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadGatewayConfig } from '../../config/gateway';
import { silentLogger } from '../../http/logger';
import { createFront, type Front } from '../../gateway/front';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { signRequest } from '../support/signed-request';

const DOCS = 'https://docs.example.test';

/** Forwards every request to `target` as it came, counting them; `down` drops them unanswered. */
async function countingProxy(target: string): Promise<{ server: Server; url: string; requests: () => number; down: (on: boolean) => void }> {
  let requests = 0;
  let down = false;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    requests += 1;
    if (down) {
      res.socket?.destroy();
      return;
    }
    const forwarded = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.socket?.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests: () => requests, down: (on) => (down = on) };
}

/** What the client hears, bar the request id. */
const heard = (a: Answer) => ({ status: a.status, body: a.json, type: a.headers.get('content-type'), wwwAuthenticate: a.headers.get('www-authenticate') });

describe.each(EACH_DATABASE)("the front's single-fetch short cut on %s", (_name, database) => {
  let service: TestServer;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let front: Front;
  let url: string;
  let alice: string;

  beforeAll(async () => {
    service = await startTestServer(database, { demoPortfolio: true, env: { DOCS_BASE_URL: DOCS } });
    service.clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));
    proxy = await countingProxy(service.url);
    const config = loadGatewayConfig({ PORT: '0', TRUST_PROXY: '1', DOCS_BASE_URL: DOCS, SUBGRAPHS: `insurance=${proxy.url}/graphql` });
    front = await createFront({ config, db: service.db, clock: service.clock, logger: silentLogger });
    url = await front.listen(0, '127.0.0.1');
    alice = (await login(service.url, 'alice@demo.test', '10.52.0.1')).token;
  }, 120_000);
  afterAll(async () => {
    await front?.close();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await service?.close();
  });

  /** Sends the same request `times` times; each must reach the service exactly once. */
  async function repeated(times: number, send: () => Promise<Answer>): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let i = 0; i < times; i += 1) {
      const before = proxy.requests();
      answers.push(await send());
      expect(proxy.requests() - before).toBe(1);
    }
    return answers;
  }

  it('answers `me` the same every time, one request to the service each', async () => {
    const answers = await repeated(3, () => gql(url, '{ me { id } }', { token: alice }));
    expect(heard(answers[0])).toMatchObject({ status: 200, body: { data: { me: { id: DEMO_IDS.users.alice } } } });
    for (const later of answers.slice(1)) expect(heard(later)).toEqual(heard(answers[0]));
  });

  it("words another customer's policy (an error from the service) as the gateway does, without asking twice", async () => {
    const query = 'query ($id: ID!) { policy(id: $id) { id status } }';
    const answers = await repeated(3, () => gql(url, query, { token: alice, variables: { id: DEMO_IDS.policies.bobAv } }));
    expect(answers[0].json.errors[0].extensions).toMatchObject({ code: 'resource_not_found', doc_url: `${DOCS}/errors/resource_not_found` });
    for (const later of answers.slice(1)) expect(heard(later)).toEqual(heard(answers[0]));
    // The same document with the caller's own policy: its data, through the short cut.
    const own = await repeated(1, () => gql(url, query, { token: alice, variables: { id: DEMO_IDS.policies.aliceAv } }));
    expect(own[0].json).toEqual({ data: { policy: { id: DEMO_IDS.policies.aliceAv, status: expect.any(String) } } });
  });

  it("answers the REST bridge's queries the same every time, one request to the service each, errors included", async () => {
    const me = await repeated(3, () => call(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${alice}` } }));
    expect(heard(me[0])).toMatchObject({ status: 200, body: { id: DEMO_IDS.users.alice, kind: 'subscriber' } });
    for (const later of me.slice(1)) expect(heard(later)).toEqual(heard(me[0]));
    const other = await repeated(3, () => call(`${url}/v1/policies/${DEMO_IDS.policies.bobAv}`, { headers: { authorization: `Bearer ${alice}` } }));
    expect(heard(other[0])).toMatchObject({ status: 404, body: { errors: [{ code: 'resource_not_found', doc_url: `${DOCS}/errors/resource_not_found` }] } });
    for (const later of other.slice(1)) expect(heard(later)).toEqual(heard(other[0]));
    const own = await repeated(2, () => call(`${url}/v1/policies/${DEMO_IDS.policies.aliceAv}`, { headers: { authorization: `Bearer ${alice}` } }));
    expect(own[1].json).toEqual(own[0].json);
    expect(own[1].json).toMatchObject({ id: DEMO_IDS.policies.aliceAv, product: { name: expect.any(String) } });
  });

  it('refuses a variable of the wrong type at the front, as the gateway does, sending nothing', async () => {
    const query = 'query ($id: ID!) { policy(id: $id) { id } }';
    const before = proxy.requests();
    const first = await gql(url, query, { token: alice, variables: { id: { not: 'an id' } } });
    const second = await gql(url, query, { token: alice, variables: { id: { not: 'an id' } } });
    expect(first.status).toBe(400);
    expect(heard(second)).toEqual(heard(first));
    expect(proxy.requests()).toBe(before);
  });

  it('answers a subgraph that cannot be reached as the gateway does', async () => {
    const learnt = 'query Learnt { me { id } }';
    const fresh = 'query Fresh { me { id } }';
    await repeated(1, () => gql(url, learnt, { token: alice }));
    proxy.down(true);
    try {
      const viaShortCut = await gql(url, learnt, { token: alice });
      const viaGateway = await gql(url, fresh, { token: alice });
      expect(viaGateway.json.errors[0].extensions).toMatchObject({ code: 'service_unavailable', reason: 'SUBGRAPH_UNAVAILABLE' });
      expect(heard(viaShortCut)).toEqual(heard(viaGateway));
    } finally {
      proxy.down(false);
    }
  });

  it("mints a partner's edge assertion for each request sent on, the short cut's included", async () => {
    const body = JSON.stringify({ query: '{ me { id kind } }' });
    const answers = await repeated(3, async () => {
      const token = await signRequest({ method: 'POST', target: '/graphql', body, now: Math.floor(service.clock.now().getTime() / 1000) });
      return call(`${url}/graphql`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    });
    for (const answer of answers) expect(answer.json).toEqual({ data: { me: { id: 'demo-partner', kind: 'machine' } } });
  });
});
