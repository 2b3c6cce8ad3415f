import type { Valuation } from '../domain/investments/fund';
import type { Queryable } from './db';

interface ValuationRow {
  isin: string;
  valued_on: string;
  nav_value: number;
  nav_scale: number;
  currency: string;
  loaded_at: Date;
  corrected_at: Date | null;
  correction_reason: string | null;
}

const COLUMNS = 'isin, valued_on::text as valued_on, nav_value, nav_scale, currency, loaded_at, corrected_at, correction_reason';

function toValuation(r: ValuationRow): Valuation {
  return {
    isin: r.isin, valuedOn: r.valued_on, nav: { value: Number(r.nav_value), scale: r.nav_scale, currency: r.currency },
    loadedAt: r.loaded_at, correctedAt: r.corrected_at, correctionReason: r.correction_reason,
  };
}

/** Who loaded a valuation. */
export interface LoadedBy {
  kind: string;
  id: string | null;
}

/** Dated share valuations (NAV per share) of unit-linked funds. */
export class ValuationStore {
  constructor(private readonly db: Queryable) {}

  async valuation(isin: string, valuedOn: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Valuation | undefined> {
    const [row] = await tx.query<ValuationRow>(`select ${COLUMNS} from fund_valuations where isin = $1 and valued_on = $2::date${options.forUpdate ? ' for update' : ''}`, [isin, valuedOn]);
    return row && toValuation(row);
  }

  /** Adds one; false (nothing written) when that fund already has a valuation on that date. */
  async insert(tx: Queryable, v: Valuation, by: LoadedBy): Promise<boolean> {
    const rows = await tx.query(
      `insert into fund_valuations (isin, valued_on, nav_value, nav_scale, currency, loaded_by_kind, loaded_by_id, loaded_at)
       values ($1, $2::date, $3, $4, $5, $6, $7, $8) on conflict (isin, valued_on) do nothing returning isin`,
      [v.isin, v.valuedOn, v.nav.value, v.nav.scale, v.nav.currency, by.kind, by.id, v.loadedAt],
    );
    return rows.length === 1;
  }

  /** Many at once (the demo's year of prices): one statement. */
  async insertMany(tx: Queryable, valuations: readonly Valuation[], by: LoadedBy): Promise<void> {
    if (!valuations.length) return;
    await tx.query(
      `insert into fund_valuations (isin, valued_on, nav_value, nav_scale, currency, loaded_by_kind, loaded_by_id, loaded_at)
       select isin, valued_on::date, nav_value, nav_scale, currency, $6, $7, $8
         from unnest($1::text[], $2::text[], $3::bigint[], $4::smallint[], $5::text[]) as v (isin, valued_on, nav_value, nav_scale, currency)
       on conflict (isin, valued_on) do nothing`,
      [valuations.map((v) => v.isin), valuations.map((v) => v.valuedOn), valuations.map((v) => v.nav.value), valuations.map((v) => v.nav.scale), valuations.map((v) => v.nav.currency), by.kind, by.id, valuations[0].loadedAt],
    );
  }

  /** Replaces a valuation's NAV, recording the correction. */
  async correct(tx: Queryable, v: Valuation, by: LoadedBy): Promise<void> {
    await tx.query(
      `update fund_valuations set nav_value = $3, nav_scale = $4, loaded_by_kind = $5, loaded_by_id = $6, corrected_at = $7, correction_reason = $8
        where isin = $1 and valued_on = $2::date`,
      [v.isin, v.valuedOn, v.nav.value, v.nav.scale, by.kind, by.id, v.correctedAt, v.correctionReason],
    );
  }

  /** Each fund's latest valuation (on or before `onOrBefore` when given). */
  async latest(isins: readonly string[], onOrBefore?: string, tx: Queryable = this.db): Promise<Valuation[]> {
    const rows = await tx.query<ValuationRow>(
      `select distinct on (isin) ${COLUMNS} from fund_valuations
        where isin = any($1::text[]) and ($2::date is null or valued_on <= $2::date)
        order by isin, valued_on desc`,
      [isins, onOrBefore ?? null],
    );
    return rows.map(toValuation);
  }

  /** The first valuation dated on or after `onOrAfter`, per fund (forward pricing). */
  async firstOnOrAfter(isins: readonly string[], onOrAfter: string, tx: Queryable = this.db): Promise<Valuation[]> {
    const rows = await tx.query<ValuationRow>(
      `select distinct on (isin) ${COLUMNS} from fund_valuations where isin = any($1::text[]) and valued_on >= $2::date order by isin, valued_on`,
      [isins, onOrAfter],
    );
    return rows.map(toValuation);
  }

  /** The valuations of some funds from `from` to `to` (inclusive), oldest first. */
  async between(isins: readonly string[], from: string, to: string): Promise<Valuation[]> {
    const rows = await this.db.query<ValuationRow>(
      `select ${COLUMNS} from fund_valuations where isin = any($1::text[]) and valued_on between $2::date and $3::date order by valued_on, isin`,
      [isins, from, to],
    );
    return rows.map(toValuation);
  }
}
