import type { Db } from '../../store/db';
import type { DemoStore } from '../../store/demo-store';
import { CatalogueStore, type FundRow, type ProductRow } from '../../store/catalogue-store';
import { hashPassword } from '../auth/passwords';
import { normalizeCertificateSerial } from '../auth/certificate-serial';
import type { Clock } from '../shared/clock';

/** The published demo logins (README): anyone can try the API at once. Never loaded in production. */
export const DEMO = {
  password: 'demo-password-2026',
  distributor: { id: 'dst_demo', name: 'Demo Courtage' },
  users: [
    { id: 'usr_alice', email: 'alice@demo.test', kind: 'subscriber' },
    { id: 'usr_bob', email: 'bob@demo.test', kind: 'subscriber' },
    { id: 'usr_broker', email: 'broker@demo.test', kind: 'broker' },
    { id: 'usr_backoffice', email: 'backoffice@demo.test', kind: 'backoffice' },
  ],
  machineClient: { id: 'demo-partner', secret: 'demo-partner-secret', serial: '01:23:45:67:89:AB:CD:EF' },
} as const;

const EURO_FUND = { isin: 'FR0000000001', name: 'Fonds Euro Démo', kind: 'euro', risk_indicator: 1 } as const;
const EQUITY_FUND = { isin: 'FR0010315770', name: 'Actions Europe Démo', kind: 'unit_linked', risk_indicator: 5 } as const;
const BOND_FUND = { isin: 'LU0290358497', name: 'Obligations Monde Démo', kind: 'unit_linked', risk_indicator: 2 } as const;
const BALANCED_FUND = { isin: 'FR0011550185', name: 'Patrimoine Équilibré Démo', kind: 'unit_linked', risk_indicator: 3 } as const;

/** The demo catalogue: one assurance-vie and one PER; minimums and fees are product data, not code. */
export const DEMO_PRODUCTS: Array<{ product: ProductRow; funds: Array<Omit<FundRow, 'product_id'>> }> = [
  {
    product: {
      id: 'prd_av_demo', kind: 'assurance_vie', name: 'Démo Vie', currency: 'EUR',
      min_initial_payment: 100_000, min_scheduled_payment: 5_000, entry_fee_bp: 200, management_fee_bp: 85,
      min_insuree_age: 0, max_insuree_age: 85, initial_compartment: 'MAIN',
    },
    funds: [EURO_FUND, EQUITY_FUND, BOND_FUND, BALANCED_FUND],
  },
  {
    product: {
      id: 'prd_per_demo', kind: 'per', name: 'Démo Retraite PER', currency: 'EUR',
      min_initial_payment: 50_000, min_scheduled_payment: 3_000, entry_fee_bp: 100, management_fee_bp: 70,
      min_insuree_age: 18, max_insuree_age: 70, initial_compartment: 'C1',
    },
    funds: [EURO_FUND, EQUITY_FUND, BALANCED_FUND],
  },
];

/** Loads the demo data into an empty database; returns false (and changes nothing) otherwise. */
export async function seedDemoData(db: Db, store: DemoStore, clock: Clock): Promise<boolean> {
  const catalogue = new CatalogueStore(db);
  if (!(await store.isEmpty())) return false;
  const now = clock.now();
  const passwordHash = await hashPassword(DEMO.password);
  const secretHash = await hashPassword(DEMO.machineClient.secret);
  await db.transaction(async (tx) => {
    await store.insertDistributor(tx, { ...DEMO.distributor, createdAt: now });
    for (const user of DEMO.users) {
      // Subscribers are distributed by the demo broker's distributor, so the broker and the partner reach them.
      await store.insertUser(tx, { ...user, passwordHash, distributorId: user.kind === 'backoffice' ? null : DEMO.distributor.id, createdAt: now });
    }
    await store.insertMachineClient(tx, {
      id: DEMO.machineClient.id,
      secretHash,
      distributorId: DEMO.distributor.id,
      serial: normalizeCertificateSerial(DEMO.machineClient.serial)!,
      createdAt: now,
    });
    for (const { product, funds } of DEMO_PRODUCTS) await catalogue.insertProduct(tx, product, funds);
  });
  return true;
}
