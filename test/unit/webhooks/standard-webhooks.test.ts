import { randomBytes } from 'node:crypto';
import { WebhookRegistry, type WebhookHandler } from '../../../domain/webhooks/registry';
import { signStandardWebhook, verifyStandardWebhook, type WebhookVerification } from '../../../domain/webhooks/standard-webhooks';
import type { Queryable } from '../../../store/db';

// The vector published with the Standard Webhooks reference libraries.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const TS = 1_700_000_000;
const ID = 'msg_2Lh0n4rWv7Y1x9bQ';
const BODY = Buffer.from('{"event":"contract.signed","data":{"contractId":"c_1","amount":"1200.50"}}');

function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

const SECRET = newSecret();

function at(seconds: number): Date {
  return new Date(seconds * 1000);
}

function verify(overrides: Partial<Parameters<typeof verifyStandardWebhook>[0]> & { secret?: string } = {}): WebhookVerification {
  const secret = overrides.secret ?? SECRET;
  return verifyStandardWebhook({
    headers: overrides.headers ?? { id: ID, timestamp: String(TS), signature: signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret }) },
    rawBody: overrides.rawBody ?? BODY,
    secrets: overrides.secrets ?? [secret],
    now: overrides.now ?? at(TS),
    ...(overrides.toleranceSeconds === undefined ? {} : { toleranceSeconds: overrides.toleranceSeconds }),
  });
}

describe('signStandardWebhook', () => {
  it('reproduces the Standard Webhooks reference vector', () => {
    expect(signStandardWebhook({ id: SPEC.id, timestamp: SPEC.timestamp, rawBody: SPEC.body, secret: SPEC.secret })).toBe(SPEC.signature);
  });

  it('treats a secret without the whsec_ prefix as the same base64 key', () => {
    const bare = SPEC.secret.slice('whsec_'.length);
    expect(signStandardWebhook({ id: SPEC.id, timestamp: SPEC.timestamp, rawBody: Buffer.from(SPEC.body), secret: bare })).toBe(SPEC.signature);
  });

  it('refuses secrets that are not base64 and timestamps that are not integer seconds', () => {
    expect(() => signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: 'whsec_not base64!' })).toThrow();
    expect(() => signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: 'whsec_' })).toThrow();
    expect(() => signStandardWebhook({ id: ID, timestamp: TS + 0.5, rawBody: BODY, secret: SECRET })).toThrow();
    expect(() => signStandardWebhook({ id: ID, timestamp: TS * 1000 * 1000 * 1000, rawBody: BODY, secret: SECRET })).toThrow();
  });
});

describe('verifyStandardWebhook', () => {
  it('accepts a valid signature and returns the id and timestamp', () => {
    expect(verify()).toEqual({ ok: true, id: ID, timestamp: TS });
  });

  it('accepts the Standard Webhooks reference vector', () => {
    const result = verifyStandardWebhook({
      headers: { id: SPEC.id, timestamp: String(SPEC.timestamp), signature: SPEC.signature },
      rawBody: Buffer.from(SPEC.body),
      secrets: [SPEC.secret],
      now: at(SPEC.timestamp + 10),
    });
    expect(result).toEqual({ ok: true, id: SPEC.id, timestamp: SPEC.timestamp });
  });

  it('rejects a tampered body, even one that is the same JSON re-serialised', () => {
    expect(verify({ rawBody: Buffer.from(BODY.toString().replace('1200.50', '9200.50')) })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2));
    expect(verify({ rawBody: reserialised })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  });

  it('rejects a signature whose id or timestamp was swapped', () => {
    const signature = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: SECRET });
    expect(verify({ headers: { id: 'msg_other', timestamp: String(TS), signature } })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    expect(verify({ headers: { id: ID, timestamp: String(TS + 1), signature } })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  });

  it('rejects a signature made with another secret', () => {
    const signature = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: newSecret() });
    expect(verify({ headers: { id: ID, timestamp: String(TS), signature } })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  });

  it('rejects when no secrets are configured', () => {
    expect(verify({ secrets: [] })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  });

  describe('secret rotation', () => {
    const oldSecret = newSecret();
    const newer = newSecret();

    it.each([
      ['old', oldSecret],
      ['new', newer],
    ])('accepts a delivery signed with the %s secret while both are configured', (_label, signer) => {
      const signature = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: signer });
      const result = verify({ headers: { id: ID, timestamp: String(TS), signature }, secrets: [oldSecret, newer] });
      expect(result.ok).toBe(true);
    });

    it('accepts a header carrying several signatures when one of them matches', () => {
      const stale = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: newSecret() });
      const good = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: newer });
      const headers = { id: ID, timestamp: String(TS), signature: `${stale} ${good}` };
      expect(verify({ headers, secrets: [newer] }).ok).toBe(true);
      expect(verify({ headers: { ...headers, signature: `${good} ${stale}` }, secrets: [newer] }).ok).toBe(true);
    });

    it('rejects a header of several signatures when none matches', () => {
      const a = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: newSecret() });
      const b = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: newSecret() });
      expect(verify({ headers: { id: ID, timestamp: String(TS), signature: `${a} ${b}` }, secrets: [oldSecret, newer] })).toEqual({
        ok: false,
        reason: 'NO_MATCHING_SIGNATURE',
      });
    });
  });

  describe('timestamp tolerance', () => {
    it.each([
      ['299 s in the past', TS + 299],
      ['299 s in the future', TS - 299],
      ['exactly 300 s away', TS + 300],
    ])('accepts a timestamp %s', (_label, nowSeconds) => {
      expect(verify({ now: at(nowSeconds) }).ok).toBe(true);
    });

    it.each([
      ['301 s in the past', TS + 301],
      ['301 s in the future', TS - 301],
    ])('rejects a timestamp %s, even with a valid signature', (_label, nowSeconds) => {
      expect(verify({ now: at(nowSeconds) })).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
    });

    it('honours a custom tolerance', () => {
      expect(verify({ now: at(TS + 61), toleranceSeconds: 60 })).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
      expect(verify({ now: at(TS + 59), toleranceSeconds: 60 }).ok).toBe(true);
    });

    it('rejects rather than passes when the clock or tolerance is not a number', () => {
      expect(verify({ now: new Date('not a date') })).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
      expect(verify({ toleranceSeconds: Number.NaN })).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
    });
  });

  describe('missing headers', () => {
    const signature = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: SECRET });
    it.each([
      ['id', { timestamp: String(TS), signature }],
      ['timestamp', { id: ID, signature }],
      ['signature', { id: ID, timestamp: String(TS) }],
      ['id (empty)', { id: '', timestamp: String(TS), signature }],
      ['all', {}],
    ])('rejects a delivery without %s', (_label, headers) => {
      expect(verify({ headers })).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    });
  });

  describe('hostile input', () => {
    const signature = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: SECRET });

    it.each(['abc', '1.7e9', '-1700000000', ' 1700000000', '1700000000.5', '0x6553f100', '9'.repeat(16)])(
      'rejects the non-integer timestamp %j as malformed',
      (timestamp) => {
        expect(verify({ headers: { id: ID, timestamp, signature } })).toEqual({ ok: false, reason: 'MALFORMED_HEADERS' });
      },
    );

    it.each(['garbage', 'v1', 'v1,', ',abc', '   '])('rejects the signature header %j as malformed', (header) => {
      expect(verify({ headers: { id: ID, timestamp: String(TS), signature: header } })).toEqual({ ok: false, reason: 'MALFORMED_HEADERS' });
    });

    it('does not throw on garbage base64, odd lengths, or huge headers', () => {
      const cases: Parameters<typeof verifyStandardWebhook>[0]['headers'][] = [
        { id: ID, timestamp: String(TS), signature: 'v1,!!!not-base64!!!' },
        { id: ID, timestamp: String(TS), signature: 'v1,' + 'A'.repeat(43) },
        { id: ID, timestamp: String(TS), signature: 'v1,' + '\u0000'.repeat(44) },
        { id: ID, timestamp: String(TS), signature: 'v1,' + 'é'.repeat(44) },
        { id: ID, timestamp: String(TS), signature: `${signature} `.repeat(100_000) },
        { id: 'x'.repeat(1_000_000), timestamp: String(TS), signature },
      ];
      for (const headers of cases) {
        let result: WebhookVerification | undefined;
        expect(() => {
          result = verify({ headers });
        }).not.toThrow();
        expect(result?.ok).toBe(false);
      }
    });

    it('does not throw on header values that are not strings at runtime (e.g. a repeated header)', () => {
      const headers = { id: [ID, ID], timestamp: String(TS), signature } as unknown as { id: string; timestamp: string; signature: string };
      expect(verify({ headers })).toEqual({ ok: false, reason: 'MALFORMED_HEADERS' });
    });

    it('skips unusable configured secrets instead of throwing, and still tries the others', () => {
      expect(verify({ secrets: ['whsec_%%%', '', 'whsec_', SECRET] }).ok).toBe(true);
      expect(verify({ secrets: ['whsec_%%%'] })).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    });

    it('does not accept the signature re-encoded without padding or in base64url', () => {
      const value = signature.slice('v1,'.length);
      const variants = [value.replace(/=+$/, ''), value.replace(/\+/g, '-').replace(/\//g, '_')].filter((v) => v !== value);
      for (const variant of variants) {
        expect(verify({ headers: { id: ID, timestamp: String(TS), signature: `v1,${variant}` } }).ok).toBe(false);
      }
    });
  });

  describe('signature versions', () => {
    const signature = signStandardWebhook({ id: ID, timestamp: TS, rawBody: BODY, secret: SECRET });
    const value = signature.slice('v1,'.length);

    it('ignores a correct HMAC labelled with another version', () => {
      const result = verify({ headers: { id: ID, timestamp: String(TS), signature: `v2,${value} v1a,${value}` } });
      expect(result).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    });

    it('still finds the v1 entry among entries of other versions', () => {
      const result = verify({ headers: { id: ID, timestamp: String(TS), signature: `v1a,c29tZXRoaW5n ${signature} v2,${value}` } });
      expect(result.ok).toBe(true);
    });
  });
});

describe('WebhookRegistry', () => {
  const tx: Queryable = { query: () => Promise.resolve([]) };
  const noop: WebhookHandler = () => Promise.resolve();

  it('returns the handler registered for a (source, type) pair and undefined otherwise', async () => {
    const registry = new WebhookRegistry();
    const seen: string[] = [];
    registry.register('payments', 'payment.succeeded', (event) => {
      seen.push(event.id);
      return Promise.resolve();
    });

    const handler = registry.handlerFor('payments', 'payment.succeeded');
    expect(handler).toBeDefined();
    await handler?.({ source: 'payments', id: 'evt_1', type: 'payment.succeeded', timestamp: new Date(0), data: {} }, tx);
    expect(seen).toEqual(['evt_1']);

    expect(registry.handlerFor('payments', 'payment.failed')).toBeUndefined();
    expect(registry.handlerFor('kyc', 'payment.succeeded')).toBeUndefined();
  });

  it('keeps the same event type of different sources apart', () => {
    const registry = new WebhookRegistry();
    const fromPayments: WebhookHandler = () => Promise.resolve();
    const fromKyc: WebhookHandler = () => Promise.resolve();
    registry.register('payments', 'status.changed', fromPayments);
    registry.register('kyc', 'status.changed', fromKyc);
    expect(registry.handlerFor('payments', 'status.changed')).toBe(fromPayments);
    expect(registry.handlerFor('kyc', 'status.changed')).toBe(fromKyc);
  });

  it('does not confuse pairs whose joined text would be equal', () => {
    const registry = new WebhookRegistry();
    registry.register('a:b', 'c', noop);
    expect(() => registry.register('a', 'b:c', noop)).not.toThrow();
    expect(registry.handlerFor('a', 'b:c')).toBe(noop);
  });

  it('throws when the same (source, type) is registered twice', () => {
    const registry = new WebhookRegistry();
    registry.register('payments', 'payment.succeeded', noop);
    expect(() => registry.register('payments', 'payment.succeeded', () => Promise.resolve())).toThrow(/already registered/);
    expect(registry.handlerFor('payments', 'payment.succeeded')).toBe(noop);
  });

  it('lists every source with a handler, once each, sorted', () => {
    const registry = new WebhookRegistry();
    expect(registry.sources()).toEqual([]);
    registry.register('payments', 'payment.succeeded', noop);
    registry.register('kyc', 'check.completed', noop);
    registry.register('payments', 'payment.failed', noop);
    expect(registry.sources()).toEqual(['kyc', 'payments']);
  });

  it('refuses empty source or event type names', () => {
    const registry = new WebhookRegistry();
    expect(() => registry.register('', 'x', noop)).toThrow();
    expect(() => registry.register('x', '', noop)).toThrow();
  });
});
