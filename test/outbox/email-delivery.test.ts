import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createApp } from '../../app';
import { silentLogger } from '../../http/logger';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { addressSource, sameInsureeBody, subscriberBody, subscriptionBody } from '../support/subscription-inputs';

type Caller = Record<string, string>;
const MESSAGES = '/v1/emailing/messages';
const newAddress = addressSource('10.47');

const message = (overrides: Record<string, unknown> = {}) => ({
  from: 'hello@quarzo-life.com',
  to: 'claire.dupont@example.com',
  subject: 'Réinitialisation de votre mot de passe',
  content: { template_name: 'forgot_password', variables: { resetLink: 'https://quarzo-life.com/reset?token=abc' } },
  ...overrides,
});

describe.each(EACH_DATABASE)('e-mail delivery over SMTP on %s', (_name, database) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let alice: Caller;
  let backoffice: Caller;

  const post = (path: string, caller: Caller, json: unknown) => call(`${server.url}${path}`, { method: 'POST', json, headers: caller });
  const get = (path: string, caller: Caller) => call(`${server.url}${path}`, { headers: caller });
  async function ok(answer: Promise<Answer>, status: number): Promise<any> {
    const done = await answer;
    if (done.status !== status) throw new Error(`expected ${status}, got ${done.status} ${done.text}`);
    return done.json;
  }
  const queued = async (overrides: Record<string, unknown> = {}) => (await ok(post(MESSAGES, backoffice, message(overrides)), 202)).id as string;
  const status = async (id: string) => (await ok(get(`${MESSAGES}/${id}`, backoffice), 200));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(database, { outbox: 'manual', env: { SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '1000', MAIL_MAX_ATTEMPTS: '3' } });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    // Earlier tests' notifications (none expected) never leak into the next one's mailbox.
    await server.app.outbox.drain();
    smtp.received.length = 0;
    smtp.verdicts.length = 0;
    smtp.offered = 0;
    // Tests move the clock by hours: fresh tokens each time.
    alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', newAddress())).token}` };
    backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', newAddress())).token}` };
  });

  it('signs a subscription by OTP with the code read from the mail the subscriber received', async () => {
    const subscriberId = (await ok(post('/v1/subscription/subscribers', alice, subscriberBody()), 201)).id;
    const insureeId = (await ok(post('/v1/subscription/insurees', alice, sameInsureeBody(subscriberId)), 201)).id;
    const id = (await ok(post(`/v1/subscription/subscribers/${subscriberId}/subscriptions`, alice, subscriptionBody(insureeId)), 201)).id;
    await ok(call(`${server.url}/v1/subscription/subscriptions/${id}/documents`, { method: 'POST', headers: alice }), 201);
    await server.app.outbox.drain();
    smtp.received.length = 0;

    const signature = await ok(post(`/v1/subscription/subscriptions/${id}/signing`, alice, { method: 'otp' }), 201);
    await server.app.outbox.drain();
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    // The subscriber's own address (their profile's), from our sender, in French.
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(['alice.martin@example.com']);
    expect(mail.from?.value[0].address).toBe('no-reply@quarzo-life.com');
    expect(mail.subject).toBe('Votre code de signature');
    expect(mail.messageId).toMatch(/^<outbox-\d+@quarzo-life\.com>$/);
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
    expect(code).toBeDefined();

    const confirmed = await ok(post(`/v1/subscription/subscriptions/${id}/signing/otp`, alice, { code }), 200);
    expect(confirmed).toMatchObject({ id, status: 'signed' });
    const [row] = await server.db.query<{ status: string; attempts: number; sent_at: Date | null; last_error: string | null; lease_owner: string | null }>(
      "select status, attempts, sent_at, last_error, lease_owner from notification_outbox where template = 'signature_otp' and payload->>'signatureId' = $1",
      [signature.id],
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null, lease_owner: null });
    expect(new Date(row.sent_at!).toISOString()).toBe(server.clock.now().toISOString());
    // Issuing the policy told the subscriber too.
    await server.app.outbox.drain();
    expect(smtp.received.map((m) => m.subject)).toContain('Votre contrat est émis');
  });

  it('a message the server refuses for now (451) is retried after the backoff and then sent, once', async () => {
    smtp.verdicts.push('temporary');
    const id = await queued();
    await server.app.outbox.drain();
    expect(smtp.received).toHaveLength(0);
    const waiting = await status(id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, sentAt: null, lastError: expect.stringContaining('451') });
    // Not due yet: nothing more happens now.
    await server.app.outbox.drain();
    expect(smtp.offered).toBe(1);

    server.clock.advance(1000);
    await server.app.outbox.drain();
    expect(smtp.offered).toBe(2);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].subject).toBe('Réinitialisation de votre mot de passe');
    expect(await status(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null, nextAttemptAt: null, sentAt: server.clock.now().toISOString() });
  });

  it('a message refused for good (550) is failed at once, with the reason and no address in it', async () => {
    smtp.verdicts.push('permanent');
    const id = await queued();
    await server.app.outbox.drain();
    const failed = await status(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, sentAt: null, nextAttemptAt: null, lastError: expect.stringContaining('550') });
    expect(failed.lastError).not.toContain('claire.dupont@example.com');
    server.clock.advance(3_600_000);
    await server.app.outbox.drain();
    expect(smtp.offered).toBe(1);
  });

  it('a message still refused for now after MAIL_MAX_ATTEMPTS attempts is failed', async () => {
    smtp.verdicts.push('temporary', 'temporary', 'temporary', 'temporary');
    const id = await queued();
    for (let i = 0; i < 4; i++) {
      await server.app.outbox.drain();
      server.clock.advance(10_000);
    }
    expect(smtp.offered).toBe(3);
    expect(await status(id)).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringContaining('451') });
    expect(smtp.received).toHaveLength(0);
  });

  it('sends the text part always and the HTML part when the template has one, the variables HTML-escaped there', async () => {
    const link = 'https://quarzo-life.com/reset?token=a"><script>alert(1)</script>';
    await queued({ content: { template_name: 'forgot_password', variables: { resetLink: link } } });
    await server.app.outbox.drain();
    const [mail] = smtp.received;
    expect(mail.text).toContain(link);
    expect(mail.html).toBeTruthy();
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');

    await queued({ content: { template_name: 'information', variables: { body: 'Votre attestation fiscale est disponible.' } } });
    await server.app.outbox.drain();
    expect(smtp.received[1].text).toContain('Votre attestation fiscale est disponible.');
    expect(smtp.received[1].html).toBe(false);
  });

  it('two replicas on one database send each message once', async () => {
    // Queued before the second replica starts: building it blocks this process for seconds on PGlite, and
    // a keep-alive connection the server drops meanwhile would reset the next request.
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => queued({ subject: `Message ${i}` })));
    const other = await createApp({ config: server.config, db: server.db, clock: server.clock, logger: silentLogger, outbox: 'manual' });
    try {
      await Promise.all([server.app.outbox.drain(), other.outbox.drain()]);
      expect(smtp.offered).toBe(12);
      expect(smtp.received.map((m) => m.subject).sort()).toEqual(ids.map((_, i) => `Message ${i}`).sort());
      for (const id of ids) expect(await status(id)).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      await other.close();
    }
  });
});

describe.each(EACH_DATABASE)('e-mail as .eml files without SMTP_URL on %s', (_name, database) => {
  let server: TestServer;
  let mailDir: string;

  beforeAll(async () => {
    mailDir = await mkdtemp(join(tmpdir(), 'ig-eml-'));
    server = await startTestServer(database, { outbox: 'manual', env: { MAIL_DIR: mailDir } });
  });
  afterAll(async () => {
    await server?.close();
    await rm(mailDir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file that a mail parser reads back', async () => {
    const backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', newAddress())).token}` };
    expect(server.app.mailDestination).toBe(`.eml files in ${mailDir}`);
    const queued = await call(`${server.url}${MESSAGES}`, { method: 'POST', json: message(), headers: backoffice });
    expect(queued.status).toBe(202);
    await server.app.outbox.drain();
    const files = (await readdir(mailDir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(await readFile(join(mailDir, files[0])));
    expect(mail.subject).toBe('Réinitialisation de votre mot de passe');
    expect(mail.from?.value[0].address).toBe('hello@quarzo-life.com');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('claire.dupont@example.com');
    expect(mail.text).toContain('https://quarzo-life.com/reset?token=abc');
    const shown = await call(`${server.url}${MESSAGES}/${queued.json.id}`, { headers: backoffice });
    expect(shown.json).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('makes the folder again when it was removed after start-up, and the message is sent', async () => {
    const backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', newAddress())).token}` };
    await rm(mailDir, { recursive: true, force: true });
    const queued = await call(`${server.url}${MESSAGES}`, { method: 'POST', json: message({ subject: 'Dossier recréé' }), headers: backoffice });
    expect(queued.status).toBe(202);
    await server.app.outbox.drain();
    const files = (await readdir(mailDir)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect((await simpleParser(await readFile(join(mailDir, files[0])))).subject).toBe('Dossier recréé');
    expect((await call(`${server.url}${MESSAGES}/${queued.json.id}`, { headers: backoffice })).json).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
