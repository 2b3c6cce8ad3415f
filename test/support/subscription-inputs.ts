import { DEMO_IDS } from './ids';
/** Valid subscription-journey inputs as a REST client sends them (camelCase, as GraphQL), shared by the tests. */

export const IBAN = 'FR7630006000011234567890189';
export const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
export const FUND = { euro: 'FR0000000001', equity: 'FR0010315770', bonds: 'LU0290358497', balanced: 'FR0011550185' } as const;
export const SERIAL = '01:23:45:67:89:AB:CD:EF';

/** Request bodies are arbitrary JSON shapes; tests override any part of them. */
export type Body = Record<string, any>;

export function subscriberBody(overrides: Body = {}): Body {
  return {
    civility: 'MME',
    firstName: 'Alice',
    lastName: 'Martin',
    birthDate: '1985-04-12',
    birthPlace: 'Lyon',
    nationality: 'FR',
    address: { line1: '12 rue de la Paix', line2: 'Bâtiment B', postalCode: '75002', city: 'Paris', country: 'FR' },
    email: 'alice.martin@example.com',
    phone: '06 12 34 56 78',
    taxResidence: 'FR',
    ...overrides,
  };
}

/** The subscriber is the insured person. */
export const sameInsureeBody = (subscriberId: string): Body => ({ subscriberId: subscriberId, sameAsSubscriber: true });

/** A valid draft on the assurance-vie `prd_av_demo` (minimum 1,000.00 EUR initial, 50.00 EUR scheduled). */
export function subscriptionBody(insureeId: string, overrides: Body = {}): Body {
  return {
    insureeId: insureeId,
    productId: DEMO_IDS.products.av,
    initialPayment: { amount: 150_000, currency: 'EUR' },
    scheduledPayment: { amount: 10_000, currency: 'EUR', frequency: 'monthly' },
    allocation: [
      { isin: FUND.euro, basisPoints: 6_000 },
      { isin: FUND.equity, basisPoints: 4_000 },
    ],
    beneficiaryClause: { standardClauseId: DEMO_IDS.standardClauses.spouseChildren },
    debitIban: IBAN,
    debitHolder: 'Alice Martin',
    ...overrides,
  };
}

/** Distinct client addresses per login, so the per-address login throttle never interferes. */
export function addressSource(prefix: string): () => string {
  let counter = 0;
  return () => {
    counter += 1;
    return `${prefix}.${Math.floor(counter / 250)}.${counter % 250}`;
  };
}
