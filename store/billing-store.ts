import type { CommissionType } from '../domain/billing/commission-rules';
import type { CommissionLine, CommissionStatement, StatementBroker } from '../domain/billing/commission-statement';
import type { Queryable } from './db';

interface CommissionStatementRow {
  id: string;
  broker_id: string;
  type: CommissionType;
  /** YYYY-MM. */
  period: string;
  currency: string;
  premium_total: number;
  commission_total: number;
  issued_at: Date;
  line_count: number;
}

interface CommissionLineRow {
  statement_id: string;
  line_no: number;
  policy_id: string;
  policy_label: string;
  premium: number;
  rate_bp: number;
  commission: number;
}

interface BrokerRow {
  id: string;
  email: string;
  distributor_id: string | null;
  distributor_name: string | null;
}

function toStatement(r: CommissionStatementRow): CommissionStatement {
  return {
    id: r.id, brokerId: r.broker_id, type: r.type, period: r.period, currency: r.currency, premiumTotal: r.premium_total,
    commissionTotal: r.commission_total, issuedAt: r.issued_at, lineCount: r.line_count,
  };
}

function toLine(r: CommissionLineRow): CommissionLine {
  return { statementId: r.statement_id, lineNo: r.line_no, policyId: r.policy_id, policyLabel: r.policy_label, premium: r.premium, rateBasisPoints: r.rate_bp, commission: r.commission };
}

/** Which statements a page reads; null fields do not filter. Periods are YYYY-MM, both bounds included. */
export interface StatementFilter {
  brokerId: string | null;
  from: string | null;
  to: string | null;
  type: CommissionType | null;
  /** Position after which the page starts, in (period desc, id asc) order. */
  after: { period: string; id: string } | null;
  /** Rows skipped before the page (page-number paging); 0 with a cursor. */
  offset: number;
}

const STATEMENT = `select s.id, s.broker_id, s.type, s.period, s.currency, s.premium_total, s.commission_total, s.issued_at,
    (select count(*)::int from commission_lines l where l.statement_id = s.id) as line_count
  from commission_statements s`;

/** Brokers' commission statements and their lines. */
export class BillingStore {
  constructor(private readonly db: Queryable) {}

  async statement(id: string): Promise<CommissionStatement | undefined> {
    const [row] = await this.db.query<CommissionStatementRow>(`${STATEMENT} where s.id = $1`, [id]);
    return row && toStatement(row);
  }

  /** Newest period first; within a period (back-office sees every broker's) by id. */
  async page(filter: StatementFilter, limit: number): Promise<CommissionStatement[]> {
    const rows = await this.db.query<CommissionStatementRow>(
      `${STATEMENT}
        where ($1::text is null or s.broker_id = $1)
          and ($2::text is null or s.period >= $2)
          and ($3::text is null or s.period <= $3)
          and ($4::text is null or s.period < $4 or (s.period = $4 and s.id > $5::text))
          and ($6::text is null or s.type = $6)
        order by s.period desc, s.id
        limit $7 offset $8`,
      [filter.brokerId, filter.from, filter.to, filter.after?.period ?? null, filter.after?.id ?? null, filter.type, limit, filter.offset],
    );
    return rows.map(toStatement);
  }

  /** Lines of many statements in one query (a page of statements with their lines). */
  async lines(statementIds: readonly string[]): Promise<CommissionLine[]> {
    const rows = await this.db.query<CommissionLineRow>(
      'select statement_id, line_no, policy_id, policy_label, premium, rate_bp, commission from commission_lines where statement_id = any($1::text[]) order by statement_id, line_no',
      [statementIds],
    );
    return rows.map(toLine);
  }

  /** A broker login (not any user: a subscriber's id is no broker). */
  async broker(id: string): Promise<StatementBroker | undefined> {
    const [row] = await this.db.query<BrokerRow>(
      `select u.id, u.email, u.distributor_id, d.name as distributor_name
         from users u left join distributors d on d.id = u.distributor_id
        where u.id = $1 and u.kind = 'broker'`,
      [id],
    );
    return row && { id: row.id, email: row.email, distributorId: row.distributor_id, distributorName: row.distributor_name };
  }

  /** Writes an issued statement and its lines (the billing run, the demo data, tests). */
  async insertStatement(tx: Queryable, s: Omit<CommissionStatement, 'lineCount'>, lines: ReadonlyArray<Omit<CommissionLine, 'statementId'>>): Promise<void> {
    await tx.query('insert into commission_statements (id, broker_id, type, period, currency, premium_total, commission_total, issued_at) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
      s.id, s.brokerId, s.type, s.period, s.currency, s.premiumTotal, s.commissionTotal, s.issuedAt,
    ]);
    for (const l of lines) {
      await tx.query('insert into commission_lines (statement_id, line_no, policy_id, policy_label, premium, rate_bp, commission) values ($1, $2, $3, $4, $5, $6, $7)', [
        s.id, l.lineNo, l.policyId, l.policyLabel, l.premium, l.rateBasisPoints, l.commission,
      ]);
    }
  }

  async hasStatements(brokerId: string, tx: Queryable = this.db): Promise<boolean> {
    return (await tx.query('select 1 from commission_statements where broker_id = $1 limit 1', [brokerId])).length > 0;
  }
}
