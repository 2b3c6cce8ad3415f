import type { SupportRequest } from '../domain/support/support-request';
import type { Queryable } from './db';

interface SupportRequestRow {
  id: string;
  number: number;
  reference: string;
  subscriber_id: string;
  category: string;
  subject: string;
  message: string;
  status: string;
  opened_by_kind: string;
  opened_by_id: string;
  created_at: Date;
  updated_at: Date;
}

function toSupportRequest(r: SupportRequestRow): SupportRequest {
  return {
    id: r.id, number: r.number, reference: r.reference, subscriberId: r.subscriber_id, category: r.category, subject: r.subject, message: r.message,
    status: r.status, openedByKind: r.opened_by_kind, openedById: r.opened_by_id, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** Which requests a page reads: one status (back-office queue) and/or one subscriber's. */
export interface SupportRequestFilter {
  status: string | null;
  subscriberId: string | null;
}

const COLUMNS = 'id, number, reference, subscriber_id, category, subject, message, status, opened_by_kind, opened_by_id, created_at, updated_at';

/** Support requests and the sequence behind their references. */
export class SupportStore {
  constructor(private readonly db: Queryable) {}

  async nextNumber(tx: Queryable): Promise<number> {
    const [row] = await tx.query<{ n: number | string }>(`select nextval('support_request_numbers') as n`);
    return Number(row.n);
  }

  async insert(tx: Queryable, r: SupportRequest): Promise<void> {
    await tx.query(
      `insert into support_requests (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [r.id, r.number, r.reference, r.subscriberId, r.category, r.subject, r.message, r.status, r.openedByKind, r.openedById, r.createdAt, r.updatedAt],
    );
  }

  async request(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SupportRequest | undefined> {
    const [row] = await tx.query<SupportRequestRow>(`select ${COLUMNS} from support_requests where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toSupportRequest(row);
  }

  /** Moves a request only if it is still in `from`; false when someone changed it meanwhile. */
  async changeStatus(tx: Queryable, id: string, from: string, to: string, at: Date): Promise<boolean> {
    return (await tx.query('update support_requests set status = $3, updated_at = $4 where id = $1 and status = $2 returning id', [id, from, to, at])).length === 1;
  }

  /** A page by number after `after`: oldest first (`asc`, a queue) or newest first (`desc`). */
  async page(filter: SupportRequestFilter, after: number | null, limit: number, direction: 'asc' | 'desc'): Promise<SupportRequest[]> {
    const beyond = direction === 'asc' ? 'number > $3' : 'number < $3';
    const rows = await this.db.query<SupportRequestRow>(
      `select ${COLUMNS} from support_requests
        where ($1::text is null or status = $1) and ($2::text is null or subscriber_id = $2) and ($3::bigint is null or ${beyond})
        order by number ${direction} limit $4`,
      [filter.status, filter.subscriberId, after, limit],
    );
    return rows.map(toSupportRequest);
  }
}
