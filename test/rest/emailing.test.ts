import { randomUUID } from 'node:crypto';
import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login, unauthorizedBody, type Answer } from '../support/http';
import { UUID_V7 } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';

const MESSAGES = '/v1/emailing/messages';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The documented example body of POST /v1/emailing/messages. */
const message = (overrides: Record<string, unknown> = {}) => ({
  from: 'hello@quarzo-life.com',
  to: 'test@quarzo-life.com',
  subject: 'Mot de passe oublié',
  content: { template_name: 'forgot_password', variables: { resetLink: 'https://quarzo-life.com/reset?token=abc' } },
  ...overrides,
});

describe.each(EACH_DATABASE)('REST e-mailing route on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, json: unknown, extra: Record<string, string> = {}): Promise<Answer> =>
    call(`${server.url}${MESSAGES}`, { method: 'POST', json, headers: { ...headers[who], ...extra } });
  const read = (who: string, id: string) => call(`${server.url}${MESSAGES}/${id}`, { headers: headers[who] });
  const rows = async (key: string) => Number((await server.db.query<{ n: number }>('select count(*)::int as n from notification_outbox where idempotency_key = $1', [key]))[0].n);

  /** The documented envelope, exactly: code, message and doc_url, with our reason and field beside them. */
  function expectDocumented(answer: Answer, status: number, code: string, message: string): void {
    expect(answer.status).toBe(status);
    expect(answer.json.errors).toHaveLength(1);
    expect(answer.json.errors[0]).toMatchObject({ code, message, doc_url: `${server.url}/docs/errors/${code}` });
  }

  beforeAll(async () => {
    server = await startTestServer(database, { outbox: 'manual' });
    for (const [i, who] of ['alice', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.64.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.64.0.9');
  });
  afterAll(() => server?.close());

  it('answers 401 before looking at the subject or the key', async () => {
    const answer = await call(`${server.url}${MESSAGES}`, { method: 'POST', json: message({ subject: 'x'.repeat(300) }), headers: { 'idempotency-key': '   ' } });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(unauthorizedBody(server.url, 'NO_SESSION'));
    expect((await call(`${server.url}${MESSAGES}/${randomUUID()}`)).status).toBe(401);
  });

  it('is for back-office and partner platforms: subscribers and brokers get 403', async () => {
    for (const who of ['alice', 'broker']) {
      const answer = await send(who, message());
      expect(answer.status).toBe(403);
      expect(answer.json.errors[0]).toMatchObject({ code: 'forbidden', message: 'INSUFFICIENT_ROLES' });
      expect((await read(who, randomUUID())).status).toBe(403);
    }
  });

  it('queues the documented body: 202 with the message, pending; GET shows its delivery status', async () => {
    const answer = await send('backoffice', message());
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      id: expect.stringMatching(UUID_V7),
      status: 'pending',
      from: 'hello@quarzo-life.com',
      to: 'test@quarzo-life.com',
      subject: 'Mot de passe oublié',
      templateName: 'forgot_password',
      attempts: 0,
      lastError: null,
      nextAttemptAt: expect.stringMatching(ISO_INSTANT),
      createdAt: expect.stringMatching(ISO_INSTANT),
      sentAt: null,
    });
    expect((await read('backoffice', answer.json.id)).json).toEqual(answer.json);
    await server.app.outbox.drain();
    expect((await read('backoffice', answer.json.id)).json).toMatchObject({ status: 'sent', attempts: 1, sentAt: server.clock.now().toISOString(), nextAttemptAt: null });
  });

  it('a subject over 255 characters: 400 email_message_invalid_subject, as documented', async () => {
    expect((await send('backoffice', message({ subject: 'x'.repeat(255) }))).status).toBe(202);
    const answer = await send('backoffice', message({ subject: 'x'.repeat(256) }));
    expectDocumented(answer, 400, 'email_message_invalid_subject', 'The provided subject is invalid.');
    expect(answer.json.errors[0]).toMatchObject({ reason: 'EMAIL_SUBJECT_INVALID', field: 'subject' });
    expectDocumented(await send('partner', message({ subject: 'é'.repeat(2000) })), 400, 'email_message_invalid_subject', 'The provided subject is invalid.');
  });

  it('a blank or over-255 idempotency key in either header: 400 queue_email_message_invalid_idempotency_key, as documented', async () => {
    for (const key of ['   ', '', 'k'.repeat(256)]) {
      for (const header of ['idempotency-key', 'x-quarzo-life-idempotency-key']) {
        expectDocumented(await send('backoffice', message(), { [header]: key }), 400, 'queue_email_message_invalid_idempotency_key', 'The provided idempotency key is invalid.');
      }
    }
    // Two different keys at once are no key.
    expectDocumented(await send('backoffice', message(), { 'idempotency-key': 'a', 'x-quarzo-life-idempotency-key': 'b' }), 400, 'queue_email_message_invalid_idempotency_key', 'The provided idempotency key is invalid.');
    expect((await send('backoffice', message(), { 'idempotency-key': 'k'.repeat(255) })).status).toBe(202);
  });

  it('a key already used: 409 conflict "Idempotency key already used", never a replay, never a second message', async () => {
    const key = randomUUID();
    const first = await send('backoffice', message(), { 'idempotency-key': key });
    expect(first.status).toBe(202);
    const retries: Array<Record<string, string>> = [{ 'idempotency-key': key }, { 'x-quarzo-life-idempotency-key': key }, { 'idempotency-key': ` ${key} ` }];
    for (const extra of retries) {
      const again = await send('backoffice', message(), extra);
      expectDocumented(again, 409, 'conflict', 'Idempotency key already used');
      expect(again.headers.get('idempotent-replayed')).toBeNull();
    }
    expectDocumented(await send('backoffice', message({ subject: 'Autre chose' }), { 'idempotency-key': key }), 409, 'conflict', 'Idempotency key already used');
    expect(await rows(key)).toBe(1);
    await server.app.outbox.drain();
    expect(await rows(key)).toBe(1);
    // Keys are each caller's own: the partner platform may use the same one.
    expect((await send('partner', message(), { 'idempotency-key': key })).status).toBe(202);
    expect(await rows(key)).toBe(2);
    // Without a key, each request is a message.
    const a = await send('backoffice', message());
    const b = await send('backoffice', message());
    expect(a.json.id).not.toBe(b.json.id);
  });

  it('a template that is not ours: 400 parameter_invalid naming content.template_name', async () => {
    for (const name of ['no_such_template', 'signature_otp']) {
      const answer = await send('backoffice', message({ content: { template_name: name, variables: {} } }));
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'UNKNOWN_EMAIL_TEMPLATE', field: 'content.template_name' });
    }
  });

  it('variables that do not fill the template: 400 queue_email_message_internal_template_rendering_failed', async () => {
    for (const variables of [{}, { resetlink: 'https://x.test' }, undefined]) {
      const answer = await send('backoffice', message({ content: { template_name: 'forgot_password', ...(variables ? { variables } : {}) } }));
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'queue_email_message_internal_template_rendering_failed', reason: 'EMAIL_TEMPLATE_RENDERING_FAILED', field: 'content.variables' });
    }
    for (const variables of [{ resetLink: { nested: true } }, ['a'], 'text', { 'bad name': 'x' }]) {
      const answer = await send('backoffice', message({ content: { template_name: 'forgot_password', variables } }));
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'INVALID_FIELD_VALUE', field: 'content.variables' });
    }
  });

  it('from must be one of our sender addresses; to and from must be addresses', async () => {
    const answer = await send('backoffice', message({ from: 'ceo@example.com' }));
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'SENDER_NOT_ALLOWED', field: 'from' });
    expect((await send('backoffice', message({ from: 'HELLO@quarzo-life.com' }))).status).toBe(202);
    for (const to of ['not an address', 'a@b.test\r\nBcc: x@y.test']) {
      const bad = await send('backoffice', message({ to }));
      expect(bad.status).toBe(400);
      expect(bad.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'to' });
    }
  });

  it('GET: back-office reads any message, a partner platform only its own; another id is 404', async () => {
    const mine = (await send('partner', message())).json.id;
    const theirs = (await send('backoffice', message())).json.id;
    expect((await read('partner', mine)).status).toBe(200);
    expect((await read('backoffice', mine)).status).toBe(200);
    const hidden = await read('partner', theirs);
    expect(hidden.status).toBe(404);
    expect(hidden.json.errors[0]).toMatchObject({ code: 'resource_not_found', reason: 'EMAIL_MESSAGE_NOT_FOUND' });
    expect((await read('backoffice', randomUUID())).status).toBe(404);
    expect((await read('backoffice', 'msg_1')).status).toBe(400);
  });

  it('the documented error pages exist', async () => {
    for (const code of ['email_message_invalid_subject', 'queue_email_message_invalid_idempotency_key', 'queue_email_message_internal_template_rendering_failed']) {
      const page = await call(`${server.url}/docs/errors/${code}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(code);
    }
  });

  it('GraphQL: queueEmailMessage with its idempotencyKey argument and emailMessage, with the same rules', async () => {
    const token = headers.backoffice.authorization.slice('Bearer '.length);
    const mutation = 'mutation($input: QueueEmailMessageInput!, $key: String) { queueEmailMessage(input: $input, idempotencyKey: $key) { id status templateName } }';
    const key = randomUUID();
    const first = await gql(server.url, mutation, { token, variables: { input: message(), key } });
    expect(first.json.errors).toBeUndefined();
    const id = first.json.data.queueEmailMessage.id;
    const again = await gql(server.url, mutation, { token, variables: { input: message(), key } });
    expect(again.json.errors[0]).toMatchObject({ message: 'Idempotency key already used', extensions: { code: 'conflict' } });
    const long = await gql(server.url, mutation, { token, variables: { input: message({ subject: 'x'.repeat(256) }) } });
    expect(long.json.errors[0]).toMatchObject({ message: 'The provided subject is invalid.', extensions: { code: 'email_message_invalid_subject' } });
    const shown = await gql(server.url, 'query($id: ID!) { emailMessage(id: $id) { id status attempts lastError sentAt } }', { token, variables: { id } });
    expect(shown.json.data.emailMessage).toEqual({ id, status: 'pending', attempts: 0, lastError: null, sentAt: null });
  });
});
