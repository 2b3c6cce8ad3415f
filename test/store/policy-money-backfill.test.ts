import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoData } from '../../domain/demo/demo-data';
import { ManualClock } from '../../domain/shared/clock';
import type { Db } from '../../store/db';
import { DemoPortfolioStore, DemoStore } from '../../store/demo-store';
import { EACH_DATABASE } from '../support/databases';
import { DEMO_IDS, testId } from '../support/ids';

/**
 * Migration 010 gives policies issued before the ledger their movements. The ledger is append-only, so a
 * wrong backfill could never be corrected: its statements run here against policies written as the code
 * before the ledger wrote them (no movement), then the ledger they produce is checked line by line.
 */
const MIGRATION = readFileSync(join(__dirname, '..', '..', 'store', 'migrations', '011-policy-money.sql'), 'utf8');
const BACKFILL = MIGRATION.slice(MIGRATION.indexOf('-- Policies issued before the ledger'))
  .split('\n')
  .filter((line) => !line.startsWith('--'))
  .join('\n')
  .split(/;\s*\n/)
  .map((statement) => statement.trim())
  .filter(Boolean);

describe.each(EACH_DATABASE)('the policy money backfill on %s', (_name, database) => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = new ManualClock(new Date('2026-01-10T09:00:00Z'));

  beforeAll(async () => {
    ({ db, drop } = await database.open());
    await seedDemoData(db, new DemoStore(db), clock);
    await db.transaction((tx) =>
      new DemoPortfolioStore().insertSubscriber(tx, { id: DEMO_IDS.subscribers.alice, userId: DEMO_IDS.users.alice, distributorId: DEMO_IDS.distributor, firstName: 'Alice', lastName: 'Martin', birthDate: '1975-04-12', email: 'alice@demo.test', phone: '+33612345678', at: clock.now() }),
    );
  });
  afterAll(async () => {
    await drop?.();
  });

  /** A policy of alice's as issued before the ledger: its subscription and compartment, no movement. */
  async function legacyPolicy(id: string, initialPayment: number, value: number): Promise<void> {
    const signedAt = new Date('2025-05-05T10:00:00Z');
    await db.transaction((tx) =>
      new DemoPortfolioStore().insertPolicy(
        tx,
        { subscriberId: DEMO_IDS.subscribers.alice, subscriptionId: testId(`sbs_${id}`), policyId: testId(`pol_${id}`), productId: DEMO_IDS.products.av, signedAt, initialPayment, compartments: [{ id: testId(`cmp_${id}`), code: 'MAIN', value }] },
        'FR7630006000011234567890189',
        'Alice Martin',
        new Date('2025-06-04T22:00:00Z'),
      ),
    );
  }

  const ledger = (policyId: string) => db.query('select kind, amount, compartment_id, cause_type, cause_id from policy_money_movements where policy_id = $1 order by id', [policyId]);

  it('records the initial premium and the fee as issuing took it, paid surrenders, and a withdrawal refund with its fee given back', async () => {
    // Issuing credited floor(100 010 x 9 800 / 10 000) = 98 009: the fee it kept was 20.01 EUR.
    await legacyPolicy('legacy_kept', 100_010, 98_009);
    await legacyPolicy('legacy_surrendered', 300_000, 294_000);
    await legacyPolicy('legacy_withdrawn', 150_000, 147_000);
    await db.query(
      `insert into surrender_declarations (id, policy_id, kind, compartment_id, status, amount, currency, payout_iban_masked, payout_iban_source, requested_at, due_by, declared_by_kind, paid_amount, paid_at, updated_at)
       values ('${testId('sur_legacy')}', '${testId('pol_legacy_surrendered')}', 'partial', '${testId('cmp_legacy_surrendered')}', 'paid', 50000, 'EUR', 'FR76 ****', 'subscription_debit', $1, $1, 'subscriber', 50000, $1, $1),
              ('${testId('sur_legacy_open')}', '${testId('pol_legacy_surrendered')}', 'partial', '${testId('cmp_legacy_surrendered')}', 'received', 60000, 'EUR', 'FR76 ****', 'subscription_debit', $1, $1, 'subscriber', null, null, $1)`,
      [new Date('2025-05-20T10:00:00Z')],
    );
    await db.query(`update policies set status = 'withdrawn' where id = '${testId('pol_legacy_withdrawn')}'`);
    await db.query(`insert into refunds (id, subscription_id, amount, currency, recorded_at, due_by) values ('${testId('rfd_legacy')}', '${testId('sbs_legacy_withdrawn')}', 150000, 'EUR', $1, $1)`, [new Date('2025-05-25T10:00:00Z')]);

    await db.transaction(async (tx) => {
      for (const statement of BACKFILL) await tx.query(statement);
    });

    expect(BACKFILL).toHaveLength(5);
    expect(await ledger(testId('pol_legacy_kept'))).toEqual([
      { kind: 'premium', amount: 100_010, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_kept') },
      { kind: 'entry_fee', amount: -2_001, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_kept') },
    ]);
    expect(await ledger(testId('pol_legacy_surrendered'))).toEqual([
      { kind: 'premium', amount: 300_000, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_surrendered') },
      { kind: 'entry_fee', amount: -6_000, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_surrendered') },
      { kind: 'surrender_payout', amount: -50_000, compartment_id: testId('cmp_legacy_surrendered'), cause_type: 'surrender_declaration', cause_id: testId('sur_legacy') },
    ]);
    expect(await ledger(testId('pol_legacy_withdrawn'))).toEqual([
      { kind: 'premium', amount: 150_000, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_withdrawn') },
      { kind: 'entry_fee', amount: -3_000, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_withdrawn') },
      { kind: 'entry_fee_refund', amount: 3_000, compartment_id: null, cause_type: 'subscription', cause_id: testId('sbs_legacy_withdrawn') },
      { kind: 'refund', amount: -150_000, compartment_id: null, cause_type: 'refund', cause_id: testId('rfd_legacy') },
    ]);
  });
});
