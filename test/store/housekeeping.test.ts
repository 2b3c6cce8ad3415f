import type { Db } from '../../store/db';
import { HousekeepingStore } from '../../store/housekeeping-store';
import { IdempotencyStore } from '../../store/idempotency-store';
import { RateLimitStore } from '../../store/rate-limit-store';
import { SignedRequestStore } from '../../store/signed-request-store';
import { DemoStore } from '../../store/demo-store';
import { seedDemoData } from '../../domain/demo/demo-data';
import { ManualClock } from '../../domain/shared/clock';
import { EACH_DATABASE } from '../support/databases';

describe.each(EACH_DATABASE)('housekeeping on %s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await database.open());
  });
  afterAll(() => drop());

  it('deletes expired idempotency records and rate-limit windows, and keeps live ones', async () => {
    const t0 = new Date('2026-05-01T10:00:00Z');
    const idempotency = new IdempotencyStore(db);
    await idempotency.claim('user:a', 'old', 'f', t0, new Date(t0.getTime() + 1000));
    await idempotency.claim('user:a', 'live', 'f', t0, new Date(t0.getTime() + 86_400_000));
    const limits = new RateLimitStore(db);
    await limits.hit('old-bucket', t0, 60);
    await limits.hit('live-bucket', new Date(t0.getTime() + 3_600_000), 900);

    await new HousekeepingStore(db).purge(new Date(t0.getTime() + 3_600_000), t0);

    expect((await db.query<{ key: string }>('select key from idempotency_keys order by key')).map((r) => r.key)).toEqual(['live']);
    expect(await db.query('select 1 from rate_limits')).toHaveLength(1);
  });

  it('forgets signed requests\' ids once they expire (docs/SECURITY.md 27)', async () => {
    const t0 = new Date('2026-05-01T10:00:00Z');
    await seedDemoData(db, new DemoStore(db), new ManualClock(t0));
    const store = new SignedRequestStore(db);
    expect(await store.recordRequestId('demo-partner', 'old', new Date(t0.getTime() + 1000))).toBe(true);
    expect(await store.recordRequestId('demo-partner', 'live', new Date(t0.getTime() + 7_200_000))).toBe(true);
    expect(await store.recordRequestId('demo-partner', 'live', new Date(t0.getTime() + 7_200_000))).toBe(false);

    await new HousekeepingStore(db).purge(new Date(t0.getTime() + 3_600_000), t0);

    expect((await db.query<{ jti: string }>('select jti from signed_request_ids')).map((r) => r.jti)).toEqual(['live']);
  });
});
