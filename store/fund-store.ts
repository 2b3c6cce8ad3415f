import type { AssetClass, CatalogueFund } from '../domain/investments/fund';
import type { Queryable } from './db';

interface FundRow {
  isin: string;
  name: string;
  kind: 'euro' | 'unit_linked';
  currency: string;
  asset_class: AssetClass;
  risk_indicator: number;
}

const COLUMNS = 'isin, name, kind, currency, asset_class, risk_indicator';

function toFund(r: FundRow): CatalogueFund {
  return { isin: r.isin, name: r.name, kind: r.kind, currency: r.currency, assetClass: r.asset_class, riskIndicator: r.risk_indicator };
}

/** The fund catalogue: every fund a position, a valuation or a product's allocation may name. */
export class FundStore {
  constructor(private readonly db: Queryable) {}

  async all(): Promise<CatalogueFund[]> {
    return (await this.db.query<FundRow>(`select ${COLUMNS} from funds order by isin`)).map(toFund);
  }

  async byIsins(isins: readonly string[], tx: Queryable = this.db): Promise<CatalogueFund[]> {
    return (await tx.query<FundRow>(`select ${COLUMNS} from funds where isin = any($1::text[]) order by isin`, [isins])).map(toFund);
  }

  async fund(isin: string, tx: Queryable = this.db): Promise<CatalogueFund | undefined> {
    return (await this.byIsins([isin], tx))[0];
  }

  /** Adds a fund; false (nothing written) when its ISIN is already catalogued. */
  async insert(tx: Queryable, f: CatalogueFund): Promise<boolean> {
    const rows = await tx.query(`insert into funds (${COLUMNS}) values ($1, $2, $3, $4, $5, $6) on conflict (isin) do nothing returning isin`, [
      f.isin, f.name, f.kind, f.currency, f.assetClass, f.riskIndicator,
    ]);
    return rows.length === 1;
  }
}
