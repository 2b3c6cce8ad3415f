import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../store/db';
import { DemoPortfolioStore, type DemoStore } from '../../store/demo-store';
import { PayOutStore } from '../../store/pay-out-store';
import { debitPayoutIban } from '../pay-out/payout-iban';
import { CatalogueStore } from '../../store/catalogue-store';
import type { Fund, Product } from '../subscription/catalogue';
import { hashPassword } from '../auth/passwords';
import { normalizeCertificateSerial } from '../auth/certificate-serial';
import { certificateThumbprint } from '../auth/certificate-thumbprint';
import type { Clock } from '../shared/clock';
import { withdrawalDeadline } from '../subscription/withdrawal-period';
import { premiumMovements, type MoneyMovement } from '../policy/policy-money';

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

/**
 * The demo partner's certificate (serial `DEMO.machineClient.serial`), which it signs requests with
 * (docs/SECURITY.md 27). It and its private key are published in `demo/` on purpose, like the demo
 * passwords; they are registered only where demo data is loaded, never in production.
 */
export function demoPartnerCertificate(): { pem: string; thumbprint: string } {
  // Beside the sources (`domain/demo/` -> `demo/`), or one level further up from the compiled `dist/`.
  const candidates = [join(__dirname, '..', '..', 'demo'), join(__dirname, '..', '..', '..', 'demo')];
  for (const dir of candidates) {
    let pem: string;
    try {
      pem = readFileSync(join(dir, 'partner-certificate.pem'), 'utf8');
    } catch {
      continue;
    }
    return { pem, thumbprint: certificateThumbprint(pem) };
  }
  throw new Error('demo/partner-certificate.pem is missing');
}

const EURO_FUND = { isin: 'FR0000000001', name: 'Fonds Euro Démo', kind: 'euro', riskIndicator: 1 } as const;
const EQUITY_FUND = { isin: 'FR0010315770', name: 'Actions Europe Démo', kind: 'unit_linked', riskIndicator: 5 } as const;
const BOND_FUND = { isin: 'LU0290358497', name: 'Obligations Monde Démo', kind: 'unit_linked', riskIndicator: 2 } as const;
const BALANCED_FUND = { isin: 'FR0011550185', name: 'Patrimoine Équilibré Démo', kind: 'unit_linked', riskIndicator: 3 } as const;

/** The demo catalogue: one assurance-vie and one PER; minimums and fees are product data, not code. */
export const DEMO_PRODUCTS: Array<{ product: Product; funds: Array<Omit<Fund, 'productId'>> }> = [
  {
    product: {
      id: 'prd_av_demo', kind: 'assurance_vie', name: 'Démo Vie', currency: 'EUR',
      minimumInitialPayment: 100_000, minimumScheduledPayment: 5_000, entryFeeBasisPoints: 200, managementFeeBasisPoints: 85,
      minimumInsureeAge: 0, maximumInsureeAge: 85, initialCompartment: 'MAIN',
    },
    funds: [EURO_FUND, EQUITY_FUND, BOND_FUND, BALANCED_FUND],
  },
  {
    product: {
      id: 'prd_per_demo', kind: 'per', name: 'Démo Retraite PER', currency: 'EUR',
      minimumInitialPayment: 50_000, minimumScheduledPayment: 3_000, entryFeeBasisPoints: 100, managementFeeBasisPoints: 70,
      minimumInsureeAge: 18, maximumInsureeAge: 70, initialCompartment: 'C1',
    },
    funds: [EURO_FUND, EQUITY_FUND, BALANCED_FUND],
  },
];

/**
 * Loads the demo data into an empty database; returns false otherwise, changing nothing but the demo
 * partner's certificate registration when an older demo database lacks it.
 */
export async function seedDemoData(db: Db, store: DemoStore, clock: Clock): Promise<boolean> {
  const catalogue = new CatalogueStore(db);
  const certificate = demoPartnerCertificate();
  const serial = normalizeCertificateSerial(DEMO.machineClient.serial)!;
  if (!(await store.isEmpty())) {
    // A demo database from before signed requests: its partner's certificate gains what signing needs.
    await store.completeCertificate(DEMO.machineClient.id, serial, certificate);
    return false;
  }
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
      serial,
      certificate,
      createdAt: now,
    });
    for (const { product, funds } of DEMO_PRODUCTS) await catalogue.insertProduct(tx, product, funds);
  });
  return true;
}

const DEMO_IBAN = 'FR7630006000011234567890189';

/** One premium paid into a demo compartment (the first is the subscription's initial payment). */
interface DemoPremium {
  compartmentId: string;
  amount: number;
  at: Date;
}

/** The ledger of a demo policy: its premiums, each net of the product's entry fee, as at issue. */
function demoLedger(policy: { policyId: string; subscriptionId: string; productId: string }, premiums: DemoPremium[]): MoneyMovement[] {
  const product = DEMO_PRODUCTS.find((p) => p.product.id === policy.productId)!.product;
  return premiums.flatMap(
    (premium, index) =>
      premiumMovements({
        policyId: policy.policyId, compartmentId: premium.compartmentId, amount: premium.amount, entryFeeBasisPoints: product.entryFeeBasisPoints, currency: product.currency, at: premium.at,
        cause: index === 0 ? { type: 'subscription', id: policy.subscriptionId } : { type: 'payment', id: `pay_${policy.policyId.slice(4)}_${index}` },
      }).movements,
  );
}

/**
 * Issued policies for alice and bob (an assurance-vie and a PER with C1, C2, C3 holding money), with
 * consistent ledgers: the initial payment (and, on the PER, the later payments into C2 and C3) net of
 * the product's entry fee is what was invested; the compartments' values add the funds' performance.
 */
export const DEMO_PORTFOLIO = [
  { who: 'alice', userId: 'usr_alice', firstName: 'Alice', lastName: 'Martin', birthDate: '1975-04-12', email: 'alice@demo.test', phone: '+33612345678' },
  { who: 'bob', userId: 'usr_bob', firstName: 'Bob', lastName: 'Durand', birthDate: '1968-09-30', email: 'bob@demo.test', phone: '+33698765432' },
].map((person) => {
  const av = { subscriptionId: `sbs_${person.who}_av`, policyId: `pol_${person.who}_av`, productId: 'prd_av_demo', signedAt: new Date('2025-03-14T10:00:00Z'), initialPayment: 1_250_000 };
  const per = { subscriptionId: `sbs_${person.who}_per`, policyId: `pol_${person.who}_per`, productId: 'prd_per_demo', signedAt: new Date('2024-06-03T09:30:00Z'), initialPayment: 800_000 };
  const cmp = (code: string) => `cmp_${person.who}_${code}`;
  return {
    person: { ...person, subscriberId: `sbr_${person.who}` },
    policies: [
      {
        ...av, subscriberId: `sbr_${person.who}`,
        compartments: [{ id: cmp('av_main'), code: 'MAIN', value: 1_287_450 }],
        movements: demoLedger(av, [{ compartmentId: cmp('av_main'), amount: av.initialPayment, at: av.signedAt }]),
      },
      {
        ...per, subscriberId: `sbr_${person.who}`,
        compartments: [
          { id: cmp('per_c1'), code: 'C1', value: 842_300 },
          { id: cmp('per_c2'), code: 'C2', value: 356_120 },
          { id: cmp('per_c3'), code: 'C3', value: 421_900 },
        ],
        movements: demoLedger(per, [
          { compartmentId: cmp('per_c1'), amount: per.initialPayment, at: per.signedAt },
          { compartmentId: cmp('per_c2'), amount: 340_000, at: new Date('2024-11-04T10:00:00Z') },
          { compartmentId: cmp('per_c3'), amount: 400_000, at: new Date('2025-01-06T10:00:00Z') },
        ]),
      },
    ],
  };
});

/**
 * Gives alice and bob their subscriber profiles and issued policies, once (demo mode). Kept apart from
 * `seedDemoData` so tests of the subscription journey can start from logins without profiles.
 */
export async function seedDemoPortfolio(db: Db, clock: Clock): Promise<boolean> {
  const store = new DemoPortfolioStore();
  const payOut = new PayOutStore(db);
  const [exists] = await db.query<{ n: number }>(`select count(*)::int as n from subscribers where id = 'sbr_alice'`);
  if (Number(exists.n) > 0) return false;
  const now = clock.now();
  await db.transaction(async (tx) => {
    for (const { person, policies } of DEMO_PORTFOLIO) {
      await store.insertSubscriber(tx, { id: person.subscriberId, userId: person.userId, distributorId: DEMO.distributor.id, firstName: person.firstName, lastName: person.lastName, birthDate: person.birthDate, email: person.email, phone: person.phone, at: now });
      for (const policy of policies) await store.insertPolicy(tx, policy, DEMO_IBAN, `${person.firstName} ${person.lastName}`, withdrawalDeadline(policy.signedAt));
      // As at a real issue: the debit IBAN checked at subscription is their confirmed, default pay-out IBAN.
      await payOut.insert(tx, debitPayoutIban({
        id: `pib_${person.who}_debit`, subscriberId: person.subscriberId, iban: DEMO_IBAN, country: 'FR', holderName: `${person.firstName} ${person.lastName}`,
        holderMatches: true, isDefault: true, at: policies[0].signedAt,
      }));
    }
  });
  return true;
}
