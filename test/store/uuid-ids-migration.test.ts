// uuids-codemod: skip (writes the ids a database held before migration 018 on purpose)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../store/db';
import { splitStatements } from '../../store/migrate';
import { openPgliteDb } from '../../store/pglite-db';
import { DEMO_IDS } from '../support/ids';

const DIR = join(__dirname, '..', '..', 'store', 'migrations');
const MIGRATION = '018-uuid-ids.sql';

async function apply(db: Db, files: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const file of files) for (const statement of splitStatements(readFileSync(join(DIR, file), 'utf8'))) await tx.query(statement);
  });
}

/**
 * A database from before UUID ids: the standard clauses get their fixed UUIDs with every reference to
 * them (designation history included, append-only otherwise), and the demo products' surrender terms
 * follow the demo products' new ids.
 */
describe(`${MIGRATION} on existing data`, () => {
  let db: Db;
  const at = new Date('2025-01-15T10:00:00Z');

  beforeAll(async () => {
    db = await openPgliteDb(undefined);
    await apply(db, readdirSync(DIR).filter((f) => f.endsWith('.sql') && f < MIGRATION).sort());
    await db.transaction(async (tx) => {
      await tx.query(`insert into distributors (id, name, created_at) values ('dst_demo', 'D', $1)`, [at]);
      await tx.query(
        `insert into products (id, kind, name, currency, min_initial_payment, min_scheduled_payment, entry_fee_bp, management_fee_bp, min_insuree_age, max_insuree_age, initial_compartment)
         values ('prd_old', 'assurance_vie', 'Old', 'EUR', 100, 100, 0, 0, 0, 85, 'MAIN')`,
      );
      await tx.query(
        `insert into subscribers (id, user_id, distributor_id, civility, first_name, last_name, birth_date, birth_place, nationality, address, email, phone, tax_residence, created_by, created_at)
         values ('sbr_old', null, 'dst_demo', 'MME', 'Ada', 'Old', '1970-01-01', 'Lyon', 'FR', '{}', 'ada@old.test', '+33600000000', 'FR', 'demo', $1)`,
        [at],
      );
      await tx.query(`insert into insurees (id, subscriber_id, same_as_subscriber, civility, first_name, last_name, birth_date, birth_place, created_at) values ('ins_old', 'sbr_old', true, 'MME', 'Ada', 'Old', '1970-01-01', 'Lyon', $1)`, [at]);
      await tx.query(
        `insert into subscriptions (id, subscriber_id, insuree_id, product_id, status, currency, initial_payment, allocation, standard_clause_id, debit_iban, debit_holder, signed_at, created_at, updated_at)
         values ('sbs_old', 'sbr_old', 'ins_old', 'prd_old', 'signed', 'EUR', 1000, '[]', 'clause_children', 'FR7630006000011234567890189', 'Ada Old', $1, $1, $1)`,
        [at],
      );
      await tx.query(`insert into policies (id, subscription_id, subscriber_id, product_id, status, issued_at) values ('pol_old', 'sbs_old', 'sbr_old', 'prd_old', 'active', $1)`, [at]);
      await tx.query(`insert into beneficiary_designations (policy_id, version, kind, standard_clause_id, updated_at) values ('pol_old', 1, 'standard', 'clause_heirs', $1)`, [at]);
      await tx.query(
        `insert into beneficiary_designation_versions (policy_id, version, kind, standard_clause_id, beneficiaries, consents, actor_kind, actor_id, request_id, created_at)
         values ('pol_old', 1, 'standard', 'clause_heirs', '[]', '[]', 'subscriber', 'usr_old', 'req_old', $1)`,
        [at],
      );
    });
    await apply(db, [MIGRATION]);
  });
  afterAll(() => db?.close());

  it('gives the standard clauses their fixed UUIDs, texts unchanged, and moves every reference', async () => {
    const clauses = await db.query<{ id: string; title: string }>('select id, title from standard_clauses order by id');
    expect(clauses).toEqual([
      { id: DEMO_IDS.standardClauses.children, title: 'Enfants, à défaut héritiers' },
      { id: DEMO_IDS.standardClauses.heirs, title: 'Héritiers' },
      { id: DEMO_IDS.standardClauses.spouseChildren, title: 'Conjoint, à défaut enfants, à défaut héritiers' },
    ]);
    expect(await db.query('select standard_clause_id from subscriptions')).toEqual([{ standard_clause_id: DEMO_IDS.standardClauses.children }]);
    expect(await db.query('select standard_clause_id from beneficiary_designations')).toEqual([{ standard_clause_id: DEMO_IDS.standardClauses.heirs }]);
    expect(await db.query('select standard_clause_id from beneficiary_designation_versions')).toEqual([{ standard_clause_id: DEMO_IDS.standardClauses.heirs }]);
  });

  it('keeps the designation history append-only afterwards', async () => {
    await expect(db.query(`update beneficiary_designation_versions set actor_id = 'x'`)).rejects.toThrow(/append-only/);
  });

  it('re-keys the demo products\' surrender terms; rows made before keep their ids', async () => {
    const terms = await db.query<{ product_id: string }>('select product_id from surrender_terms order by product_id');
    expect(terms.map((t) => t.product_id)).toEqual([DEMO_IDS.products.av, DEMO_IDS.products.per]);
    expect(await db.query('select id from policies')).toEqual([{ id: 'pol_old' }]);
  });
});
