import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../store/db';
import { DEMO_PRODUCTS } from '../../domain/demo/demo-data';
import { CatalogueStore } from '../../store/catalogue-store';
import { DemoPortfolioStore } from '../../store/demo-store';
import { splitStatements } from '../../store/migrate';
import { openPgliteDb } from '../../store/pglite-db';
import { testId } from '../support/ids';

const DIR = join(__dirname, '..', '..', 'store', 'migrations');
const MIGRATION = '031-death-claim-beneficiaries.sql';

async function apply(db: Db, files: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const file of files) for (const statement of splitStatements(readFileSync(join(DIR, file), 'utf8'))) await tx.query(statement);
  });
}

/** Claims recorded before 031 held their beneficiaries as jsonb lines: each becomes a row with a UUIDv7 id, in order. */
describe(`${MIGRATION} on existing claims`, () => {
  let db: Db;
  const notifiedAt = new Date('2026-12-02T10:00:00.123Z');
  const lines = [
    { rank: 1, kind: 'named', beneficiaryId: 'b-1', firstName: 'Hugo', lastName: 'Durand', birthDate: '1990-05-01', shareBasisPoints: 6000, clause: null, status: 'found', acceptedAt: '2026-01-10' },
    { rank: 1, kind: 'named', beneficiaryId: 'b-2', firstName: 'Inès', lastName: 'Durand', birthDate: '1992-07-01', shareBasisPoints: 4000, clause: null, status: 'found', acceptedAt: null },
    { rank: 2, kind: 'class_clause', beneficiaryId: null, firstName: null, lastName: null, birthDate: null, shareBasisPoints: null, clause: 'Mes enfants', status: 'to_identify', acceptedAt: null },
  ];

  beforeAll(async () => {
    db = await openPgliteDb(undefined);
    const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();
    await apply(db, files.filter((f) => f < MIGRATION));
    const at = new Date('2025-01-15T10:00:00Z');
    await db.query(`insert into distributors (id, name, created_at) values ($1, 'M', $2)`, [testId('dst_m'), at]);
    const store = new DemoPortfolioStore();
    await db.transaction(async (tx) => {
      await new CatalogueStore(db).insertProduct(tx, DEMO_PRODUCTS[0].product, DEMO_PRODUCTS[0].funds);
      await tx.query(`insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, 'anne@m.test', 'subscriber', 'x', $2, $3)`, [testId('usr_anne'), testId('dst_m'), at]);
      await store.insertSubscriber(tx, { id: testId('sbr_anne'), userId: testId('usr_anne'), distributorId: testId('dst_m'), firstName: 'Anne', lastName: 'M', birthDate: '1950-01-01', email: 'anne@m.test', phone: '+33600000000', at });
      await store.insertPolicy(tx, { subscriberId: testId('sbr_anne'), subscriptionId: testId('sbs_anne'), policyId: testId('pol_anne'), productId: DEMO_PRODUCTS[0].product.id, signedAt: at, initialPayment: 100_000, compartments: [] }, 'FR7630006000014234567890189', 'Anne M', at);
      await tx.query(
        `insert into death_claims (id, policy_id, subscriber_id, notice_id, status, date_of_death, source, certificate_reference, value_amount, value_currency, value_basis,
           designation_version, beneficiaries, notified_by_kind, notified_at)
         values ($1, $2, $3, $4, 'notified', '2026-12-01', 'backoffice', 'ACTE', 100000, 'EUR', 'recorded_value_at_notice', 1, $5, 'backoffice', $6)`,
        [testId('clm_anne'), testId('pol_anne'), testId('sbr_anne'), testId('ntc_anne'), JSON.stringify(lines), notifiedAt]);
    });
    await apply(db, [MIGRATION]);
  });
  afterAll(() => db?.close());

  it('moves each jsonb line to a row of its own, in order, with a UUIDv7 id dated at the notice', async () => {
    const rows = await db.query<Record<string, unknown>>(
      `select id, position, rank, kind, designation_beneficiary_id, first_name, share_basis_points, clause, status, to_char(accepted_at, 'YYYY-MM-DD') as accepted_at, file_completed_at
         from death_claim_beneficiaries where claim_id = $1 order by position`, [testId('clm_anne')]);
    expect(rows.map(({ id: _id, ...r }) => r)).toEqual([
      { position: 1, rank: 1, kind: 'named', designation_beneficiary_id: 'b-1', first_name: 'Hugo', share_basis_points: 6000, clause: null, status: 'found', accepted_at: '2026-01-10', file_completed_at: null },
      { position: 2, rank: 1, kind: 'named', designation_beneficiary_id: 'b-2', first_name: 'Inès', share_basis_points: 4000, clause: null, status: 'found', accepted_at: null, file_completed_at: null },
      { position: 3, rank: 2, kind: 'class_clause', designation_beneficiary_id: null, first_name: null, share_basis_points: null, clause: 'Mes enfants', status: 'to_identify', accepted_at: null, file_completed_at: null },
    ]);
    for (const { id } of rows) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(String(id).replace(/-/g, '').slice(0, 12), 16)).toBe(notifiedAt.getTime());
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    const columns = await db.query(`select 1 from information_schema.columns where table_name = 'death_claims' and column_name = 'beneficiaries'`);
    expect(columns).toEqual([]);
  });
});
