import type { ContractDocument } from '../domain/subscription/signature';
import type { Queryable } from './db';

interface DocumentRow {
  id: string;
  subscription_id: string;
  kind: string;
  title: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  created_at: Date;
}

const COLUMNS = 'id, subscription_id, kind, title, file_name, content_type, size_bytes, sha256, created_at';

function toDocument(r: DocumentRow): ContractDocument {
  return {
    id: r.id, subscriptionId: r.subscription_id, kind: r.kind, title: r.title, fileName: r.file_name, contentType: r.content_type, sizeBytes: r.size_bytes,
    sha256: r.sha256, createdAt: r.created_at,
  };
}

/** Contract and supporting documents; contents are read only when downloaded. */
export class DocumentStore {
  constructor(private readonly db: Queryable) {}

  async list(subscriptionId: string, tx: Queryable = this.db): Promise<ContractDocument[]> {
    return (await tx.query<DocumentRow>(`select ${COLUMNS} from documents where subscription_id = $1 order by created_at, id`, [subscriptionId])).map(toDocument);
  }

  async content(subscriptionId: string, documentId: string): Promise<(ContractDocument & { content: Buffer }) | undefined> {
    const rows = await this.db.query<DocumentRow & { content: Uint8Array }>(`select ${COLUMNS}, content from documents where id = $1 and subscription_id = $2`, [documentId, subscriptionId]);
    // PGlite returns bytea as Uint8Array, pg as Buffer.
    return rows[0] ? { ...toDocument(rows[0]), content: Buffer.from(rows[0].content) } : undefined;
  }

  async insert(tx: Queryable, row: ContractDocument & { content: Buffer }): Promise<void> {
    await tx.query(
      `insert into documents (${COLUMNS}, content) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, row.subscriptionId, row.kind, row.title, row.fileName, row.contentType, row.sizeBytes, row.sha256, row.createdAt, row.content],
    );
  }

  /** How many documents of these kinds a subscription holds (in the caller's transaction, under its lock). */
  async countKinds(tx: Queryable, subscriptionId: string, kinds: readonly string[]): Promise<number> {
    const rows = await tx.query<{ n: number }>('select count(*)::int as n from documents where subscription_id = $1 and kind = any($2::text[])', [subscriptionId, kinds]);
    return Number(rows[0].n);
  }

  async deleteKinds(tx: Queryable, subscriptionId: string, kinds: readonly string[]): Promise<void> {
    await tx.query('delete from documents where subscription_id = $1 and kind = any($2::text[])', [subscriptionId, kinds]);
  }
}
