import type { CatalogEntry } from './catalog-entry';

/** Payers' own codes (premium scheduling). */
export const PAYER_CODES = {
  payer_not_found: {
    status: 404,
    title: 'Not Found',
    description: 'The payer named by the request does not exist, or is not the caller\'s to see.',
    causes: ['A `payerId` (in the path, or in a premium request\'s body) that matches no payer.', 'A payer of a subscriber the caller may not see: the API answers exactly as if it did not exist.'],
    fixes: ['Check the payer id; list the subscriber\'s payers, or create the payer first.'],
    exampleReason: 'PAYER_NOT_FOUND',
  },
  payer_subscriber_not_found: {
    status: 404,
    title: 'Not Found',
    description: 'The subscriber whose payers the request names does not exist, or is not the caller\'s to see.',
    causes: ['A `subscriberId` in a `/v1/premium-scheduling/subscribers/{subscriberId}/payers` path that matches no subscriber.', 'A subscriber the caller may not see: the API answers exactly as if it did not exist.'],
    fixes: ['Check the subscriber id, or create the subscriber first.'],
    exampleReason: 'PAYER_SUBSCRIBER_NOT_FOUND',
  },
  delete_payer_personal_iban_default_iban: {
    status: 409,
    title: 'Conflict',
    description: 'The payer\'s personal IBAN cannot be deleted while it is the payer\'s default IBAN.',
    causes: ['A DELETE of the IBAN marked as the payer\'s default (a payer\'s only IBAN is always its default).'],
    fixes: ['Make another of the payer\'s IBANs the default first (`PATCH .../ibans/{iban}/make-default`), then delete this one.'],
    exampleReason: 'PAYER_DEFAULT_IBAN_CANNOT_BE_DELETED',
    exampleField: 'iban',
  },
} satisfies Record<string, CatalogEntry>;
