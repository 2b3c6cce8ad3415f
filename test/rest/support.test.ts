import { randomBytes } from 'node:crypto';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { insertBroker, partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

const open = (subscriberId: string) => `/v1/support/subscribers/${subscriberId}/requests`;
const LIST = '/v1/support/requests';
const one = (id: string) => `/v1/support/requests/${id}`;
const REFERENCE = /^SR-\d{4}-\d{6,}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const body = (overrides: Record<string, unknown> = {}) => ({ category: 'payment', subject: 'Prélèvement en double', message: 'Bonjour,\nmon versement de mars a été prélevé deux fois.', ...overrides });

describe.each(EACH_DATABASE)('REST support requests on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown, extra: Record<string, string> = {}): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: { ...headers[who], ...extra }, ...(json !== undefined ? { json } : {}) });

  async function opened(who: string, subscriberId: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const answer = await send(who, 'POST', open(subscriberId), body(overrides));
    if (answer.status !== 201) throw new Error(`open: ${answer.status} ${answer.text}`);
    return answer.json;
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.63.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.63.0.9');
    const otherId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, server.clock.now(), { userId: otherId, distributorId: testId('dst_other_support') });
    headers.other = { authorization: `Bearer ${(await login(server.url, `${otherId}@other.test`, '10.63.0.5')).token}` };
  });
  afterAll(() => server?.close());

  it('answers 401 before anything else without credentials', async () => {
    for (const [method, path, json] of [['POST', open(DEMO_IDS.subscribers.alice), { nonsense: true }], ['GET', `${LIST}?first=1000`, undefined], ['PATCH', one(testId('spr_x')), { status: 'bogus' }]] as const) {
      const answer = await call(`${server.url}${path}`, { method, ...(json ? { json } : {}) });
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0]).toMatchObject({ code: 'unauthorized', message: 'NO_SESSION' });
    }
  });

  it('a subscriber opens a request for themself: 201, a unique reference, status open, audited, and notified', async () => {
    const answer = await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), body({ subject: '  Prélèvement en double  ' }));
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({
      id: expect.stringMatching(UUID_V7),
      reference: expect.stringMatching(REFERENCE),
      subscriberId: DEMO_IDS.subscribers.alice,
      category: 'payment',
      subject: 'Prélèvement en double',
      message: 'Bonjour,\nmon versement de mars a été prélevé deux fois.',
      status: 'open',
      openedByKind: 'subscriber',
      createdAt: expect.stringMatching(ISO_INSTANT),
      updatedAt: expect.stringMatching(ISO_INSTANT),
    });
    expect(answer.json.reference.slice(3, 7)).toBe(String(server.clock.now().getUTCFullYear()));
    const audit = await server.db.query<{ action: string; actor_kind: string; actor_id: string; request_id: string | null; details: Record<string, unknown> }>(
      `select action, actor_kind, actor_id, request_id, details from audit_log where target_type = 'support_request' and target_id = $1`,
      [answer.json.id],
    );
    expect(audit).toEqual([{ action: 'support_request.opened', actor_kind: 'subscriber', actor_id: DEMO_IDS.users.alice, request_id: expect.stringMatching(/^req_/), details: { subscriberId: DEMO_IDS.subscribers.alice, reference: answer.json.reference, category: 'payment' } }]);
    const outbox = await server.db.query<{ recipient_user_id: string; channel: string; template: string; payload: Record<string, unknown> }>(
      `select recipient_user_id, channel, template, payload from notification_outbox where payload->>'requestId' = $1`,
      [answer.json.id],
    );
    expect(outbox).toEqual([{ recipient_user_id: DEMO_IDS.users.alice, channel: 'email', template: 'support_request_opened', payload: expect.objectContaining({ to: 'alice@demo.test', reference: answer.json.reference, status: 'open' }) }]);
  });

  it('the subscriber’s broker and back-office open requests on their behalf; references never repeat', async () => {
    const byBroker = await opened('broker', DEMO_IDS.subscribers.bob, { category: 'surrender' });
    expect(byBroker).toMatchObject({ subscriberId: DEMO_IDS.subscribers.bob, openedByKind: 'broker', status: 'open', category: 'surrender' });
    const byBackoffice = await opened('backoffice', DEMO_IDS.subscribers.alice, { category: 'technical' });
    expect(byBackoffice.openedByKind).toBe('backoffice');
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => send(['alice', 'bob', 'broker'][i % 3], 'POST', open(i % 3 === 1 ? DEMO_IDS.subscribers.bob : DEMO_IDS.subscribers.alice), body({ category: 'other' }))));
    expect(many.map((a) => a.status)).toEqual(Array(6).fill(201));
    const references = [byBroker.reference, byBackoffice.reference, ...many.map((a) => a.json.reference)];
    expect(new Set(references).size).toBe(references.length);
    for (const reference of references) expect(reference).toMatch(REFERENCE);
  });

  it('another subscriber’s id is 404, exactly like one that does not exist; a broker of another distributor likewise', async () => {
    const before = await server.db.query<{ n: number }>('select count(*)::int as n from support_requests');
    const bobs = await send('alice', 'POST', open(DEMO_IDS.subscribers.bob), body());
    const nobody = await send('alice', 'POST', open(testId('sbr_nobody')), body());
    expect(bobs.status).toBe(404);
    expect(bobs.json).toEqual(nobody.json);
    expect(bobs.json.errors[0]).toMatchObject({ code: 'resource_not_found', reason: 'SUBSCRIBER_NOT_FOUND' });
    expect((await send('other', 'POST', open(DEMO_IDS.subscribers.alice), body())).status).toBe(404);
    const after = await server.db.query<{ n: number }>('select count(*)::int as n from support_requests');
    expect(after[0].n).toBe(before[0].n);
  });

  it('a partner platform may not open requests (403)', async () => {
    const answer = await send('partner', 'POST', open(DEMO_IDS.subscribers.alice), body());
    expect(answer.status).toBe(403);
    expect(answer.json.errors[0]).toMatchObject({ code: 'forbidden', message: 'INSUFFICIENT_ROLES' });
  });

  it('validates category, subject (one line, <= 200) and message (<= 5000), naming every field', async () => {
    expect((await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), body({ subject: 'é'.repeat(200), message: 'm'.repeat(5000) }))).status).toBe(201);
    // The message is @multiline: line breaks and tabs are its own.
    expect((await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), body({ message: 'two\nlines\r\nand\ta tab' }))).status).toBe(201);
    const cases: Array<[Record<string, unknown>, Array<[string, string]>]> = [
      [{ subject: 's'.repeat(201) }, [['subject', 'SUBJECT_TOO_LONG']]],
      [{ subject: '   ' }, [['subject', 'SUBJECT_REQUIRED']]],
      // Control characters are refused by the central input guard, before the domain's rules.
      [{ subject: 'two\nlines' }, [['subject', 'INVALID_CHARACTERS']]],
      [{ message: 'm'.repeat(5001) }, [['message', 'MESSAGE_TOO_LONG']]],
      [{ message: '' }, [['message', 'MESSAGE_REQUIRED']]],
      [{ message: 'bell\u0007' }, [['message', 'INVALID_CHARACTERS']]],
      [{ subject: '', message: ' ' }, [['message', 'MESSAGE_REQUIRED'], ['subject', 'SUBJECT_REQUIRED']]],
      [{ category: 'complaint' }, [['category', 'INVALID_FIELD_VALUE']]],
      // The message alone is required (the public docs): missing, blank after trimming, or too long.
      [{ message: undefined }, [['message', 'REQUIRED_FIELD_MISSING']]],
      [{ category: undefined, subject: undefined, message: ' \n\t ' }, [['message', 'MESSAGE_REQUIRED']]],
      [{ category: undefined, subject: undefined, message: `  ${'m'.repeat(5001)}  ` }, [['message', 'MESSAGE_TOO_LONG']]],
    ];
    for (const [overrides, expected] of cases) {
      const answer = await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), body(overrides));
      expect(answer.status).toBe(400);
      const problems = answer.json.errors.map((e: { field: string; reason: string; code: string }) => [e.field, e.reason]).sort();
      expect({ overrides, problems }).toEqual({ overrides, problems: expected });
    }
  });

  it('opens with { message } alone, as the public docs say: 201, category other, the subject derived from the message', async () => {
    const answer = await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), { message: '  Mon prélèvement de mars a été fait deux fois.\nMerci de vérifier.  ' });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      subscriberId: DEMO_IDS.subscribers.alice,
      category: 'other',
      subject: 'Mon prélèvement de mars a été fait deux fois.',
      message: 'Mon prélèvement de mars a été fait deux fois.\nMerci de vérifier.',
      status: 'open',
    });
    // A long first line is cut at a word boundary, with an ellipsis, within 200 characters; tabs become spaces.
    const words = Array.from({ length: 60 }, (_, i) => `mot${i}`).join(' ');
    const long = await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), { message: `\n\n${words}\tfin\nsecond line` });
    expect(long.status).toBe(201);
    const subject: string = long.json.subject;
    expect([...subject].length).toBeLessThanOrEqual(200);
    expect(subject.endsWith('…')).toBe(true);
    expect(words.startsWith(subject.slice(0, -1))).toBe(true);
    expect(words[subject.length - 1]).toBe(' ');
    // Exactly 5000 characters after trimming is fine; either optional field may still be given alone.
    expect((await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), { message: ` ${'é'.repeat(5000)} ` })).status).toBe(201);
    expect((await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), { category: 'payment', message: 'Bonjour' })).json).toMatchObject({ category: 'payment', subject: 'Bonjour' });
    expect((await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), { subject: 'Sujet', message: 'Bonjour' })).json).toMatchObject({ category: 'other', subject: 'Sujet' });
  });

  it('a body that is not JSON, or not a JSON object, is a 400; so is a subscriberId we do not know the form of', async () => {
    const malformed = await call(`${server.url}${open(DEMO_IDS.subscribers.alice)}`, { method: 'POST', headers: { ...headers.alice, 'content-type': 'application/json' }, body: '{"message": "Bonjour' });
    expect({ status: malformed.status, error: malformed.json.errors[0] }).toMatchObject({ status: 400, error: { code: 'parameter_invalid', reason: 'MALFORMED_JSON' } });
    const array = await call(`${server.url}${open(DEMO_IDS.subscribers.alice)}`, { method: 'POST', headers: { ...headers.alice, 'content-type': 'application/json' }, body: '["Bonjour"]' });
    expect({ status: array.status, error: array.json.errors[0] }).toMatchObject({ status: 400, error: { code: 'parameter_invalid', reason: 'BODY_MUST_BE_A_JSON_OBJECT' } });
    const number = await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), { message: 42 });
    expect({ status: number.status, error: number.json.errors[0] }).toMatchObject({ status: 400, error: { code: 'parameter_invalid', field: 'message' } });
  });

  it('a client cannot set the status, the reference or who opened it: unknown body properties are 400', async () => {
    for (const extra of [{ status: 'closed' }, { reference: 'SR-2000-000001' }, { openedByKind: 'backoffice' }, { subscriberId: DEMO_IDS.subscribers.bob }]) {
      const answer = await send('alice', 'POST', open(DEMO_IDS.subscribers.alice), body(extra));
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'UNKNOWN_FIELD', field: Object.keys(extra)[0] });
    }
  });

  it('an Idempotency-Key replays the first answer and opens one request only', async () => {
    const key = `support-${randomBytes(6).toString('hex')}`;
    const first = await send('bob', 'POST', open(DEMO_IDS.subscribers.bob), body({ subject: 'Une seule fois' }), { 'idempotency-key': key });
    const again = await send('bob', 'POST', open(DEMO_IDS.subscribers.bob), body({ subject: 'Une seule fois' }), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.reference).toBe(first.json.reference);
    const rows = await server.db.query<{ n: number }>(`select count(*)::int as n from support_requests where subject = 'Une seule fois'`);
    expect(rows[0].n).toBe(1);
  });

  it('back-office lists the queue oldest first, by status, paged with a capped size', async () => {
    const fresh = await opened('alice', DEMO_IDS.subscribers.alice, { subject: 'Queue check' });
    const all = await send('backoffice', 'GET', `${LIST}?first=100`);
    expect(all.status).toBe(200);
    expect(Object.keys(all.json).sort()).toEqual(['items', 'pageInfo']);
    const references = all.json.items.map((r: { reference: string }) => r.reference);
    expect(references).toEqual([...references].sort());
    expect(references.at(-1)).toBe(fresh.reference);

    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i += 1) {
      const page: Answer = await send('backoffice', 'GET', `${LIST}?status=open&first=3${after ? `&after=${after}` : ''}`);
      expect(page.json.items.length).toBeLessThanOrEqual(3);
      for (const item of page.json.items) expect(item.status).toBe('open');
      seen.push(...page.json.items.map((r: { id: string }) => r.id));
      if (!page.json.pageInfo.hasNextPage) break;
      after = page.json.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.json.items.filter((r: { status: string }) => r.status === 'open').map((r: { id: string }) => r.id));

    for (const first of ['101', '0']) expect((await send('backoffice', 'GET', `${LIST}?first=${first}`)).json.errors[0]).toMatchObject({ reason: 'PAGE_SIZE_OUT_OF_RANGE', field: 'first' });
    expect((await send('backoffice', 'GET', `${LIST}?after=%21%21`)).json.errors[0]).toMatchObject({ reason: 'INVALID_CURSOR', field: 'after' });
    expect((await send('backoffice', 'GET', `${LIST}?status=pending`)).json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'status' });
    for (const who of ['alice', 'broker', 'partner']) {
      const answer = await send(who, 'GET', LIST);
      expect(answer.status).toBe(403);
      expect(answer.json.errors[0].message).toBe('INSUFFICIENT_ROLES');
    }
  });

  it('back-office moves a request open -> in_progress -> closed; every other move is 409', async () => {
    const request = await opened('alice', DEMO_IDS.subscribers.alice, { subject: 'Lifecycle' });
    const skip = await send('backoffice', 'PATCH', one(request.id), { status: 'closed' });
    expect(skip.status).toBe(409);
    expect(skip.json.errors[0]).toMatchObject({ code: 'conflict', reason: 'CANNOT_MOVE_TO_CLOSED_IN_STATE_OPEN' });

    const started = await send('backoffice', 'PATCH', one(request.id), { status: 'in_progress' });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ id: request.id, reference: request.reference, status: 'in_progress', openedByKind: 'subscriber' });
    expect((await send('backoffice', 'PATCH', one(request.id), { status: 'in_progress' })).json.errors[0].reason).toBe('CANNOT_MOVE_TO_IN_PROGRESS_IN_STATE_IN_PROGRESS');

    const closed = await send('backoffice', 'PATCH', one(request.id), { status: 'closed' });
    expect(closed.json.status).toBe('closed');
    for (const status of ['in_progress', 'closed']) {
      const again = await send('backoffice', 'PATCH', one(request.id), { status });
      expect(again.status).toBe(409);
      expect(again.json.errors[0].reason).toBe(`CANNOT_MOVE_TO_${status.toUpperCase()}_IN_STATE_CLOSED`);
    }

    const audit = await server.db.query<{ action: string; actor_kind: string; details: Record<string, unknown> }>(
      `select action, actor_kind, details from audit_log where target_type = 'support_request' and target_id = $1 order by id`,
      [request.id],
    );
    expect(audit).toEqual([
      { action: 'support_request.opened', actor_kind: 'subscriber', details: expect.objectContaining({ reference: request.reference }) },
      { action: 'support_request.status_changed', actor_kind: 'backoffice', details: { reference: request.reference, from: 'open', to: 'in_progress' } },
      { action: 'support_request.status_changed', actor_kind: 'backoffice', details: { reference: request.reference, from: 'in_progress', to: 'closed' } },
    ]);
    const outbox = await server.db.query<{ recipient_user_id: string; template: string; status: string }>(
      `select recipient_user_id, template, payload->>'status' as status from notification_outbox where payload->>'requestId' = $1 order by id`,
      [request.id],
    );
    expect(outbox).toEqual([
      { recipient_user_id: DEMO_IDS.users.alice, template: 'support_request_opened', status: 'open' },
      { recipient_user_id: DEMO_IDS.users.alice, template: 'support_request_status_changed', status: 'in_progress' },
      { recipient_user_id: DEMO_IDS.users.alice, template: 'support_request_status_changed', status: 'closed' },
    ]);
  });

  it('a status change is back-office’s alone, to in_progress or closed, with nothing else in the body', async () => {
    const request = await opened('bob', DEMO_IDS.subscribers.bob, { subject: 'Who may move it' });
    for (const who of ['alice', 'bob', 'broker', 'partner']) {
      const answer = await send(who, 'PATCH', one(request.id), { status: 'in_progress' });
      expect(answer.status).toBe(403);
      expect(answer.json.errors[0].message).toBe('INSUFFICIENT_ROLES');
    }
    expect((await send('backoffice', 'PATCH', one(request.id), { status: 'open' })).json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'status' });
    expect((await send('backoffice', 'PATCH', one(request.id), {})).json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'REQUIRED_FIELD_MISSING', field: 'status' });
    expect((await send('backoffice', 'PATCH', one(request.id), { status: 'in_progress', subject: 'x' })).json.errors[0]).toMatchObject({ reason: 'UNKNOWN_FIELD', field: 'subject' });
    const missing = await send('backoffice', 'PATCH', one(testId('spr_missing')), { status: 'in_progress' });
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0].reason).toBe('SUPPORT_REQUEST_NOT_FOUND');
    const rows = await server.db.query<{ status: string }>('select status from support_requests where id = $1', [request.id]);
    expect(rows[0].status).toBe('open');
  });

  it('two concurrent moves of the same request: exactly one wins', async () => {
    const request = await opened('alice', DEMO_IDS.subscribers.alice, { subject: 'Race' });
    const answers = await Promise.all([1, 2, 3].map(() => send('backoffice', 'PATCH', one(request.id), { status: 'in_progress' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const changes = await server.db.query<{ n: number }>(`select count(*)::int as n from audit_log where target_id = $1 and action = 'support_request.status_changed'`, [request.id]);
    expect(changes[0].n).toBe(1);
  });
});
