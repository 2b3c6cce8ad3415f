import {
  execute,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { RequestContext } from '../context/context';
import { DocumentLimitsRule } from '../schema/limits';
import { shapeErrors } from './graphql-results';
import type { Logger } from './logger';
import type { Reply } from './reply';

const MAX_CACHED_DOCUMENTS = 1000;
const MAX_CACHED_QUERY_LENGTH = 20_000;
/** Parsing stops past this many tokens: no legitimate document of ours comes close. */
export const MAX_TOKENS = 5_000;

/** A POST body this executor takes: `query`, and optionally `variables` and `operationName`, nothing else. */
interface PlainRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

function plainRequest(body: unknown): PlainRequest | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { query, variables, operationName, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length) return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return body as PlainRequest;
}

/**
 * The hot path of `/graphql`: a POST of a document that parses and validates runs straight on
 * graphql-js, its parsed and validated document kept in memory so a repeated query costs only its
 * execution. Everything else (GET, extensions such as persisted queries, documents that do not parse or
 * validate, so their errors are Apollo's) returns undefined and goes through Apollo Server. Results
 * and errors leave in the same shape either way (`shapeErrors`).
 */
export class DirectExecutor {
  private readonly documents = new Map<string, DocumentNode>();
  private readonly rules: readonly ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    options: { production: boolean },
    private readonly docsBaseUrl: () => string,
    private readonly logger: Logger,
  ) {
    this.rules = [...specifiedRules, DocumentLimitsRule, ...(options.production ? [NoSchemaIntrospectionCustomRule] : [])];
  }

  async execute(body: unknown, accept: string | undefined, context: RequestContext): Promise<Reply | undefined> {
    const request = plainRequest(body);
    if (!request) return undefined;
    const document = this.document(request.query);
    if (!document || !getOperationAST(document, request.operationName ?? undefined)) return undefined;
    const result = await execute({
      schema: this.schema,
      document,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
      contextValue: context,
    });
    const hasData = result.data !== undefined && result.data !== null;
    const shaped = result.errors?.length ? shapeErrors(result.errors, hasData, context.requestId, this.docsBaseUrl(), this.logger) : undefined;
    const payload = shaped ? { errors: shaped.errors, ...('data' in result ? { data: result.data } : {}) } : { data: result.data };
    const headers: Record<string, string | string[]> = {
      'content-type': accept?.includes('application/graphql-response+json') ? 'application/graphql-response+json; charset=utf-8' : 'application/json; charset=utf-8',
      ...(shaped?.headers ?? {}),
    };
    // A session is only handed out by a request that succeeded as a whole (aliases can mix a good login with a 401).
    if (context.response.cookies.length && !shaped) headers['set-cookie'] = context.response.cookies;
    return { status: shaped?.status ?? 200, headers, body: JSON.stringify(payload) };
  }

  private document(query: string): DocumentNode | undefined {
    const cached = this.documents.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_TOKENS });
    } catch {
      return undefined;
    }
    if (validate(this.schema, document, this.rules).length) return undefined;
    if (query.length <= MAX_CACHED_QUERY_LENGTH) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.documents.size >= MAX_CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(query, document);
    }
    return document;
  }
}
