import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../store/db';
import { DEMO_PRODUCTS } from '../../domain/demo/demo-data';
import { CatalogueStore } from '../../store/catalogue-store';
import { DemoPortfolioStore } from '../../store/demo-store';
import { splitStatements } from '../../store/migrate';
import { openPgliteDb } from '../../store/pglite-db';
import { DEMO_IDS, testId } from '../support/ids';

const DIR = join(__dirname, '..', '..', 'store', 'migrations');
const MIGRATION = '014-payout-confirmation.sql';
const DEBIT = 'FR7630006000014234567890189';
const OTHER = 'DE89370400440532013000';

async function apply(db: Db, files: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const file of files) for (const statement of splitStatements(readFileSync(join(DIR, file), 'utf8'))) await tx.query(statement);
  });
}

/**
 * Pay-out IBANs stored before the confirmation rules: the migration confirms what was checked at
 * subscription and makes everything else wait, so no IBAN nobody confirmed stays payable.
 */
describe(`${MIGRATION} on existing data`, () => {
  let db: Db;
  const rows = () => db.query<{ subscriber_id: string; iban: string; status: string; origin: string; is_default: boolean }>('select subscriber_id, iban, status, origin, is_default from payout_ibans order by subscriber_id, seq');

  beforeAll(async () => {
    db = await openPgliteDb(undefined);
    const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();
    await apply(db, files.filter((f) => f < MIGRATION));
    // The demo store names the default clause by the UUID migration 018 gives it; this database stops before 018.
    await db.query(`insert into standard_clauses (id, title, text) values ($1, 'Default', 'Default')`, [DEMO_IDS.standardClauses.spouseChildren]);
    const at = new Date('2025-01-15T10:00:00Z');
    await db.query(`insert into distributors (id, name, created_at) values ('${testId('dst_m')}', 'M', $1)`, [at]);
    const store = new DemoPortfolioStore();
    await db.transaction(async (tx) => {
      await new CatalogueStore(db).insertProduct(tx, DEMO_PRODUCTS[0].product, DEMO_PRODUCTS[0].funds);
      for (const who of ['anne', 'ben', 'carl']) {
        await tx.query(`insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, 'subscriber', 'x', '${testId('dst_m')}', $3)`, [testId(`usr_${who}`), `${who}@m.test`, at]);
        await store.insertSubscriber(tx, { id: testId(`sbr_${who}`), userId: testId(`usr_${who}`), distributorId: testId('dst_m'), firstName: who, lastName: 'M', birthDate: '1970-01-01', email: `${who}@m.test`, phone: '+33600000000', at });
        await store.insertPolicy(tx, { subscriberId: testId(`sbr_${who}`), subscriptionId: testId(`sbs_${who}`), policyId: testId(`pol_${who}`), productId: DEMO_PRODUCTS[0].product.id, signedAt: at, initialPayment: 100_000, compartments: [] }, DEBIT, `${who} M`, at);
      }
      const legacy = (id: string, subscriber: string, iban: string, isDefault: boolean) =>
        tx.query("insert into payout_ibans (id, subscriber_id, iban, holder_name, country, is_default, created_at) values ($1, $2, $3, 'x', substr($3, 1, 2), $4, $5)", [id, subscriber, iban, isDefault, at]);
      // anne: a foreign IBAN was her default (registered by anyone), her debit IBAN registered too.
      await legacy(testId('pib_a1'), testId('sbr_anne'), OTHER, true);
      await legacy(testId('pib_a2'), testId('sbr_anne'), DEBIT, false);
      // ben: only a foreign IBAN, the default. carl: none.
      await legacy(testId('pib_b1'), testId('sbr_ben'), OTHER, true);
    });
    await apply(db, [MIGRATION]);
  });
  afterAll(() => db?.close());

  it('confirms the debit IBAN of issued policies, makes every other IBAN wait, and moves the default to a confirmed one', async () => {
    expect(await rows()).toEqual([
      { subscriber_id: testId('sbr_anne'), iban: OTHER, status: 'pending_confirmation', origin: 'registration', is_default: false },
      { subscriber_id: testId('sbr_anne'), iban: DEBIT, status: 'confirmed', origin: 'subscription_debit', is_default: true },
      { subscriber_id: testId('sbr_ben'), iban: OTHER, status: 'pending_confirmation', origin: 'registration', is_default: false },
      { subscriber_id: testId('sbr_ben'), iban: DEBIT, status: 'confirmed', origin: 'subscription_debit', is_default: true },
      { subscriber_id: testId('sbr_carl'), iban: DEBIT, status: 'confirmed', origin: 'subscription_debit', is_default: true },
    ]);
  });

  it('refuses an unconfirmed default from then on', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`update payout_ibans set is_default = false where subscriber_id = '${testId('sbr_ben')}'`);
        await tx.query(`update payout_ibans set is_default = true where id = '${testId('pib_b1')}'`);
      }),
    ).rejects.toThrow(/payout_ibans_default_confirmed/);
  });
});
