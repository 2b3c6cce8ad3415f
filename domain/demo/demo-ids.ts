import { STANDARD_CLAUSE_IDS } from '../shared/standard-clauses';

/**
 * The fixed ids of the demo data set (README, "Demo ids"): the one place they are written, imported
 * by the demo seed and by the tests (with the standard clauses', reference data, for convenience).
 *
 * Every resource id is a UUID (docs/DOMAIN.md, "Ids"). Ours are made at run time as UUIDv7; these
 * fixed ones are UUIDv7 too, with a zero timestamp and a readable tail whose third digit from the end
 * says what the id names (1 users, 2 distributor, 3 subscribers and insurees, 4 subscriptions,
 * 5 policies, 6 compartments, 7 pay-out IBANs, 8 products, 9 payments; c the standard clauses), so a
 * reader of a log recognises them, and they sort before any id made later.
 */
export const DEMO_IDS = {
  distributor: '00000000-0000-7000-8000-000000000201',
  users: {
    alice: '00000000-0000-7000-8000-000000000101',
    bob: '00000000-0000-7000-8000-000000000102',
    broker: '00000000-0000-7000-8000-000000000103',
    backoffice: '00000000-0000-7000-8000-000000000104',
  },
  subscribers: {
    alice: '00000000-0000-7000-8000-000000000301',
    bob: '00000000-0000-7000-8000-000000000302',
  },
  /** Each subscriber insures themself. */
  insurees: {
    alice: '00000000-0000-7000-8000-000000000311',
    bob: '00000000-0000-7000-8000-000000000312',
  },
  subscriptions: {
    aliceAv: '00000000-0000-7000-8000-000000000401',
    alicePer: '00000000-0000-7000-8000-000000000402',
    bobAv: '00000000-0000-7000-8000-000000000403',
    bobPer: '00000000-0000-7000-8000-000000000404',
  },
  policies: {
    aliceAv: '00000000-0000-7000-8000-000000000501',
    alicePer: '00000000-0000-7000-8000-000000000502',
    bobAv: '00000000-0000-7000-8000-000000000503',
    bobPer: '00000000-0000-7000-8000-000000000504',
  },
  compartments: {
    aliceAvMain: '00000000-0000-7000-8000-000000000601',
    alicePerC1: '00000000-0000-7000-8000-000000000602',
    alicePerC2: '00000000-0000-7000-8000-000000000603',
    alicePerC3: '00000000-0000-7000-8000-000000000604',
    bobAvMain: '00000000-0000-7000-8000-000000000611',
    bobPerC1: '00000000-0000-7000-8000-000000000612',
    bobPerC2: '00000000-0000-7000-8000-000000000613',
    bobPerC3: '00000000-0000-7000-8000-000000000614',
  },
  /** Each subscriber's debit IBAN, their confirmed default pay-out IBAN since issue. */
  payoutIbans: {
    aliceDebit: '00000000-0000-7000-8000-000000000701',
    bobDebit: '00000000-0000-7000-8000-000000000702',
  },
  /** The demo catalogue (surrender terms for them come with migration 007, re-keyed by 018). */
  products: {
    av: '00000000-0000-7000-8000-000000000801',
    per: '00000000-0000-7000-8000-000000000802',
  },
  /** The later premiums paid into the PER compartments C2 and C3 (the cause of those ledger movements). */
  payments: {
    alicePerC2: '00000000-0000-7000-8000-000000000901',
    alicePerC3: '00000000-0000-7000-8000-000000000902',
    bobPerC2: '00000000-0000-7000-8000-000000000911',
    bobPerC3: '00000000-0000-7000-8000-000000000912',
  },
  standardClauses: STANDARD_CLAUSE_IDS,
} as const;
