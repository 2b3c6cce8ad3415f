import type { Queryable } from './db';

export interface ProductRow {
  id: string;
  kind: 'assurance_vie' | 'per';
  name: string;
  currency: string;
  min_initial_payment: number;
  min_scheduled_payment: number;
  entry_fee_bp: number;
  management_fee_bp: number;
  min_insuree_age: number;
  max_insuree_age: number;
  initial_compartment: string;
}

export interface FundRow {
  isin: string;
  name: string;
  kind: 'euro' | 'unit_linked';
  risk_indicator: number;
  product_id: string;
}

export interface StandardClauseRow {
  id: string;
  title: string;
  text: string;
}

const PRODUCT_COLUMNS = 'id, kind, name, currency, min_initial_payment, min_scheduled_payment, entry_fee_bp, management_fee_bp, min_insuree_age, max_insuree_age, initial_compartment';

/** The product catalogue, fund lists and published beneficiary clauses: reference data. */
export class CatalogueStore {
  constructor(private readonly db: Queryable) {}

  products(): Promise<ProductRow[]> {
    return this.db.query<ProductRow>(`select ${PRODUCT_COLUMNS} from products order by id`);
  }

  async product(id: string, tx: Queryable = this.db): Promise<ProductRow | undefined> {
    return (await tx.query<ProductRow>(`select ${PRODUCT_COLUMNS} from products where id = $1`, [id]))[0];
  }

  /** Funds of several products in one query (DataLoader-friendly). */
  fundsOf(productIds: readonly string[], tx: Queryable = this.db): Promise<FundRow[]> {
    return tx.query<FundRow>(
      `select f.isin, f.name, f.kind, f.risk_indicator, pf.product_id
         from product_funds pf join funds f on f.isin = pf.isin
        where pf.product_id = any($1::text[]) order by pf.product_id, f.isin`,
      [productIds],
    );
  }

  standardClauses(): Promise<StandardClauseRow[]> {
    return this.db.query<StandardClauseRow>('select id, title, text from standard_clauses order by id');
  }

  async standardClause(id: string, tx: Queryable = this.db): Promise<StandardClauseRow | undefined> {
    return (await tx.query<StandardClauseRow>('select id, title, text from standard_clauses where id = $1', [id]))[0];
  }

  async insertProduct(tx: Queryable, p: ProductRow, funds: Array<Omit<FundRow, 'product_id'>>): Promise<void> {
    await tx.query(`insert into products (${PRODUCT_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      p.id, p.kind, p.name, p.currency, p.min_initial_payment, p.min_scheduled_payment, p.entry_fee_bp, p.management_fee_bp, p.min_insuree_age, p.max_insuree_age, p.initial_compartment,
    ]);
    for (const f of funds) {
      await tx.query('insert into funds (isin, name, kind, risk_indicator) values ($1, $2, $3, $4) on conflict (isin) do nothing', [f.isin, f.name, f.kind, f.risk_indicator]);
      await tx.query('insert into product_funds (product_id, isin) values ($1, $2)', [p.id, f.isin]);
    }
  }
}
