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
import { DEMO_IDS } from './demo-ids';
import { DEMO_FUNDS, seedDemoFunds, seedDemoPositions, seedDemoValuations } from './demo-investments';

/** The published demo logins (README): anyone can try the API at once. Never loaded in production. */
export const DEMO = {
  password: 'demo-password-2026',
  distributor: { id: DEMO_IDS.distributor, name: 'Demo Courtage' },
  users: [
    { id: DEMO_IDS.users.alice, email: 'alice@demo.test', kind: 'subscriber' },
    { id: DEMO_IDS.users.bob, email: 'bob@demo.test', kind: 'subscriber' },
    { id: DEMO_IDS.users.broker, email: 'broker@demo.test', kind: 'broker' },
    { id: DEMO_IDS.users.backoffice, email: 'backoffice@demo.test', kind: 'backoffice' },
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

const { euro: EURO_FUND, europeEquity: EQUITY_FUND, worldBonds: BOND_FUND, balanced: BALANCED_FUND } = DEMO_FUNDS;

/** The demo catalogue: one assurance-vie and one PER; minimums and fees are product data, not code. */
export const DEMO_PRODUCTS: Array<{ product: Product; funds: Array<Omit<Fund, 'productId'>> }> = [
  {
    product: {
      id: DEMO_IDS.products.av, kind: 'assurance_vie', name: 'Démo Vie', currency: 'EUR',
      minimumInitialPayment: 100_000, minimumScheduledPayment: 5_000, entryFeeBasisPoints: 200, managementFeeBasisPoints: 85,
      minimumInsureeAge: 0, maximumInsureeAge: 85, initialCompartment: 'MAIN',
    },
    funds: [EURO_FUND, EQUITY_FUND, BOND_FUND, BALANCED_FUND],
  },
  {
    product: {
      id: DEMO_IDS.products.per, kind: 'per', name: 'Démo Retraite PER', currency: 'EUR',
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
    // The catalogue's funds first, with their currency and asset class; then the products that offer them, and a year of their prices.
    await seedDemoFunds(tx);
    for (const { product, funds } of DEMO_PRODUCTS) await catalogue.insertProduct(tx, product, funds);
    await seedDemoValuations(tx, now);
  });
  return true;
}

const DEMO_IBAN = 'FR7630006000011234567890189';

/** One premium paid into a demo compartment (the first is the subscription's initial payment, the others name their payment). */
interface DemoPremium {
  compartmentId: string;
  paymentId?: string;
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
        cause: index === 0 ? { type: 'subscription', id: policy.subscriptionId } : { type: 'payment', id: premium.paymentId! },
      }).movements,
  );
}

/**
 * Issued policies for alice and bob (an assurance-vie and a PER with C1, C2, C3 holding money), with
 * consistent ledgers: the initial payment (and, on the PER, the later payments into C2 and C3) net of
 * the product's entry fee is what was invested; the compartments' values add the funds' performance.
 */
export const DEMO_PORTFOLIO = [
  { who: 'alice', userId: DEMO_IDS.users.alice, firstName: 'Alice', lastName: 'Martin', birthDate: '1975-04-12', email: 'alice@demo.test', phone: '+33612345678' },
  { who: 'bob', userId: DEMO_IDS.users.bob, firstName: 'Bob', lastName: 'Durand', birthDate: '1968-09-30', email: 'bob@demo.test', phone: '+33698765432' },
].map((person) => {
  const who = person.who as 'alice' | 'bob';
  const ids = {
    subscriberId: DEMO_IDS.subscribers[who],
    insureeId: DEMO_IDS.insurees[who],
    payoutIbanId: DEMO_IDS.payoutIbans[`${who}Debit`],
  };
  const av = { subscriptionId: DEMO_IDS.subscriptions[`${who}Av`], policyId: DEMO_IDS.policies[`${who}Av`], productId: DEMO_IDS.products.av, signedAt: new Date('2025-03-14T10:00:00Z'), initialPayment: 1_250_000 };
  const per = { subscriptionId: DEMO_IDS.subscriptions[`${who}Per`], policyId: DEMO_IDS.policies[`${who}Per`], productId: DEMO_IDS.products.per, signedAt: new Date('2024-06-03T09:30:00Z'), initialPayment: 800_000 };
  const cmp = DEMO_IDS.compartments;
  return {
    person: { ...person, ...ids },
    policies: [
      {
        ...av, subscriberId: ids.subscriberId,
        compartments: [{ id: cmp[`${who}AvMain`], code: 'MAIN', value: 1_287_450 }],
        movements: demoLedger(av, [{ compartmentId: cmp[`${who}AvMain`], amount: av.initialPayment, at: av.signedAt }]),
      },
      {
        ...per, subscriberId: ids.subscriberId,
        compartments: [
          { id: cmp[`${who}PerC1`], code: 'C1', value: 842_300 },
          { id: cmp[`${who}PerC2`], code: 'C2', value: 356_120 },
          { id: cmp[`${who}PerC3`], code: 'C3', value: 421_900 },
        ],
        movements: demoLedger(per, [
          { compartmentId: cmp[`${who}PerC1`], amount: per.initialPayment, at: per.signedAt },
          { compartmentId: cmp[`${who}PerC2`], paymentId: DEMO_IDS.payments[`${who}PerC2`], amount: 340_000, at: new Date('2024-11-04T10:00:00Z') },
          { compartmentId: cmp[`${who}PerC3`], paymentId: DEMO_IDS.payments[`${who}PerC3`], amount: 400_000, at: new Date('2025-01-06T10:00:00Z') },
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
  // Once, and only over the demo logins of seedDemoData: a database seeded before ids were UUIDs
  // (docs/DOMAIN.md, "Ids") has other ids for them and is left alone rather than half-seeded.
  const [state] = await db.query<{ seeded: number; logins: number }>(
    'select (select count(*)::int from subscribers where id = $1) as seeded, (select count(*)::int from users where id = $2) as logins',
    [DEMO_IDS.subscribers.alice, DEMO_IDS.users.alice],
  );
  if (Number(state.seeded) > 0 || Number(state.logins) === 0) return false;
  const now = clock.now();
  await db.transaction(async (tx) => {
    for (const { person, policies } of DEMO_PORTFOLIO) {
      await store.insertSubscriber(tx, { id: person.subscriberId, insureeId: person.insureeId, userId: person.userId, distributorId: DEMO.distributor.id, firstName: person.firstName, lastName: person.lastName, birthDate: person.birthDate, email: person.email, phone: person.phone, at: now });
      for (const policy of policies) await store.insertPolicy(tx, policy, DEMO_IBAN, `${person.firstName} ${person.lastName}`, withdrawalDeadline(policy.signedAt));
      // As at a real issue: the debit IBAN checked at subscription is their confirmed, default pay-out IBAN.
      await payOut.insert(tx, debitPayoutIban({
        id: person.payoutIbanId, subscriberId: person.subscriberId, iban: DEMO_IBAN, country: 'FR', holderName: `${person.firstName} ${person.lastName}`,
        holderMatches: true, isDefault: true, at: policies[0].signedAt,
      }));
    }
    // Their assurance-vie compartments are self-invested in funds valued by the demo's year of prices.
    await seedDemoPositions(tx, now);
  });
  return true;
}

/**
 * Whether this database was seeded before resource ids were UUIDs: alice's login exists under another
 * id. Its data stays as it is (clients cannot name its old ids); main() says to recreate it.
 */
export async function demoDataPredatesUuids(db: Db): Promise<boolean> {
  const alice = DEMO.users.find((u) => u.email === 'alice@demo.test')!;
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from users where email = $1 and id <> $2', [alice.email, alice.id]);
  return Number(row.n) > 0;
}
