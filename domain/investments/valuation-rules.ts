import { AppError } from '../../errors/app-error';
import { compareDecimals, MAX_DECIMAL_SCALE } from './decimal';
import type { CatalogueFund, ScaledMoney, Valuation } from './fund';

/** A problem with one field, named by its path as the client sent it. */
export interface FieldProblem {
  field: string;
  reason: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What is wrong with a NAV for `fund` on `valuedOn` (none: it may be loaded): a positive integer value,
 * a scale of 0 to 8 decimals, the fund's currency, a real date not after today (Paris). `path` names
 * each field as the request holds it (`nav.value`, `csv.line3.nav`).
 */
export function navProblems(nav: ScaledMoney, fund: CatalogueFund, valuedOn: string, today: string, path: { value: string; scale: string; currency: string; valuedOn: string }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Number.isSafeInteger(nav.value) || nav.value <= 0) problems.push({ field: path.value, reason: 'NAV_VALUE_NOT_POSITIVE_INTEGER' });
  if (!Number.isInteger(nav.scale) || nav.scale < 0 || nav.scale > MAX_DECIMAL_SCALE) problems.push({ field: path.scale, reason: 'NAV_SCALE_OUT_OF_RANGE' });
  if (nav.currency !== fund.currency) problems.push({ field: path.currency, reason: 'NAV_CURRENCY_NOT_FUND_CURRENCY' });
  if (!DATE.test(valuedOn) || Number.isNaN(Date.parse(`${valuedOn}T00:00:00Z`)) || new Date(`${valuedOn}T00:00:00Z`).toISOString().slice(0, 10) !== valuedOn) {
    problems.push({ field: path.valuedOn, reason: 'VALUATION_DATE_INVALID' });
  } else if (valuedOn > today) problems.push({ field: path.valuedOn, reason: 'VALUATION_DATE_IN_THE_FUTURE' });
  return problems;
}

/** What loading a valuation does given the one already recorded for that fund and date, if any. */
export type LoadDecision = 'create' | 'unchanged' | 'correct';

/**
 * Loading is idempotent per (ISIN, date): the same NAV again (whatever its scale: 12.30 is 12.3)
 * changes nothing; a different NAV is refused (409 VALUATION_ALREADY_LOADED_WITH_ANOTHER_NAV) unless
 * the request corrects it explicitly, giving a reason.
 */
export function decideLoad(existing: Valuation | undefined, nav: ScaledMoney, correction: string | null): LoadDecision {
  if (!existing) return 'create';
  if (compareDecimals(existing.nav, nav) === 0) return 'unchanged';
  if (correction === null) throw new AppError('conflict', 'VALUATION_ALREADY_LOADED_WITH_ANOTHER_NAV', { field: 'nav' });
  return 'correct';
}

/** A correction's reason: null when none is given; 400 when one is given but blank or over 500 characters. */
export function correctionReason(raw: string | null | undefined, field: string): string | null {
  if (raw === null || raw === undefined) return null;
  const reason = raw.trim();
  if (reason === '' || reason.length > 500) throw new AppError('parameter_invalid', 'REASON_REQUIRED', { field });
  return reason;
}
