import { AppError, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { FundStore } from '../../store/fund-store';
import type { LoadedBy, ValuationStore } from '../../store/valuation-store';
import type { Acting } from '../shared/acting';
import { notFound } from '../shared/access';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { addDays, parisDate } from '../shared/paris-calendar';
import { compareDecimals, formatDecimal } from './decimal';
import { ASSET_CLASSES, type AssetClass, type CatalogueFund, type ScaledMoney, type Valuation } from './fund';
import { isIsin } from './isin';
import { readValuationCsv, rowField } from './valuation-csv';
import { correctionReason, decideLoad, navProblems, type FieldProblem, type LoadDecision } from './valuation-rules';

/** A fund to add to the catalogue. */
export interface FundInput {
  isin: string;
  name: string;
  kind: 'euro' | 'unit_linked';
  currency: string;
  assetClass: AssetClass;
  riskIndicator: number;
}

/** One valuation to load: the NAV of one share on a date; `correctionReason` to replace a different NAV already loaded. */
export interface ValuationInput {
  valuedOn: string;
  nav: ScaledMoney;
  correctionReason?: string | null;
}

/** What loading one valuation did. */
export interface LoadedValuation {
  valuation: Valuation;
  outcome: 'created' | 'unchanged' | 'corrected';
}

/** What loading a file did, row by row counted. */
export interface ValuationFileOutcome {
  rows: number;
  created: number;
  unchanged: number;
  corrected: number;
}

/** The longest value history one request reads: a leap year and a day. */
export const MAX_HISTORY_DAYS = 366;

/**
 * The fund catalogue and the funds' dated share valuations. Back-office registers funds; back-office
 * and partner platforms load valuations (one, or a CSV file of many), idempotently per (ISIN, date):
 * the same NAV again is a no-op, another NAV a 409 unless the load says it corrects it (with a
 * reason, audited with the NAV it replaces). Valuations are market data, not a customer's: any
 * signed-in caller reads them.
 */
export class FundService {
  constructor(
    private readonly db: Db,
    private readonly funds: FundStore,
    private readonly valuations: ValuationStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    /** Runs after valuations are written (switches waiting for those NAVs execute). */
    private readonly afterLoad: () => Promise<unknown> = async () => undefined,
  ) {}

  catalogue(): Promise<CatalogueFund[]> {
    return this.funds.all();
  }

  /** Funds by ISIN, in one query (the per-request DataLoader batches through here). */
  fundsByIsin(isins: readonly string[]): Promise<CatalogueFund[]> {
    return this.funds.byIsins(isins);
  }

  /** A catalogued fund; 400 when `isin` is not even an ISIN, 404 when no fund has it. */
  async fund(isin: string, tx: Queryable = this.db, field = 'isin'): Promise<CatalogueFund> {
    const fund = await this.funds.fund(isin, tx);
    if (fund) return fund;
    // Funds catalogued before check digits were verified keep their ISIN; anything else must verify.
    if (!isIsin(isin)) throw new AppError('parameter_invalid', 'ISIN_INVALID', { field });
    throw notFound('fund');
  }

  async registerFund({ viewer, requestId }: Acting, input: FundInput): Promise<CatalogueFund> {
    const problems: FieldProblem[] = [];
    if (!isIsin(input.isin)) problems.push({ field: 'isin', reason: 'ISIN_INVALID' });
    const name = input.name.trim();
    if (name === '' || name.length > 200) problems.push({ field: 'name', reason: 'FUND_NAME_REQUIRED' });
    if (!Number.isInteger(input.riskIndicator) || input.riskIndicator < 1 || input.riskIndicator > 7) problems.push({ field: 'riskIndicator', reason: 'RISK_INDICATOR_OUT_OF_RANGE' });
    if (!(ASSET_CLASSES as readonly string[]).includes(input.assetClass)) problems.push({ field: 'assetClass', reason: 'ASSET_CLASS_NOT_ACCEPTED' });
    else if ((input.kind === 'euro') !== (input.assetClass === 'guaranteed')) problems.push({ field: 'assetClass', reason: 'ASSET_CLASS_DOES_NOT_MATCH_KIND' });
    if (problems.length) throw invalidFields(problems);
    const fund: CatalogueFund = { ...input, name };
    return this.db.transaction(async (tx) => {
      if (!(await this.funds.insert(tx, fund))) throw new AppError('conflict', 'FUND_ALREADY_CATALOGUED', { field: 'isin' });
      await this.audit.record(tx, { actor: viewer, action: 'fund.registered', target: { type: 'fund', id: fund.isin }, requestId, details: { ...fund } });
      return fund;
    });
  }

  /** A fund's valuations from `from` to `to` (default: the year up to today), oldest first. */
  async valuationsOf(isin: string, from: string | null, to: string | null): Promise<Valuation[]> {
    const fund = await this.fund(isin);
    const range = this.historyRange(from, to);
    return this.valuations.between([fund.isin], range.from, range.to);
  }

  /** Each fund's latest known valuation. */
  latestValuations(isins: readonly string[]): Promise<Valuation[]> {
    return this.valuations.latest(isins);
  }

  /**
   * A history's dates: `to` defaults to today (Paris), `from` to a year before `to`; `from` after
   * `to` or more than MAX_HISTORY_DAYS apart is a 400 naming `from`.
   */
  historyRange(from: string | null, to: string | null): { from: string; to: string } {
    const end = to ?? parisDate(this.clock.now());
    const start = from ?? addDays(end, -365);
    if (start > end) throw new AppError('parameter_invalid', 'HISTORY_FROM_AFTER_TO', { field: 'from' });
    if (start < addDays(end, -(MAX_HISTORY_DAYS - 1))) throw new AppError('parameter_invalid', 'HISTORY_RANGE_TOO_LONG', { field: 'from' });
    return { from: start, to: end };
  }

  async loadValuation({ viewer, requestId }: Acting, isin: string, input: ValuationInput): Promise<LoadedValuation> {
    const fund = await this.fund(isin);
    if (fund.kind === 'euro') throw new AppError('parameter_invalid', 'EURO_FUND_HAS_NO_NAV', { field: 'isin' });
    const problems = navProblems(input.nav, fund, input.valuedOn, parisDate(this.clock.now()), { value: 'nav.value', scale: 'nav.scale', currency: 'nav.currency', valuedOn: 'valuedOn' });
    if (problems.length) throw invalidFields(problems);
    const correction = correctionReason(input.correctionReason, 'correctionReason');
    const by: LoadedBy = { kind: viewer.kind, id: viewer.id };
    const loaded = await this.db.transaction(async (tx) => {
      const written = await this.write(tx, { isin: fund.isin, valuedOn: input.valuedOn, nav: input.nav, correction }, by, 'nav');
      if (written.outcome !== 'unchanged') await this.audit.record(tx, { actor: viewer, action: `valuation.${written.outcome}`, target: { type: 'fund', id: fund.isin }, requestId, details: written.details });
      return { valuation: written.valuation, outcome: written.outcome };
    });
    if (loaded.outcome !== 'unchanged') await this.afterLoad();
    return loaded;
  }

  /**
   * A CSV file of valuations (valuation-csv.ts), all or nothing: every row is checked first (400
   * naming each bad field by line), then loaded in one transaction; a row whose NAV differs from the
   * one loaded for its fund and date without a correction reason refuses the whole file (409 naming
   * its line). The same (ISIN, date) twice in a file must give the same NAV.
   */
  async loadValuationFile({ viewer, requestId }: Acting, csv: string): Promise<ValuationFileOutcome> {
    const rows = readValuationCsv(csv);
    const funds = new Map((await this.funds.byIsins([...new Set(rows.map((r) => r.isin))])).map((f) => [f.isin, f]));
    const today = parisDate(this.clock.now());
    const problems: FieldProblem[] = [];
    const seen = new Map<string, ScaledMoney>();
    for (const row of rows) {
      const fund = funds.get(row.isin);
      if (!fund) {
        problems.push({ field: rowField(row.line, 'isin'), reason: isIsin(row.isin) ? 'FUND_NOT_CATALOGUED' : 'ISIN_INVALID' });
        continue;
      }
      if (fund.kind === 'euro') {
        problems.push({ field: rowField(row.line, 'isin'), reason: 'EURO_FUND_HAS_NO_NAV' });
        continue;
      }
      const nav = rowField(row.line, 'nav');
      problems.push(...navProblems(row.nav, fund, row.valuedOn, today, { value: nav, scale: nav, currency: rowField(row.line, 'currency'), valuedOn: rowField(row.line, 'valuedOn') }));
      if (row.correctionReason !== null && (row.correctionReason.trim() === '' || row.correctionReason.length > 500)) problems.push({ field: rowField(row.line, 'correctionReason'), reason: 'REASON_REQUIRED' });
      const key = `${row.isin} ${row.valuedOn}`;
      const earlier = seen.get(key);
      if (earlier && compareDecimals(earlier, row.nav) !== 0) problems.push({ field: rowField(row.line, 'nav'), reason: 'VALUATION_LISTED_TWICE_WITH_ANOTHER_NAV' });
      seen.set(key, row.nav);
    }
    if (problems.length) throw invalidFields(problems.slice(0, 50));
    const by: LoadedBy = { kind: viewer.kind, id: viewer.id };
    const loaded = await this.db.transaction(async (tx) => {
      const outcome: ValuationFileOutcome = { rows: rows.length, created: 0, unchanged: 0, corrected: 0 };
      for (const row of rows) {
        const loaded = await this.write(tx, { isin: row.isin, valuedOn: row.valuedOn, nav: row.nav, correction: row.correctionReason?.trim() ?? null }, by, rowField(row.line, 'nav'));
        outcome[loaded.outcome] += 1;
        if (loaded.outcome === 'corrected') await this.audit.record(tx, { actor: viewer, action: 'valuation.corrected', target: { type: 'fund', id: row.isin }, requestId, details: loaded.details });
      }
      await this.audit.record(tx, { actor: viewer, action: 'valuation.file_loaded', target: { type: 'valuation_file', id: null }, requestId, details: { ...outcome } });
      return outcome;
    });
    if (loaded.created + loaded.corrected > 0) await this.afterLoad();
    return loaded;
  }

  /** Writes one valuation by the idempotency rule (decideLoad); a 409 names `field`. */
  private async write(tx: Queryable, v: { isin: string; valuedOn: string; nav: ScaledMoney; correction: string | null }, by: LoadedBy, field: string): Promise<LoadedValuation & { details: Record<string, unknown> }> {
    const now = this.clock.now();
    const fresh: Valuation = { isin: v.isin, valuedOn: v.valuedOn, nav: v.nav, loadedAt: now, correctedAt: null, correctionReason: null };
    let existing = await this.valuations.valuation(v.isin, v.valuedOn, tx, { forUpdate: true });
    if (!existing) {
      if (await this.valuations.insert(tx, fresh, by)) return { valuation: fresh, outcome: 'created', details: { valuedOn: v.valuedOn, nav: formatDecimal(v.nav), currency: v.nav.currency } };
      // Loaded by someone else meanwhile: decide against theirs.
      existing = await this.valuations.valuation(v.isin, v.valuedOn, tx, { forUpdate: true });
    }
    let decision: LoadDecision;
    try {
      decision = decideLoad(existing, v.nav, v.correction);
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, error.reason, { field });
      throw error;
    }
    if (decision === 'unchanged') return { valuation: existing!, outcome: 'unchanged', details: {} };
    const corrected: Valuation = { ...existing!, nav: v.nav, correctedAt: now, correctionReason: v.correction };
    await this.valuations.correct(tx, corrected, by);
    return { valuation: corrected, outcome: 'corrected', details: { valuedOn: v.valuedOn, previousNav: formatDecimal(existing!.nav), nav: formatDecimal(v.nav), currency: v.nav.currency, reason: v.correction } };
  }
}
