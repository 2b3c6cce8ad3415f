import type { Payer } from './payer';

/** How a mail names a payer: a company by its name, a person by first and last name. */
export function payerName(payer: Pick<Payer, 'companyName' | 'firstName' | 'lastName'>): string {
  return payer.companyName ?? [payer.firstName, payer.lastName].filter(Boolean).join(' ');
}
