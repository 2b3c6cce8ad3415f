import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { insertBroker, partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';
import { WebhookEndpointStore } from '../../store/webhook-endpoint-store';

const BASE = '/v1/webhook-endpoints';
const one = (id: string) => `${BASE}/${id}`;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const HOUR = 60 * 60 * 1000;

describe.each(EACH_DATABASE)('REST webhook endpoints on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: headers[who], ...(json !== undefined ? { json } : {}) });
  async function created(who: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const answer = await send(who, 'POST', BASE, { url: 'https://partner.example/hooks', ...body });
    if (answer.status !== 201) throw new Error(`create: ${answer.status} ${answer.text}`);
    return answer.json;
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    for (const [i, who] of ['alice', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.64.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.64.0.9');
    const otherId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, server.clock.now(), { userId: otherId, distributorId: testId('dst_other_webhooks') });
    headers.other = { authorization: `Bearer ${(await login(server.url, `${otherId}@other.test`, '10.64.0.5')).token}` };
  });
  afterAll(() => server?.close());

  it('answers 401 before anything else without credentials', async () => {
    const id = testId('whe_none');
    for (const [method, path, json] of [['POST', BASE, { url: 'nonsense' }], ['GET', `${BASE}?first=1000`, undefined], ['GET', `${BASE}/event-types`, undefined], ['PATCH', one(id), { url: 1 }], ['DELETE', one(id), undefined], ['POST', `${one(id)}/rotate-secret`, undefined], ['GET', `${one(id)}/deliveries`, undefined], ['POST', `${one(id)}/deliveries/${id}/replay`, undefined]] as const) {
      const answer = await call(`${server.url}${path}`, { method, ...(json ? { json } : {}) });
      expect({ path, method, status: answer.status, code: answer.json?.errors?.[0]?.code }).toEqual({ path, method, status: 401, code: 'unauthorized' });
    }
  });

  it('a partner registers an endpoint: 201 with its secret in the Standard Webhooks form, shown once', async () => {
    const answer = await send('partner', 'POST', BASE, { url: 'https://partner.example/hooks', eventTypes: ['policy.issued', 'surrender.paid', 'policy.issued'], description: '  CRM  ' });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({
      id: expect.stringMatching(UUID_V7),
      url: 'https://partner.example/hooks',
      description: 'CRM',
      eventTypes: ['policy.issued', 'surrender.paid'],
      status: 'enabled',
      disabledReason: null,
      distributorId: DEMO_IDS.distributor,
      createdAt: expect.stringMatching(ISO_INSTANT),
      updatedAt: expect.stringMatching(ISO_INSTANT),
      secret: expect.stringMatching(SECRET),
    });
    expect(Buffer.from(answer.json.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    // A Standard Webhooks library takes the secret as it is.
    const hook = new Webhook(answer.json.secret);
    const at = new Date();
    const signature = hook.sign('evt_1', at, '{"a":1}');
    expect(hook.verify('{"a":1}', { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature })).toEqual({ a: 1 });
    const read = await send('partner', 'GET', one(answer.json.id));
    expect(read.status).toBe(200);
    expect(read.json).not.toHaveProperty('secret');
    expect(JSON.stringify((await send('partner', 'GET', BASE)).json)).not.toContain(answer.json.secret);
    const audit = await server.db.query<{ action: string; details: Record<string, unknown> }>(`select action, details from audit_log where target_type = 'webhook_endpoint' and target_id = $1`, [answer.json.id]);
    expect(audit.map((a) => a.action)).toEqual(['webhook_endpoint.created']);
    expect(JSON.stringify(audit)).not.toContain(answer.json.secret);
  });

  it('refuses bad URLs and unknown event types with 400 parameter_invalid and a reason', async () => {
    for (const [url, reason] of [['partner.example/hooks', 'URL_NOT_ABSOLUTE_HTTP'], ['ftp://partner.example/', 'URL_NOT_ABSOLUTE_HTTP'], ['https://user:pw@partner.example/', 'URL_HAS_CREDENTIALS']] as const) {
      const answer = await send('partner', 'POST', BASE, { url });
      expect({ url, status: answer.status, error: answer.json.errors[0] }).toMatchObject({ url, status: 400, error: { code: 'parameter_invalid', reason, field: 'url' } });
    }
    const unknown = await send('partner', 'POST', BASE, { url: 'https://partner.example/', eventTypes: ['policy.issued', 'policy.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0]).toMatchObject({ reason: 'UNKNOWN_EVENT_TYPE', field: 'eventTypes.1' });
    const empty = await send('partner', 'POST', BASE, { url: 'https://partner.example/', eventTypes: [] });
    expect(empty.json.errors[0]).toMatchObject({ reason: 'EVENT_TYPES_EMPTY', field: 'eventTypes' });
    // Outside production a local receiver is fine (demos, tests).
    expect((await send('partner', 'POST', BASE, { url: 'http://127.0.0.1:9/hooks' })).status).toBe(201);
  });

  it('lists the event type catalogue', async () => {
    const answer = await send('broker', 'GET', `${BASE}/event-types`);
    expect(answer.status).toBe(200);
    expect(answer.json.map((e: { type: string }) => e.type)).toEqual([
      'subscription.signed', 'policy.issued', 'subscription.withdrawn', 'surrender.declared', 'surrender.paid',
      'beneficiary_designation.updated', 'payout_iban.confirmed', 'compartment.transitioned', 'support_request.created', 'switch.executed', 'death_claim.notified',
      'premium.collected', 'premium.rejected',
      'death_claim.file_completed', 'death_claim.paid', 'death_claim.closed',
    ]);
    expect(answer.json[1]).toEqual({ type: 'policy.issued', description: expect.any(String), resource: 'Policy', reads: ['GET /v1/policies/{policyId}'] });
  });

  it('keeps each distributor to its own endpoints: another distributor gets 404, back-office sees all, subscribers 403', async () => {
    const mine = await created('broker');
    const theirs = await created('other');
    const backoffice = await created('backoffice');
    expect(backoffice.distributorId).toBeNull();
    for (const [method, path, json] of [['GET', one(mine.id)], ['PATCH', one(mine.id), { enabled: false }], ['DELETE', one(mine.id)], ['POST', `${one(mine.id)}/rotate-secret`], ['GET', `${one(mine.id)}/deliveries`], ['POST', `${one(mine.id)}/deliveries/${testId('dlv_x')}/replay`]] as const) {
      const answer = await send('other', method, path, json);
      expect({ method, path, status: answer.status, code: answer.json?.errors?.[0]?.code }).toEqual({ method, path, status: 404, code: 'resource_not_found' });
      const alice = await send('alice', method, path, json);
      expect({ method, path, status: alice.status, message: alice.json?.errors?.[0]?.message }).toEqual({ method, path, status: 403, message: 'INSUFFICIENT_ROLES' });
    }
    for (const [method, path, json] of [['POST', BASE, { url: 'https://x.example/' }], ['GET', BASE], ['GET', `${BASE}/event-types`]] as const) {
      expect((await send('alice', method, path, json)).status).toBe(403);
    }
    // The demo broker and the demo partner share a distributor, so they share its endpoints.
    expect((await send('partner', 'GET', one(mine.id))).status).toBe(200);
    const ids = async (who: string) => {
      const all: string[] = [];
      let after: string | null = null;
      do {
        const page: Answer = await send(who, 'GET', `${BASE}?first=2${after ? `&after=${after}` : ''}`);
        expect(page.status).toBe(200);
        all.push(...page.json.items.map((e: { id: string }) => e.id));
        after = page.json.pageInfo.hasNextPage ? page.json.pageInfo.endCursor : null;
      } while (after);
      return all;
    };
    const partnerSees = await ids('partner');
    expect(partnerSees).toContain(mine.id);
    expect(partnerSees).not.toContain(theirs.id);
    expect(partnerSees).not.toContain(backoffice.id);
    expect(await ids('other')).toEqual([theirs.id]);
    const everything = await ids('backoffice');
    expect(everything).toEqual(expect.arrayContaining([mine.id, theirs.id, backoffice.id]));
    expect((await send('backoffice', 'PATCH', one(theirs.id), { description: 'seen by back-office' })).json.description).toBe('seen by back-office');
  });

  it('updates url, event types, description and enabled; deletes', async () => {
    const endpoint = await created('partner', { eventTypes: ['policy.issued'] });
    const changed = await send('partner', 'PATCH', one(endpoint.id), { url: 'https://partner.example/v2', eventTypes: null, description: 'v2', enabled: false });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ url: 'https://partner.example/v2', eventTypes: null, description: 'v2', status: 'disabled', disabledReason: 'by_owner' });
    const kept = await send('partner', 'PATCH', one(endpoint.id), { enabled: true });
    expect(kept.json).toMatchObject({ url: 'https://partner.example/v2', eventTypes: null, description: 'v2', status: 'enabled', disabledReason: null });
    expect((await send('partner', 'PATCH', one(endpoint.id), { url: 'https://a:b@partner.example/' })).json.errors[0]).toMatchObject({ reason: 'URL_HAS_CREDENTIALS', field: 'url' });
    const deleted = await send('partner', 'DELETE', one(endpoint.id));
    expect(deleted.status).toBe(204);
    expect((await send('partner', 'GET', one(endpoint.id))).status).toBe(404);
  });

  it('rotates the secret: the new one is current, the previous one signs beside it for 24 hours', async () => {
    const endpoint = await created('partner');
    const store = new WebhookEndpointStore(server.db);
    const rotated = await send('partner', 'POST', `${one(endpoint.id)}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(SECRET);
    expect(rotated.json.secret).not.toBe(endpoint.secret);
    expect(rotated.json.id).toBe(endpoint.id);
    const now = server.clock.now();
    expect(await store.signingSecrets(endpoint.id, now)).toEqual([rotated.json.secret, endpoint.secret]);
    expect(await store.signingSecrets(endpoint.id, new Date(now.getTime() + 24 * HOUR - 1))).toEqual([rotated.json.secret, endpoint.secret]);
    expect(await store.signingSecrets(endpoint.id, new Date(now.getTime() + 24 * HOUR))).toEqual([rotated.json.secret]);
    // A second rotation at the same instant: the first rotation's secret now overlaps, the oldest keeps its own expiry.
    const again = await send('partner', 'POST', `${one(endpoint.id)}/rotate-secret`);
    expect(await store.signingSecrets(endpoint.id, now)).toEqual([again.json.secret, rotated.json.secret, endpoint.secret]);
    server.clock.advance(24 * HOUR);
    expect(await store.signingSecrets(endpoint.id, server.clock.now())).toEqual([again.json.secret]);
  });

  it('refuses internal hosts and plain http in production', async () => {
    const production = await startTestServer(database, { env: { NODE_ENV: 'production', TRUSTED_PROXIES: '127.0.0.1' }, demoData: true });
    try {
      const token = (await login(production.url, 'backoffice@demo.test', '10.64.1.1')).token;
      const post = (url: string) => call(`${production.url}${BASE}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, json: { url } });
      for (const [url, reason] of [
        ['http://partner.example/hooks', 'URL_MUST_BE_HTTPS'],
        ['https://127.0.0.1/hooks', 'URL_HOST_NOT_ALLOWED'],
        ['https://0x7f.1/hooks', 'URL_HOST_NOT_ALLOWED'],
        ['https://10.1.2.3/', 'URL_HOST_NOT_ALLOWED'],
        ['https://172.16.0.1/', 'URL_HOST_NOT_ALLOWED'],
        ['https://192.168.1.1/', 'URL_HOST_NOT_ALLOWED'],
        ['https://169.254.169.254/latest/meta-data', 'URL_HOST_NOT_ALLOWED'],
        ['https://[::1]/', 'URL_HOST_NOT_ALLOWED'],
        ['https://[::ffff:127.0.0.1]/', 'URL_HOST_NOT_ALLOWED'],
        ['https://[fe80::1]/', 'URL_HOST_NOT_ALLOWED'],
        ['https://[fd00:ec2::254]/', 'URL_HOST_NOT_ALLOWED'],
        ['https://localhost/', 'URL_HOST_NOT_ALLOWED'],
        ['https://metadata.google.internal/', 'URL_HOST_NOT_ALLOWED'],
      ] as const) {
        const answer = await post(url);
        expect({ url, status: answer.status, reason: answer.json.errors?.[0]?.reason, message: answer.json.errors?.[0]?.message }).toEqual({ url, status: 400, reason, message: expect.any(String) });
      }
      expect((await post('https://partner.example/hooks')).status).toBe(201);
      expect((await post('https://93.184.215.14/hooks')).status).toBe(201);
    } finally {
      await production.close();
    }
  });
});

describe.each(EACH_DATABASE)('GraphQL webhook endpoints on %s', (_name, database) => {
  let server: TestServer;
  let partner: Record<string, string>;
  const query = (q: string, variables: Record<string, unknown> = {}, headers = partner) => call(`${server.url}/graphql`, { method: 'POST', headers, json: { query: q, variables } });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    partner = await partnerHeaders(server.url, '10.64.2.9');
  });
  afterAll(() => server?.close());

  it('creates, lists by connection, updates (an absent field stays, null eventTypes means every type) and rotates', async () => {
    const created = await query('mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { id url eventTypes status secret } }', { input: { url: 'https://partner.example/gql', eventTypes: ['surrender.paid'] } });
    expect(created.json.errors).toBeUndefined();
    const endpoint = created.json.data.createWebhookEndpoint;
    expect(endpoint).toMatchObject({ url: 'https://partner.example/gql', eventTypes: ['surrender.paid'], status: 'enabled', secret: expect.stringMatching(SECRET) });
    const list = await query('{ webhookEndpoints(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } webhookEventTypes { type } }');
    expect(list.json.data.webhookEndpoints.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(endpoint.id);
    expect(list.json.data.webhookEventTypes).toHaveLength(16);
    const described = await query('mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { description: "gql" }) { description eventTypes url } }', { id: endpoint.id });
    expect(described.json.data.updateWebhookEndpoint).toEqual({ description: 'gql', eventTypes: ['surrender.paid'], url: 'https://partner.example/gql' });
    const everything = await query('mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { eventTypes: null }) { description eventTypes } }', { id: endpoint.id });
    expect(everything.json.data.updateWebhookEndpoint).toEqual({ description: 'gql', eventTypes: null });
    const rotated = await query('mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { id secret } }', { id: endpoint.id });
    expect(rotated.json.data.rotateWebhookEndpointSecret.secret).toMatch(SECRET);
    const refused = await query('mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { id } }', { input: { url: 'gopher://x' } });
    expect(refused.json.errors[0].extensions).toMatchObject({ code: 'parameter_invalid' });
    const alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', '10.64.2.1')).token}` };
    const forbidden = await query('{ webhookEndpoints { nodes { id } } }', {}, alice);
    expect(forbidden.json.errors[0].extensions.code).toBe('forbidden');
    const deleted = await query('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: endpoint.id });
    expect(deleted.json.data.deleteWebhookEndpoint).toBe(endpoint.id);
  });
});
