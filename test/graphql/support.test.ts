import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { insertBroker } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';

const SERIAL = '01:23:45:67:89:AB:CD:EF';
const FIELDS = 'id reference subscriberId category subject message status openedByKind createdAt updatedAt';
const OPEN = `mutation Open($subscriberId: ID!, $input: SupportRequestInput!) { openSupportRequest(subscriberId: $subscriberId, input: $input) { ${FIELDS} } }`;
const CHANGE = `mutation Change($id: ID!, $status: SupportRequestNextStatus!) { changeSupportRequestStatus(id: $id, status: $status) { ${FIELDS} } }`;
const QUEUE = `query Queue($status: SupportRequestStatus, $first: Int, $after: String) {
  supportRequests(status: $status, first: $first, after: $after) { edges { cursor node { id } } nodes { ${FIELDS} } pageInfo { hasNextPage endCursor } }
}`;
const OF_SUBSCRIBER = `query Of($id: ID!, $first: Int, $after: String) {
  subscriber(id: $id) { id supportRequests(first: $first, after: $after) { nodes { id reference subscriberId status } pageInfo { hasNextPage endCursor } } }
}`;
const MINE = `query { mySubscriberProfile { id supportRequests { nodes { id subscriberId } } } }`;

const input = (overrides: Record<string, unknown> = {}) => ({ category: 'contract', subject: 'Avenant', message: 'Je souhaite modifier mon contrat.', ...overrides });

describe.each(EACH_DATABASE)('GraphQL support requests on %s', (_name, database) => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const as = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    gql(server.url, query, { token: tokens[who], variables, headers: who === 'partner' ? { 'x-client-certificate-serial': SERIAL } : {} });

  async function openAs(who: string, subscriberId: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const answer = await as(who, OPEN, { subscriberId, input: input(overrides) });
    if (!answer.json.data?.openSupportRequest) throw new Error(`open: ${answer.text}`);
    return answer.json.data.openSupportRequest;
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) tokens[who] = (await login(server.url, `${who}@demo.test`, `10.64.0.${i + 1}`)).token;
    const grant = await call(`${server.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'x-client-certificate-serial': SERIAL, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.64.0.9' },
      body: 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret',
    });
    tokens.partner = grant.json.access_token;
    const otherId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, server.clock.now(), { userId: otherId, distributorId: testId('dst_other_sgql') });
    tokens.other = (await login(server.url, `${otherId}@other.test`, '10.64.0.5')).token;
  });
  afterAll(() => server?.close());

  it('opens a request for a subscriber the caller reaches, with a reference and status open', async () => {
    const request = await openAs('alice', DEMO_IDS.subscribers.alice, { category: 'beneficiary' });
    expect(request).toMatchObject({ reference: expect.stringMatching(/^SR-\d{4}-\d{6,}$/), subscriberId: DEMO_IDS.subscribers.alice, category: 'beneficiary', status: 'open', openedByKind: 'subscriber' });
    expect((await openAs('broker', DEMO_IDS.subscribers.alice)).openedByKind).toBe('broker');
    expect((await openAs('backoffice', DEMO_IDS.subscribers.bob)).openedByKind).toBe('backoffice');
  });

  it('category and subject are optional: category other, the subject the message’s first line', async () => {
    const answer = await as('alice', OPEN, { subscriberId: DEMO_IDS.subscribers.alice, input: { message: ' Question sur mon contrat\nDétails. ' } });
    expect(answer.json.data.openSupportRequest).toMatchObject({ category: 'other', subject: 'Question sur mon contrat', message: 'Question sur mon contrat\nDétails.' });
    const long = await as('alice', OPEN, { subscriberId: DEMO_IDS.subscribers.alice, input: { message: 'x'.repeat(300) } });
    expect(long.json.data.openSupportRequest.subject).toBe(`${'x'.repeat(199)}…`);
    const blank = await as('alice', OPEN, { subscriberId: DEMO_IDS.subscribers.alice, input: { message: '   ' } });
    expect(blank.json.errors[0]).toMatchObject({ extensions: { reason: 'MESSAGE_REQUIRED', code: 'parameter_invalid', field: 'message' } });
  });

  it('another subscriber’s id is not_found like a missing one, for subscribers and other distributors’ brokers', async () => {
    const bobs = await as('alice', OPEN, { subscriberId: DEMO_IDS.subscribers.bob, input: input() });
    const nobody = await as('alice', OPEN, { subscriberId: testId('sbr_nobody'), input: input() });
    expect(bobs.json.errors[0]).toMatchObject({ extensions: { reason: 'SUBSCRIBER_NOT_FOUND', code: 'resource_not_found' } });
    expect(bobs.json.errors.map((e: { message: string }) => e.message)).toEqual(nobody.json.errors.map((e: { message: string }) => e.message));
    expect((await as('other', OPEN, { subscriberId: DEMO_IDS.subscribers.bob, input: input() })).json.errors[0].extensions.reason).toBe('SUBSCRIBER_NOT_FOUND');
  });

  it('validates the input, naming each field', async () => {
    const answer = await as('alice', OPEN, { subscriberId: DEMO_IDS.subscribers.alice, input: input({ subject: 'x'.repeat(201), message: '' }) });
    expect(answer.json.errors[0]).toMatchObject({ extensions: { reason: 'SUBJECT_TOO_LONG', code: 'parameter_invalid', field: 'subject', details: [{ field: 'message', reason: 'MESSAGE_REQUIRED' }] } });
    const category = await as('alice', OPEN, { subscriberId: DEMO_IDS.subscribers.alice, input: input({ category: 'complaint' }) });
    expect(category.json.errors[0].extensions).toMatchObject({ code: 'parameter_invalid', field: 'input.category' });
    const status = await as('alice', `mutation { openSupportRequest(subscriberId: "${DEMO_IDS.subscribers.alice}", input: { category: other, subject: "s", message: "m", status: closed }) { id } }`);
    expect(status.json.errors[0].extensions.code).toBe('parameter_invalid');
  });

  it('Subscriber.supportRequests: the subscriber’s own, newest first, for the subscriber, its broker and back-office', async () => {
    const older = await openAs('bob', DEMO_IDS.subscribers.bob, { subject: 'First' });
    const newer = await openAs('bob', DEMO_IDS.subscribers.bob, { subject: 'Second' });
    for (const who of ['bob', 'broker', 'backoffice']) {
      const answer = await as(who, OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob, first: 100 });
      const nodes = answer.json.data.subscriber.supportRequests.nodes;
      expect(nodes.every((n: { subscriberId: string }) => n.subscriberId === DEMO_IDS.subscribers.bob)).toBe(true);
      const ids = nodes.map((n: { id: string }) => n.id);
      expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    }
    const page = await as('bob', OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob, first: 1 });
    expect(page.json.data.subscriber.supportRequests).toMatchObject({ nodes: [{ id: newer.id }], pageInfo: { hasNextPage: true } });
    const next = await as('bob', OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob, first: 1, after: page.json.data.subscriber.supportRequests.pageInfo.endCursor });
    expect(next.json.data.subscriber.supportRequests.nodes).toEqual([expect.objectContaining({ id: older.id })]);
    const mine = await as('alice', MINE);
    expect(mine.json.data.mySubscriberProfile.supportRequests.nodes.length).toBeGreaterThan(0);
    expect(mine.json.data.mySubscriberProfile.supportRequests.nodes.every((n: { subscriberId: string }) => n.subscriberId === DEMO_IDS.subscribers.alice)).toBe(true);
    expect((await as('bob', OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob, first: 101 })).json.errors[0]).toMatchObject({ extensions: { reason: 'PAGE_SIZE_OUT_OF_RANGE', field: 'first' } });
  });

  it('nobody else reads them: another subscriber and other distributors get not_found; a partner platform forbidden', async () => {
    expect((await as('alice', OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob })).json.errors[0].extensions.reason).toBe('SUBSCRIBER_NOT_FOUND');
    expect((await as('other', OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob })).json.errors[0].extensions.reason).toBe('SUBSCRIBER_NOT_FOUND');
    const partner = await as('partner', OF_SUBSCRIBER, { id: DEMO_IDS.subscribers.bob });
    expect(partner.json.errors[0]).toMatchObject({ message: 'INSUFFICIENT_ROLES', path: ['subscriber', 'supportRequests'], extensions: { code: 'forbidden' } });
    // Partial data: the subscriber is there, only the field the partner may not read is null.
    expect(partner.status).toBe(200);
    expect(partner.json.data.subscriber).toMatchObject({ supportRequests: null });
  });

  it('the queue is back-office’s: oldest first, filtered by status, capped pages', async () => {
    for (const who of ['alice', 'broker', 'partner']) {
      const answer = await as(who, QUEUE);
      expect(answer.json.errors[0]).toMatchObject({ message: 'INSUFFICIENT_ROLES', extensions: { code: 'forbidden' } });
      expect(answer.json.data).toEqual({ supportRequests: null });
    }
    const all = (await as('backoffice', QUEUE, { first: 100 })).json.data.supportRequests;
    const references = all.nodes.map((n: { reference: string }) => n.reference);
    expect(references).toEqual([...references].sort());
    expect(all.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(all.nodes.map((n: { id: string }) => n.id));
    expect((await as('backoffice', QUEUE, { first: 1000 })).json.errors[0].extensions.reason).toBe('PAGE_SIZE_OUT_OF_RANGE');
    const request = await openAs('alice', DEMO_IDS.subscribers.alice, { subject: 'To start' });
    await as('backoffice', CHANGE, { id: request.id, status: 'in_progress' });
    const started = (await as('backoffice', QUEUE, { status: 'in_progress', first: 100 })).json.data.supportRequests.nodes;
    expect(started.map((n: { id: string }) => n.id)).toContain(request.id);
    expect(started.every((n: { status: string }) => n.status === 'in_progress')).toBe(true);
    const open = (await as('backoffice', QUEUE, { status: 'open', first: 100 })).json.data.supportRequests.nodes;
    expect(open.map((n: { id: string }) => n.id)).not.toContain(request.id);
  });

  it('changeSupportRequestStatus: back-office only, one step at a time, conflict otherwise', async () => {
    const request = await openAs('bob', DEMO_IDS.subscribers.bob, { subject: 'Steps' });
    for (const who of ['bob', 'broker', 'partner']) {
      expect((await as(who, CHANGE, { id: request.id, status: 'in_progress' })).json.errors[0]).toMatchObject({ message: 'INSUFFICIENT_ROLES', extensions: { code: 'forbidden' } });
    }
    expect((await as('backoffice', CHANGE, { id: request.id, status: 'closed' })).json.errors[0]).toMatchObject({ extensions: { reason: 'CANNOT_MOVE_TO_CLOSED_IN_STATE_OPEN', code: 'conflict' } });
    expect((await as('backoffice', CHANGE, { id: request.id, status: 'in_progress' })).json.data.changeSupportRequestStatus.status).toBe('in_progress');
    const closed = (await as('backoffice', CHANGE, { id: request.id, status: 'closed' })).json.data.changeSupportRequestStatus;
    expect(closed).toMatchObject({ id: request.id, reference: request.reference, status: 'closed' });
    expect((await as('backoffice', CHANGE, { id: request.id, status: 'in_progress' })).json.errors[0].extensions.reason).toBe('CANNOT_MOVE_TO_IN_PROGRESS_IN_STATE_CLOSED');
    expect((await as('backoffice', CHANGE, { id: request.id, status: 'open' })).json.errors[0].extensions.code).toBe('parameter_invalid');
    expect((await as('backoffice', CHANGE, { id: testId('spr_missing'), status: 'closed' })).json.errors[0].extensions.reason).toBe('SUPPORT_REQUEST_NOT_FOUND');
  });
});
