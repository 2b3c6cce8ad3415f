import type { Fund, Product, StandardClause } from '../domain/subscription/catalogue';
import type { Queryable } from './db';

interface ProductRow {
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

interface FundRow {
  isin: string;
  name: string;
  kind: 'euro' | 'unit_linked';
  risk_indicator: number;
  product_id: string;
}


const PRODUCT_COLUMNS = 'id, kind, name, currency, min_initial_payment, min_scheduled_payment, entry_fee_bp, management_fee_bp, min_insuree_age, max_insuree_age, initial_compartment';

function toProduct(r: ProductRow): Product {
  return {
    id: r.id, kind: r.kind, name: r.name, currency: r.currency, minimumInitialPayment: r.min_initial_payment, minimumScheduledPayment: r.min_scheduled_payment,
    entryFeeBasisPoints: r.entry_fee_bp, managementFeeBasisPoints: r.management_fee_bp, minimumInsureeAge: r.min_insuree_age, maximumInsureeAge: r.max_insuree_age,
    initialCompartment: r.initial_compartment,
  };
}

/** The product catalogue, fund lists and published beneficiary clauses: reference data. */
export class CatalogueStore {
  constructor(private readonly db: Queryable) {}

  async products(tx: Queryable = this.db): Promise<Product[]> {
    return (await tx.query<ProductRow>(`select ${PRODUCT_COLUMNS} from products order by id`)).map(toProduct);
  }

  async product(id: string, tx: Queryable = this.db): Promise<Product | undefined> {
    const [row] = await tx.query<ProductRow>(`select ${PRODUCT_COLUMNS} from products where id = $1`, [id]);
    return row && toProduct(row);
  }

  /** Funds of several products in one query (DataLoader-friendly). */
  async fundsOf(productIds: readonly string[], tx: Queryable = this.db): Promise<Fund[]> {
    const rows = await tx.query<FundRow>(
      `select f.isin, f.name, f.kind, f.risk_indicator, pf.product_id
         from product_funds pf join funds f on f.isin = pf.isin
        where pf.product_id = any($1::text[]) order by pf.product_id, f.isin`,
      [productIds],
    );
    return rows.map((r) => ({ isin: r.isin, name: r.name, kind: r.kind, riskIndicator: r.risk_indicator, productId: r.product_id }));
  }

  standardClauses(): Promise<StandardClause[]> {
    return this.db.query<StandardClause>('select id, title, text from standard_clauses order by id');
  }

  async standardClause(id: string, tx: Queryable = this.db): Promise<StandardClause | undefined> {
    return (await tx.query<StandardClause>('select id, title, text from standard_clauses where id = $1', [id]))[0];
  }

  async insertProduct(tx: Queryable, p: Product, funds: Array<Omit<Fund, 'productId'>>): Promise<void> {
    await tx.query(`insert into products (${PRODUCT_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      p.id, p.kind, p.name, p.currency, p.minimumInitialPayment, p.minimumScheduledPayment, p.entryFeeBasisPoints, p.managementFeeBasisPoints, p.minimumInsureeAge,
      p.maximumInsureeAge, p.initialCompartment,
    ]);
    for (const f of funds) {
      await tx.query('insert into funds (isin, name, kind, risk_indicator) values ($1, $2, $3, $4) on conflict (isin) do nothing', [f.isin, f.name, f.kind, f.riskIndicator]);
      await tx.query('insert into product_funds (product_id, isin) values ($1, $2)', [p.id, f.isin]);
    }
  }
}
