import { DEMO_IDS } from './ids';
/** Valid subscription-journey inputs as a REST client sends them (snake_case), shared by the tests. */

export const IBAN = 'FR7630006000011234567890189';
export const IBAN_MASKED = 'FR76 **** **** **** **** ***0 189';
export const FUND = { euro: 'FR0000000001', equity: 'FR0010315770', bonds: 'LU0290358497', balanced: 'FR0011550185' } as const;
export const SERIAL = '01:23:45:67:89:AB:CD:EF';

/** Request bodies are arbitrary JSON shapes; tests override any part of them. */
export type Body = Record<string, any>;

export function subscriberBody(overrides: Body = {}): Body {
  return {
    civility: 'MME',
    first_name: 'Alice',
    last_name: 'Martin',
    birth_date: '1985-04-12',
    birth_place: 'Lyon',
    nationality: 'FR',
    address: { line1: '12 rue de la Paix', line2: 'Bâtiment B', postal_code: '75002', city: 'Paris', country: 'FR' },
    email: 'alice.martin@example.com',
    phone: '06 12 34 56 78',
    tax_residence: 'FR',
    ...overrides,
  };
}

/** The subscriber is the insured person. */
export const sameInsureeBody = (subscriberId: string): Body => ({ subscriber_id: subscriberId, same_as_subscriber: true });

/** A valid draft on the assurance-vie `prd_av_demo` (minimum 1,000.00 EUR initial, 50.00 EUR scheduled). */
export function subscriptionBody(insureeId: string, overrides: Body = {}): Body {
  return {
    insuree_id: insureeId,
    product_id: DEMO_IDS.products.av,
    initial_payment: { amount: 150_000, currency: 'EUR' },
    scheduled_payment: { amount: 10_000, currency: 'EUR', frequency: 'monthly' },
    allocation: [
      { isin: FUND.euro, basis_points: 6_000 },
      { isin: FUND.equity, basis_points: 4_000 },
    ],
    beneficiary_clause: { standard_clause_id: DEMO_IDS.standardClauses.spouseChildren },
    debit_iban: IBAN,
    debit_holder: 'Alice Martin',
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
