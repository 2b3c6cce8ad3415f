import { AppError, invalidFields, insufficientRoles } from '../../errors/app-error';
import type { BillingStore } from '../../store/billing-store';
import type { CommissionLine, CommissionStatement } from './commission-statement';
import type { Viewer } from '../auth/viewer';
import { checkPageSize, decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../shared/paging';
import { notFound } from '../shared/access';
import type { CommissionType } from './commission-rules';
import { isPeriod } from './period';
import { CSV_CONTENT_TYPE, statementCsv } from './statement-csv';
import { statementPdf } from './statement-pdf';

export type StatementFormat = 'pdf' | 'csv';

/**
 * Two ways to page the same list: cursors (`first`/`after`, GraphQL's connection) or page numbers
 * (`page`/`perPage`, the legacy REST callers' documented parameters). `perPage` wins over `first`;
 * `page` with `after` is a 400, since they name two different starting points.
 */
export interface StatementQuery {
  first: number;
  after: string | null;
  /** 1-based page number; null: page 1 unless `after` is given. */
  page: number | null;
  /** 1-100; null: `first`. */
  perPage: number | null;
  /** Back-office: one broker's statements; a broker may only name itself. */
  brokerId: string | null;
  /** YYYY-MM, included. */
  from: string | null;
  /** YYYY-MM, included. */
  to: string | null;
  /** Null: every type. */
  type: CommissionType | null;
}

export interface StatementPage {
  rows: CommissionStatement[];
  hasNextPage: boolean;
  /** The page number this is; null when it started after a cursor (its number is unknown). */
  page: number | null;
  /** The page size used. */
  perPage: number;
}

export interface StatementFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/**
 * Brokers' commission statements (docs/DOMAIN.md): a broker reads its own, back-office everyone's; nobody
 * else, whatever path they take (the schema's role checks come first, these are the second line).
 * Another broker's statement answers exactly like a missing one.
 */
export class BillingService {
  constructor(private readonly store: BillingStore) {}

  /** A page of statements, newest period first. */
  async page(viewer: Viewer, query: StatementQuery): Promise<StatementPage> {
    assertBillingRole(viewer);
    const problems: Array<{ field: string; reason: string }> = [];
    if (query.page !== null && (!Number.isInteger(query.page) || query.page < 1)) problems.push({ field: 'page', reason: 'INVALID_PAGE' });
    if (query.page !== null && query.after !== null) problems.push({ field: 'page', reason: 'PAGE_WITH_CURSOR' });
    if (query.perPage !== null && (!Number.isInteger(query.perPage) || query.perPage < 1 || query.perPage > MAX_PAGE_SIZE)) problems.push({ field: 'perPage', reason: 'PAGE_SIZE_OUT_OF_RANGE' });
    if (query.perPage === null) checkPageSize(query.first);
    if (query.from !== null && !isPeriod(query.from)) problems.push({ field: 'from', reason: 'INVALID_PERIOD' });
    if (query.to !== null && !isPeriod(query.to)) problems.push({ field: 'to', reason: 'INVALID_PERIOD' });
    if (!problems.length && query.from !== null && query.to !== null && query.from > query.to) problems.push({ field: 'to', reason: 'PERIOD_BEFORE_FROM' });
    if (problems.length) throw invalidFields(problems);
    const brokerId = await this.brokerScope(viewer, query.brokerId);
    const after = query.after === null ? null : positionOf(query.after);
    const size = query.perPage ?? query.first;
    const page = after === null ? (query.page ?? 1) : null;
    const offset = page === null ? 0 : (page - 1) * size;
    const rows = await this.store.page({ brokerId, from: query.from, to: query.to, type: query.type, after, offset }, size + 1);
    return { rows: rows.slice(0, size), hasNextPage: rows.length > size, page, perPage: size };
  }

  /** One statement the viewer may read; 404 otherwise. */
  async statement(viewer: Viewer, id: string): Promise<CommissionStatement> {
    assertBillingRole(viewer);
    const row = await this.store.statement(id);
    if (!row || (viewer.kind === 'broker' && row.brokerId !== viewer.id)) throw notFound('commission_statement');
    return row;
  }

  /**
   * Lines of statements the viewer has already been given (through `page` or `statement`, which did
   * the access check), batched for a page of them.
   */
  linesOf(statementIds: readonly string[]): Promise<CommissionLine[]> {
    return this.store.lines(statementIds);
  }

  /** The statement as a file: `commission-statement-2026-10.pdf` or `.csv`. */
  async file(viewer: Viewer, id: string, format: StatementFormat): Promise<StatementFile> {
    const statement = await this.statement(viewer, id);
    const lines = await this.store.lines([statement.id]);
    const fileName = `commission-statement-${statement.period}.${format}`;
    if (format === 'csv') return { fileName, contentType: CSV_CONTENT_TYPE, bytes: statementCsv(statement, lines) };
    return { fileName, contentType: 'application/pdf', bytes: await statementPdf(statement, lines, await this.store.broker(statement.brokerId)) };
  }

  /** Whose statements a list reads: a broker's own only; back-office anyone's, or one broker's. */
  private async brokerScope(viewer: Viewer, requested: string | null): Promise<string | null> {
    if (viewer.kind === 'broker') {
      // Naming another broker reveals nothing: the same 404 as a broker that does not exist.
      if (requested !== null && requested !== viewer.id) throw notFound('broker');
      return viewer.id;
    }
    if (requested !== null && !(await this.store.broker(requested))) throw notFound('broker');
    return requested;
  }

  /** The cursor of a statement in the list order. */
  static cursorOf(row: CommissionStatement): string {
    return encodeCursor([row.period, row.id]);
  }
}

function positionOf(cursor: string): { period: string; id: string } {
  const [period, id] = decodeCursor(cursor, 2);
  if (!isPeriod(period)) throw new AppError('parameter_invalid', 'INVALID_CURSOR', { field: 'after' });
  return { period, id };
}

/** Commission data is for brokers and back-office only (docs/SECURITY.md 14): subscribers and partner platforms never. */
function assertBillingRole(viewer: Viewer): void {
  if (viewer.kind !== 'broker' && viewer.kind !== 'backoffice') throw insufficientRoles();
}
