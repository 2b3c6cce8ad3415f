import { KeyRing } from '../../domain/auth/key-ring';
import { ManualClock } from '../../domain/shared/clock';
import type { Db } from '../../store/db';
import { HousekeepingStore } from '../../store/housekeeping-store';
import { SigningKeyStore } from '../../store/signing-key-store';
import { EACH_DATABASE } from '../support/databases';
import { testId } from '../support/ids';

const TTL = 900;

describe.each(EACH_DATABASE)('retired signing keys on %s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await database.open());
  });
  afterAll(() => drop());

  const rows = () => db.query<{ kid: string; has_private: boolean; retired: boolean }>('select kid, private_jwk is not null as has_private, retired_at is not null as retired from signing_keys order by created_at');

  it('wipes the private part at retirement, verifies old tokens until they expire, then deletes the key', async () => {
    const clock = new ManualClock(new Date('2026-06-01T08:00:00Z'));
    const ring = new KeyRing(new SigningKeyStore(db), clock, { issuer: 'iss', audience: 'aud', maxTokenSeconds: TTL });
    await ring.init();
    const [first] = await rows();
    const token = await ring.sign({ sub: testId('usr_a'), sid: 'ses_a', jti: 'jti_a' }, new Date(clock.now().getTime() + TTL * 1000));
    clock.advance(60_000);
    const second = await ring.rotate();

    expect(await rows()).toEqual([
      { kid: first.kid, has_private: false, retired: true },
      { kid: second, has_private: true, retired: false },
    ]);
    // The public part still verifies the live token, and JWKS publishes it.
    expect((await ring.verify(token)).ok).toBe(true);
    expect(ring.jwks().keys.map((k) => k.kid).sort()).toEqual([first.kid, second].sort());

    const housekeeping = new HousekeepingStore(db);
    await housekeeping.purge(clock.now(), ring.verifyingSince());
    expect((await rows()).map((r) => r.kid)).toEqual([first.kid, second]);

    // Past every token's life (lifetime plus skew after retirement): gone, the active key stays.
    clock.advance((TTL + 61) * 1000);
    await housekeeping.purge(clock.now(), ring.verifyingSince());
    expect(await rows()).toEqual([{ kid: second, has_private: true, retired: false }]);
  });
});
