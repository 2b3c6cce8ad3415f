import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../store/db';
import { DEMO_PRODUCTS } from '../../domain/demo/demo-data';
import type { SurrenderDeclaration } from '../../domain/surrender/surrender-declaration';
import { CatalogueStore } from '../../store/catalogue-store';
import { DemoPortfolioStore } from '../../store/demo-store';
import { splitStatements } from '../../store/migrate';
import { openPgliteDb } from '../../store/pglite-db';
import { SurrenderStore } from '../../store/surrender-store';
import { testId } from '../support/ids';

const DIR = join(__dirname, '..', '..', 'store', 'migrations');
const MIGRATION = '038-surrender-sale-cancelled.sql';

async function apply(db: Db, files: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const file of files) for (const statement of splitStatements(readFileSync(join(DIR, file), 'utf8'))) await tx.query(statement);
  });
}

/** Declarations rejected before 038 kept a `pending` sale whose orders were cancelled: they say `cancelled` now. */
describe(`${MIGRATION} on existing declarations`, () => {
  let db: Db;
  const at = new Date('2025-01-15T10:00:00Z');
  const declaration = (id: string, status: SurrenderDeclaration['status'], saleStatus: SurrenderDeclaration['saleStatus']): SurrenderDeclaration => ({
    id: testId(id), policyId: testId('pol_anne'), kind: 'total', compartmentId: null, status, amount: 100_000, currency: 'EUR', reason: null, earlyReleaseCase: null,
    payoutIban: 'FR76 **** **** **** **** ***0 189', payoutIbanSource: 'subscription_debit', payoutIbanId: null, requestedAt: at, paymentDueBy: new Date('2025-03-15T10:00:00Z'), declaredBy: 'subscriber',
    declaredById: null, paidAmount: null, paidAt: null, rejectionReason: status === 'rejected' ? 'account closed' : null, updatedAt: at, saleStatus,
  });
  const saleStatusOf = async (id: string) => (await db.query<{ sale_status: string | null }>(`select sale_status from surrender_declarations where id = $1`, [testId(id)]))[0].sale_status;

  beforeAll(async () => {
    db = await openPgliteDb(undefined);
    const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();
    await apply(db, files.filter((f) => f < MIGRATION));
    await db.query(`insert into distributors (id, name, created_at) values ($1, 'M', $2)`, [testId('dst_m'), at]);
    const store = new DemoPortfolioStore();
    await db.transaction(async (tx) => {
      await new CatalogueStore(db).insertProduct(tx, DEMO_PRODUCTS[0].product, DEMO_PRODUCTS[0].funds);
      await tx.query(`insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, 'anne@m.test', 'subscriber', 'x', $2, $3)`, [testId('usr_anne'), testId('dst_m'), at]);
      await store.insertSubscriber(tx, { id: testId('sbr_anne'), userId: testId('usr_anne'), distributorId: testId('dst_m'), firstName: 'Anne', lastName: 'M', birthDate: '1950-01-01', email: 'anne@m.test', phone: '+33600000000', at });
      await store.insertPolicy(tx, { subscriberId: testId('sbr_anne'), subscriptionId: testId('sbs_anne'), policyId: testId('pol_anne'), productId: DEMO_PRODUCTS[0].product.id, signedAt: at, initialPayment: 100_000, compartments: [] }, 'FR7630006000014234567890189', 'Anne M', at);
      const declarations = new SurrenderStore(db);
      await declarations.insert(tx, declaration('srd_rejected_waiting', 'rejected', 'pending'));
      await declarations.insert(tx, declaration('srd_rejected_sold', 'rejected', 'executed'));
      await declarations.insert(tx, declaration('srd_rejected_nothing_to_sell', 'rejected', null));
      await declarations.insert(tx, declaration('srd_open_waiting', 'received', 'pending'));
    });
    await expect(db.query(`update surrender_declarations set sale_status = 'cancelled' where id = $1`, [testId('srd_open_waiting')])).rejects.toThrow(/check constraint/);
    await apply(db, [MIGRATION]);
  });
  afterAll(() => db?.close());

  it('cancels the sale of a declaration rejected while it waited, and leaves every other sale as it was', async () => {
    expect(await saleStatusOf('srd_rejected_waiting')).toBe('cancelled');
    expect(await saleStatusOf('srd_rejected_sold')).toBe('executed');
    expect(await saleStatusOf('srd_rejected_nothing_to_sell')).toBeNull();
    expect(await saleStatusOf('srd_open_waiting')).toBe('pending');
  });

  it('takes cancelled as a sale status from now on, and still nothing else', async () => {
    await db.query(`update surrender_declarations set sale_status = 'cancelled' where id = $1`, [testId('srd_open_waiting')]);
    expect(await saleStatusOf('srd_open_waiting')).toBe('cancelled');
    await expect(db.query(`update surrender_declarations set sale_status = 'sold' where id = $1`, [testId('srd_open_waiting')])).rejects.toThrow(/check constraint/);
  });
});
