import type { CatalogEntry } from './codes/catalog-entry';
import { EMAILING_CODES } from './codes/emailing';
import { HTTP_CODES } from './codes/http';
import { INVESTMENT_CODES } from './codes/investments';
import { PAYER_CODES } from './codes/payers';

export type { CatalogEntry };

/**
 * The error catalog: every error the API returns has one of these codes. Runtime errors, the GraphQL
 * extensions and the HTML pages at /docs/errors/<code> are all rendered from these entries.
 * The entries live in errors/codes/, one file per domain; this assembles them, the codes every route
 * shares first.
 */
export const CATALOG = {
  ...HTTP_CODES,
  ...EMAILING_CODES,
  ...PAYER_CODES,
  ...INVESTMENT_CODES,
} satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof CATALOG;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, value);
}

export function docUrl(docsBaseUrl: string, code: ErrorCode): string {
  return `${docsBaseUrl}/errors/${code}`;
}
