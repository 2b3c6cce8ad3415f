import {
  execute,
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SourceLocation,
  type ValidationRule,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { RequestContext } from '../context/context';
import { AppError, unauthorized } from '../errors/app-error';
import { CATALOG } from '../errors/catalog';
import { decisiveError, toAppError } from '../errors/graphql-errors';
import type { Logger } from '../http/logger';
import { DocumentLimitsRule } from '../schema/limits';
import { operationNeedsViewer, protectedFields } from './protected-fields';

const MAX_CACHED_DOCUMENTS = 1000;
const MAX_CACHED_QUERY_LENGTH = 20_000;
/**
 * An ad-hoc text is compiled like a known document at its this-many-th run: a client's hot queries then
 * cost what the REST bridge's do, while a text sent once is never compiled (compiling costs more than
 * one run), and a flood of distinct texts, each sent a few times, compiles nothing.
 */
export const HOT_DOCUMENT_RUNS = 16;
/** Parsing stops past this many tokens: no legitimate document of ours comes close. */
export const MAX_TOKENS = 5_000;

/**
 * What to run: a document as text (parsed and validated here, once per distinct text), or a document
 * the caller prepared and validated itself (the REST bridge's named operations, at start-up).
 */
export type OperationRequest = ({ query: string; document?: undefined } | { document: DocumentNode; query?: undefined }) & {
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  /**
   * A document the server knows ahead of the request (a persisted or trusted document): compiled
   * once like the REST bridge's operations. Ad-hoc texts run on graphql-js.
   */
  known?: boolean;
};

/** How one operation is executed: compiled by graphql-jit, or graphql-js when jit is off or could not compile it. */
export type CompiledOperation = { engine: 'jit'; query: CompiledQuery['query'] } | { engine: 'graphql-js'; reason: string };

export interface RunOptions {
  /** GET: only queries run; a mutation is refused (405) before anything executes. */
  readOnly?: boolean;
  /** The REST bridge's body variable: its coercion errors name the field as the body spells it. */
  bodyVariable?: string;
}

/** One error of an outcome, where it happened in the document and the result. */
export interface OutcomeError {
  /** The error by our catalog: what the rules (status, headers, cookies, finality) read. */
  error: AppError;
  path?: ReadonlyArray<string | number>;
  locations?: readonly SourceLocation[];
  /**
   * The error as another part wrote it (a subgraph behind the GraphQL front): written to the client
   * untouched, its code, message and doc_url the part's own; `error` stands for it in the rules.
   */
  asSent?: GraphQLFormattedError;
}

/** How a front reads an error another part wrote: its AppError for the rules, and the error as sent; undefined when it is not one. */
export type ForwardedError = (error: GraphQLError) => { error: AppError; asSent: GraphQLFormattedError } | undefined;

/** A request's result with what it means for HTTP, the same for every front. */
export interface ExecutionOutcome {
  /**
   * Whether the operation ran. A request that could not run (no or bad credentials for a protected
   * field, a document that does not parse or validate, variables that do not coerce, a mutation over
   * GET) did not, and has no `data`.
   */
  executed: boolean;
  /** The result's data: absent when the operation did not run, null when an error reached the root. */
  data?: Record<string, unknown> | null;
  errors: OutcomeError[];
  /**
   * GraphQL over HTTP: a request that ran is 200, partial data and field errors included (the errors
   * say what failed, field by field); one that could not run takes its decisive error's status, 401 first.
   */
  status: number;
  /** Headers the errors imply: `WWW-Authenticate` with a 401, `Allow` with a 405, `Retry-After`. */
  headers: Record<string, string>;
  /** Set-Cookie values: only from an operation that ran without any error (a login mixed with a failure hands out no session). */
  cookies: string[];
  /** False when an error is ours (5xx) or a throttle: not a final answer, so idempotency must not keep it. */
  final: boolean;
}

/**
 * The one execution pipeline: a document (or a prepared operation), variables and a request context
 * in, a result with its HTTP status, headers and cookies out. `/graphql` (http/graphql-http.ts) and the
 * REST bridge (rest-bridge/bridge.ts) both run on it, and so can any other front. Steps, in order:
 * parse and validate (cached per text: a repeated query costs only its execution), pick the operation,
 * refuse what cannot run (a mutation over GET; a protected field without a viewer: 401 before any
 * resolver, with the reason the context found), then graphql-js `execute`, whose errors become
 * AppErrors (errors/graphql-errors.ts) and are logged once when they are ours.
 */
export class ExecutionPipeline {
  /** Parsed and validated texts, with how many times each ran from here. */
  private readonly documents = new Map<string, { document: DocumentNode; runs: number }>();
  private readonly rules: readonly ValidationRule[];
  private readonly protectedFields: ReadonlySet<string>;
  private readonly operations = new WeakMap<DocumentNode, Map<string, { operation: OperationDefinitionNode; needsViewer: boolean }>>();
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledOperation>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: { production: boolean; logger: Logger; /** Compile known documents with graphql-jit (default true). */ jit?: boolean },
  ) {
    this.rules = [...specifiedRules, DocumentLimitsRule, ...(options.production ? [NoSchemaIntrospectionCustomRule] : [])];
    this.protectedFields = protectedFields(schema);
  }

  async run(request: OperationRequest, context: RequestContext, options: RunOptions = {}): Promise<ExecutionOutcome> {
    const prepared = request.document !== undefined ? { document: request.document, compile: true } : this.document(request.query);
    if ('errors' in prepared) return notRun(prepared.errors);
    const { document } = prepared;
    const operationName = request.operationName ?? undefined;
    const analysis = this.operation(document, operationName);
    if (!analysis) {
      const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
      return notRun([{ error: new AppError('parameter_invalid', 'INVALID_GRAPHQL_REQUEST', { message }) }]);
    }
    // graphql-js would run a subscription as if it were a query, and fail it as a field error when the schema has no such root.
    if (analysis.operation.operation === 'subscription') {
      return notRun([{ error: new AppError('parameter_invalid', 'INVALID_GRAPHQL_REQUEST', { message: 'Subscriptions are not served: the schema has no subscription root.' }) }]);
    }
    if (options.readOnly && analysis.operation.operation !== 'query') {
      return notRun([{ error: new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { message: 'Only queries run over GET; send mutations with POST.', headers: { Allow: 'POST' } }) }]);
    }
    if (analysis.needsViewer && !context.viewer) return notRun([{ error: unauthorized(context.authFailure ?? 'NO_SESSION') }]);
    const args = { schema: this.schema, document, variableValues: request.variables ?? undefined, operationName, contextValue: context };
    const compiled = request.known || prepared.compile ? this.compile(document, operationName) : undefined;
    let result = compiled?.engine === 'jit' ? await compiled.query(undefined, context, args.variableValues) : await execute(args);
    // Variables that do not coerce (the operation never ran): graphql-js words those errors as the
    // bridge reads them (the field as the body spells it), so they are taken from graphql-js.
    if (compiled?.engine === 'jit' && result.data === undefined) result = await execute(args);
    return outcomeOf(result, context, { bodyVariable: options.bodyVariable, logger: this.options.logger, operation: analysis.operation.name?.value });
  }

  /**
   * The document's operation compiled by graphql-jit, once per document and operation (the REST bridge
   * calls it for each named operation at start-up). An operation jit cannot compile runs on graphql-js,
   * said once in the log; so does every operation when jit is off.
   */
  compile(document: DocumentNode, operationName?: string): CompiledOperation {
    let byName = this.compiled.get(document);
    if (!byName) this.compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let compiled = byName.get(key);
    if (compiled) return compiled;
    if (this.options.jit === false) {
      compiled = { engine: 'graphql-js', reason: 'GRAPHQL_JIT=0' };
    } else {
      try {
        const jit = compileQuery(this.schema, document, operationName, { disablingCapturingStackErrors: true });
        compiled = isCompiledQuery(jit) ? { engine: 'jit', query: jit.query.bind(jit) } : { engine: 'graphql-js', reason: (jit.errors ?? []).map((e) => e.message).join('; ') };
      } catch (error) {
        compiled = { engine: 'graphql-js', reason: error instanceof Error ? error.message : String(error) };
      }
      if (compiled.engine === 'graphql-js') this.options.logger.info('operation not compiled, runs on graphql-js', { operation: operationName, reason: compiled.reason });
    }
    byName.set(key, compiled);
    return compiled;
  }

  /** Which engine runs a text now: `jit` once compiled, undefined while it runs uncompiled (or is not cached). */
  engineOf(query: string, operationName?: string): CompiledOperation['engine'] | undefined {
    const cached = this.documents.get(query);
    return cached && this.compiled.get(cached.document)?.get(operationName ?? '')?.engine;
  }

  /**
   * The parsed and validated document for a query text, or the errors that stop it (cached when it
   * passes); `compile` from the text's HOT_DOCUMENT_RUNS-th run on.
   */
  private document(query: string): { document: DocumentNode; compile: boolean } | { errors: OutcomeError[] } {
    const cached = this.documents.get(query);
    if (cached) {
      if (cached.runs < HOT_DOCUMENT_RUNS) cached.runs += 1;
      return { document: cached.document, compile: cached.runs >= HOT_DOCUMENT_RUNS };
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_TOKENS });
    } catch (error) {
      return { errors: [this.requestError(error)] };
    }
    const problems = validate(this.schema, document, this.rules);
    if (problems.length) return { errors: problems.map((p) => this.requestError(p)) };
    if (query.length <= MAX_CACHED_QUERY_LENGTH) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.documents.size >= MAX_CACHED_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(query, { document, runs: 1 });
    }
    return { document, compile: false };
  }

  /** A parse or validation error; in production without graphql-js's "Did you mean" (it would reveal the schema). */
  private requestError(error: unknown): OutcomeError {
    if (!(error instanceof GraphQLError)) return { error: toAppError(error, 'none') };
    const appError = toAppError(error, 'none');
    return { error: this.options.production ? withoutSuggestions(appError) : appError, locations: error.locations };
  }

  /** The operation to run and whether it touches a field that needs a signed-in caller (kept per document). */
  private operation(document: DocumentNode, operationName: string | undefined) {
    let byName = this.operations.get(document);
    if (!byName) this.operations.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let analysis = byName.get(key);
    if (!analysis) {
      const operation = getOperationAST(document, operationName);
      if (!operation) return undefined;
      analysis = { operation, needsViewer: operationNeedsViewer(this.schema, this.protectedFields, document, operation) };
      byName.set(key, analysis);
    }
    return analysis;
  }
}

/** A document error without graphql-js's "Did you mean" (in production it would reveal the schema). */
export function withoutSuggestions(appError: AppError): AppError {
  const message = appError.extra.message;
  if (message === undefined || appError.reason !== 'INVALID_GRAPHQL_REQUEST') return appError;
  return new AppError(appError.code, appError.reason, { ...appError.extra, message: message.replace(/ ?Did you mean(.+?)\?$/, '') });
}

/**
 * The outcome of an execution result by the pipeline's rules (status, cookies, finality). `run` uses it;
 * so does a front that executes elsewhere (the GraphQL front, for /graphql and behind the REST bridge),
 * whose `forwarded` keeps the errors its subgraphs wrote as they wrote them. A result without `data`
 * did not run (a document the front's gateway could not parse or validate).
 */
export function outcomeOf(
  result: ExecutionResult,
  context: { requestId: string; response: { cookies: string[] } },
  options: { bodyVariable?: string; logger: Logger; operation?: string; forwarded?: ForwardedError },
): ExecutionOutcome {
  const errors = (result.errors ?? []).map((e): OutcomeError => {
    const forwarded = options.forwarded?.(e);
    if (forwarded) return { ...forwarded, path: e.path, locations: e.locations };
    const error = toAppError(e, context.requestId, options.bodyVariable);
    if (error.code === 'internal_server_error') options.logger.error('graphql operation failed', { requestId: context.requestId, operation: options.operation, path: e.path, error: e });
    return { error, path: e.path, locations: e.locations };
  });
  // graphql-js answers without `data` when the operation never started (variables that do not coerce).
  if (!('data' in result)) return notRun(errors);
  const final = errors.every((e) => e.error.code !== 'rate_limited' && CATALOG[e.error.code].status < 500);
  const retryAfter = errors.find((e) => e.error.extra.headers?.['Retry-After'])?.error.extra.headers?.['Retry-After'];
  return {
    executed: true,
    data: result.data as Record<string, unknown> | null,
    errors,
    status: 200,
    headers: retryAfter ? { 'Retry-After': retryAfter } : {},
    cookies: errors.length ? [] : context.response.cookies,
    final,
  };
}

/** The outcome of a request that could not run: no data, the decisive error's status and headers. */
export function notRun(errors: OutcomeError[]): ExecutionOutcome {
  const decisive = decisiveError(errors.map((e) => e.error));
  const status = CATALOG[decisive.code].status;
  return { executed: false, errors, status, headers: decisive.extra.headers ?? {}, cookies: [], final: status < 500 && status !== 429 };
}
