import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors/app-error';

/**
 * Which GraphQL document a request runs, by its text or by a hash the server already knows:
 *
 * - automatic persisted queries (APQ, Apollo's protocol): `extensions.persistedQuery = { version: 1,
 *   sha256Hash }`. A hash we do not hold answers `PersistedQueryNotFound` (as Apollo Server does: status
 *   200, that exact message, which Apollo's clients look for); the client then sends the text with the
 *   hash, we check that the hash is the text's SHA-256 and keep it in a bounded LRU (per replica: a miss
 *   costs a client one more round trip, never an error, so the database is not worth a write per text).
 * - trusted documents: a manifest of hash -> document loaded at start-up. When they are required, only
 *   those run: any other text or hash is refused (DOCUMENT_NOT_TRUSTED) and APQ registration is off.
 *
 * A document found by hash is `known`: the pipeline compiles it once (graphql-jit) like the REST
 * bridge's operations; an ad-hoc text runs on graphql-js.
 */
export interface DocumentsOptions {
  /** Trusted documents by SHA-256 hex of their text; undefined when no manifest is configured. */
  trusted?: ReadonlyMap<string, string>;
  /** Refuse every document that is not in `trusted`. */
  trustedOnly: boolean;
  /** APQ cache size; 0 turns APQ off (PersistedQueryNotSupported). Ignored when `trustedOnly`. */
  apqCacheSize: number;
}

/** The document a request resolved to: its text, and whether the server knew it ahead of the request. */
export interface ResolvedDocument {
  query: string;
  known: boolean;
}

/** Reasons whose message is Apollo's wire contract (clients match the exact text) and whose status is 200, as Apollo Server answers. */
export const PERSISTED_QUERY_PROTOCOL_REASONS: ReadonlySet<string> = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class PersistedDocuments {
  private readonly apq: LRUCache<string, string> | undefined;
  private readonly trusted: ReadonlyMap<string, string>;

  constructor(private readonly options: DocumentsOptions) {
    if (options.trustedOnly && !options.trusted) throw new Error('trusted documents are required but no manifest was loaded');
    this.trusted = options.trusted ?? new Map();
    this.apq = !options.trustedOnly && options.apqCacheSize > 0 ? new LRUCache({ max: options.apqCacheSize }) : undefined;
  }

  /** How many trusted documents the manifest holds (start-up log). */
  get trustedCount(): number {
    return this.trusted.size;
  }

  /** The document to run for a request's `query` and `extensions`; throws the AppError that refuses it. */
  resolve(query: unknown, extensions: Record<string, unknown> | null | undefined): ResolvedDocument {
    const persisted = extensions?.persistedQuery;
    if (persisted === undefined || persisted === null) {
      if (typeof query !== 'string') throw invalidRequest('The request needs a `query` parameter, a string holding the GraphQL document, or `extensions.persistedQuery` naming a persisted one.');
      if (!this.options.trustedOnly) return { query, known: false };
      // A client without hashes may still send a trusted document's exact text.
      if (this.trusted.has(sha256Hex(query))) return { query, known: true };
      throw notTrusted();
    }
    const { version, sha256Hash } = persisted as Record<string, unknown>;
    if (typeof persisted !== 'object' || Array.isArray(persisted) || version !== 1 || typeof sha256Hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256Hash)) {
      throw invalidRequest('`extensions.persistedQuery` must be `{ "version": 1, "sha256Hash": "<64 hex digits>" }`.');
    }
    const hash = sha256Hash.toLowerCase();
    const trusted = this.trusted.get(hash);
    if (trusted !== undefined) return { query: trusted, known: true };
    if (this.options.trustedOnly) throw notTrusted();
    if (!this.apq) throw new AppError('parameter_invalid', 'PERSISTED_QUERY_NOT_SUPPORTED', { message: 'PersistedQueryNotSupported' });
    if (query === undefined || query === null) {
      const stored = this.apq.get(hash);
      if (stored === undefined) throw new AppError('parameter_invalid', 'PERSISTED_QUERY_NOT_FOUND', { message: 'PersistedQueryNotFound' });
      return { query: stored, known: true };
    }
    if (typeof query !== 'string') throw invalidRequest('`query`, when sent, must be a string holding the GraphQL document.');
    if (sha256Hex(query) !== hash) throw invalidRequest('`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`: send the hash of the exact text.');
    // Kept only once it parses and validates would be stricter, but an invalid text is refused on every use anyway.
    this.apq.set(hash, query);
    return { query, known: true };
  }
}

/**
 * Reads a trusted-documents manifest: either a JSON object of SHA-256 hex -> document text, or Apollo's
 * persisted query manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }] }`).
 * Every entry's hash is checked against its text: a manifest that lies stops start-up.
 */
export function loadTrustedDocuments(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`TRUSTED_DOCUMENTS: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const entries: [string, unknown][] =
    isRecord(parsed) && parsed.format === 'apollo-persisted-query-manifest' && Array.isArray(parsed.operations)
      ? parsed.operations.map((op: unknown) => (isRecord(op) ? [String(op.id), op.body] : ['', undefined]))
      : isRecord(parsed)
        ? Object.entries(parsed)
        : [];
  if (!isRecord(parsed)) throw new Error(`TRUSTED_DOCUMENTS: ${path} must hold a JSON object of hash -> document, or an Apollo persisted query manifest`);
  const documents = new Map<string, string>();
  for (const [hash, text] of entries) {
    if (typeof text !== 'string' || sha256Hex(text) !== hash.toLowerCase()) {
      throw new Error(`TRUSTED_DOCUMENTS: ${path}: entry "${hash}" is not a document whose SHA-256 is its key`);
    }
    documents.set(hash.toLowerCase(), text);
  }
  return documents;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notTrusted(): AppError {
  return new AppError('parameter_invalid', 'DOCUMENT_NOT_TRUSTED', { message: 'This server runs trusted documents only: send the hash of a document from its manifest in `extensions.persistedQuery`, or that document\'s exact text.' });
}

function invalidRequest(message: string): AppError {
  return new AppError('parameter_invalid', 'INVALID_GRAPHQL_REQUEST', { message });
}
