/** A SEPA creditor for tests: valid check digits (the identifier of the EPC's own examples), no real account. */
export const TEST_SEPA_ENV = {
  SEPA_CREDITOR_ID: 'DE98ZZZ09999999999',
  SEPA_CREDITOR_NAME: 'Quarzo Life SA',
  SEPA_CREDITOR_IBAN: 'FR1420041010050500013M02606',
} as const;
