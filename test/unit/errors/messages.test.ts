import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AppError, INSUFFICIENT_ROLES, invalidFields, UNAUTHORIZED_REASONS, unauthorized } from '../../../errors/app-error';
import { CATALOG, type CatalogEntry, type ErrorCode } from '../../../errors/catalog';
import { renderEnvelope, internalError } from '../../../errors/envelope';
import { formatAppError } from '../../../errors/graphql-errors';
import { SENTENCE_GROUPS, sentenceFor } from '../../../errors/messages';
import { fieldErrorFromVariable } from '../../../errors/variable-errors';
import { GraphQLError } from 'graphql';

const ROOT = join(__dirname, '../../..');
// Code that never builds an error a client sees: settings, scripts, the benchmark.
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'test', 'bench', 'config', 'scripts', 'dist', '.git']);

/**
 * Upper-snake literals that are not reasons a client can receive: environment variable names, the
 * webhook verifier's details, which only reach the log (the client gets 401 INVALID_SIGNATURE), and
 * the DNS error code the outbound webhook transport turns into its attempt log's words.
 */
const NOT_REASONS = new Set([
  'API_HOST', 'TRUST_PROXY', 'TRUSTED_PROXIES', 'PLAYGROUND_CSP', 'MISSING_HEADERS', 'MALFORMED_HEADERS', 'TIMESTAMP_OUT_OF_TOLERANCE', 'NO_MATCHING_SIGNATURE', 'EAI_AGAIN',
  // The documented units of switch legs: enum values a client sends, never a reason.
  'BASIS_POINT_OF_CURRENT_POSITION', 'BASIS_POINT_OF_SELL_PROCEED',
]);
/** Their documented message is the reason itself: no sentence. */
const MESSAGE_IS_REASON = new Set<string>([...UNAUTHORIZED_REASONS, INSUFFICIENT_ROLES]);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : sourceFiles(join(directory, entry.name));
    return entry.name.endsWith('.ts') ? [join(directory, entry.name)] : [];
  });
}

/** Every reason literal in the source (quoted or in backticks), and every reason built in a template. */
function reasonsInSource(): { literals: Map<string, string>; templates: Map<string, string> } {
  const literals = new Map<string, string>();
  const templates = new Map<string, string>();
  for (const file of sourceFiles(ROOT)) {
    const text = readFileSync(file, 'utf8');
    const where = relative(ROOT, file);
    for (const [, reason] of text.matchAll(/['`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['`]/g)) literals.set(reason, where);
    // `CANNOT_${action}_IN_STATE_${state}`, `${what.toUpperCase()}_NOT_FOUND`: each part stands for a word.
    for (const [, template] of text.matchAll(/`((?:[A-Z0-9_]*\$\{[^}`]+\}[A-Z0-9_]*)+)`/g)) {
      if (/[A-Z]{2,}/.test(template.replace(/\$\{[^}]+\}/g, ''))) templates.set(template.replace(/\$\{[^}]+\}/g, 'SOME_STATE'), where);
    }
  }
  return { literals, templates };
}

describe('error sentences', () => {
  const { literals, templates } = reasonsInSource();

  it('finds the reasons thrown across the code base (the scan itself works)', () => {
    for (const known of ['REQUIRED_FIELD_MISSING', 'TOTAL_SURRENDER_ALREADY_OPEN', 'IBAN_CHECKSUM_FAILED', 'MALFORMED_JSON', 'NO_SESSION']) expect(literals.has(known)).toBe(true);
    expect(templates.has('SOME_STATE_NOT_FOUND')).toBe(true);
    expect(templates.has('CANNOT_SOME_STATE_IN_STATE_SOME_STATE')).toBe(true);
  });

  it('has a sentence for every reason a client can receive, so none ships without one', () => {
    const missing = [...literals].filter(([reason]) => !NOT_REASONS.has(reason) && !MESSAGE_IS_REASON.has(reason) && sentenceFor(reason) === undefined);
    expect(missing.map(([reason, file]) => `${reason} (${file})`)).toEqual([]);
  });

  it('has a sentence for every reason built from a state or a name', () => {
    const missing = [...templates].filter(([reason]) => sentenceFor(reason) === undefined);
    expect(missing.map(([reason, file]) => `${reason} (${file})`)).toEqual([]);
  });

  it('has a sentence for the example of every catalog page', () => {
    for (const [code, entry] of Object.entries(CATALOG)) {
      if (!MESSAGE_IS_REASON.has(entry.exampleReason)) expect({ code, sentence: sentenceFor(entry.exampleReason, (entry as CatalogEntry).exampleField) }).toEqual({ code, sentence: expect.any(String) });
    }
  });

  it('has one sentence per reason across the files that hold them (a second would silently win)', () => {
    const reasons = SENTENCE_GROUPS.flatMap((group) => Object.keys(group));
    expect(reasons.filter((reason, i) => reasons.indexOf(reason) !== i)).toEqual([]);
    expect(reasons).toContain('MALFORMED_JSON');
  });

  it('names the parameter, and says how a value of the wrong form is written', () => {
    expect(sentenceFor('REQUIRED_FIELD_MISSING', 'requestedAt')).toBe('`requestedAt` is required.');
    expect(sentenceFor('INVALID_FIELD_VALUE', 'requestedAt', 'LocalDate')).toBe('`requestedAt` must be a date in the form YYYY-MM-DD.');
    expect(sentenceFor('CANNOT_SUSPEND_IN_STATE_CLOSED')).toMatch(/suspend.*closed/);
    expect(sentenceFor('NOT_A_REASON_ANYONE_THROWS')).toBeUndefined();
  });
});

describe('the error renderer, one for REST and GraphQL', () => {
  const base = 'https://api.example.test/docs';
  const both = (error: AppError) => ({ rest: renderEnvelope(error, base), graphql: formatAppError(error, base) });

  it('puts a sentence in message and the reason and field beside it', () => {
    const { rest, graphql } = both(invalidFields([{ field: 'requestedAt', reason: 'REQUIRED_FIELD_MISSING' }, { field: 'reason', reason: 'UNKNOWN_FIELD' }]));
    expect(rest.status).toBe(400);
    expect(rest.body.errors).toEqual([
      { code: 'parameter_invalid', message: '`requestedAt` is required.', doc_url: `${base}/errors/parameter_invalid`, reason: 'REQUIRED_FIELD_MISSING', field: 'requestedAt' },
      { code: 'parameter_invalid', message: '`reason` is not a parameter of this operation.', doc_url: `${base}/errors/parameter_invalid`, reason: 'UNKNOWN_FIELD', field: 'reason' },
    ]);
    expect(graphql).toEqual({
      message: '`requestedAt` is required.',
      extensions: {
        code: 'parameter_invalid',
        doc_url: `${base}/errors/parameter_invalid`,
        reason: 'REQUIRED_FIELD_MISSING',
        field: 'requestedAt',
        details: [{ reason: 'UNKNOWN_FIELD', field: 'reason', message: '`reason` is not a parameter of this operation.' }],
      },
    });
  });

  it('keeps the documented message of a 401 and of INSUFFICIENT_ROLES, with nothing beside it', () => {
    expect(both(unauthorized('NO_SESSION')).rest.body.errors).toEqual([{ code: 'unauthorized', message: 'NO_SESSION', doc_url: `${base}/errors/unauthorized` }]);
    const forbidden = both(new AppError('forbidden', INSUFFICIENT_ROLES));
    expect(forbidden.rest.body.errors).toEqual([{ code: 'forbidden', message: 'INSUFFICIENT_ROLES', doc_url: `${base}/errors/forbidden` }]);
    expect(forbidden.graphql).toEqual({ message: 'INSUFFICIENT_ROLES', extensions: { code: 'forbidden', doc_url: `${base}/errors/forbidden` } });
  });

  it('masks an internal failure behind a sentence and the request id', () => {
    const { rest, graphql } = both(internalError('req_abc-1'));
    expect(rest.status).toBe(500);
    expect(rest.body.errors).toEqual([{ code: 'internal_server_error', message: expect.stringMatching(/^An unexpected error occurred\./), doc_url: `${base}/errors/internal_server_error`, reason: 'INTERNAL_ERROR', requestId: 'req_abc-1' }]);
    expect(graphql.extensions).toMatchObject({ code: 'internal_server_error', requestId: 'req_abc-1' });
  });

  it('says how to write a variable that does not coerce, from the type graphql-js names', () => {
    const cases: Array<[string, string]> = [
      ['Variable "$input" got invalid value "2026-13-01" at "input.requestedAt"; Value is not a valid LocalDate: 2026-13-01', '`requestedAt` must be a date in the form YYYY-MM-DD.'],
      ['Variable "$page" got invalid value "two"; Int cannot represent non-integer value: "two"', '`page` must be a whole number.'],
      ['Variable "$input" got invalid value "later" at "input.reason"; Value "later" does not exist in "SurrenderReason" enum.', '`reason` must be one of the values the API reference lists for it.'],
    ];
    for (const [graphqlMessage, sentence] of cases) {
      const error = fieldErrorFromVariable(new GraphQLError(graphqlMessage), 'input')!;
      expect(renderEnvelope(error, base).body.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'INVALID_FIELD_VALUE', message: sentence });
    }
  });

  it('maps every code to its documented status', () => {
    const statuses: Partial<Record<ErrorCode, number>> = { parameter_invalid: 400, invalid_idempotency_key: 400, unauthorized: 401, forbidden: 403, resource_not_found: 404, compartment_not_found: 404, conflict: 409, unprocessable_content: 422, internal_server_error: 500 };
    for (const [code, status] of Object.entries(statuses)) expect({ code, status: CATALOG[code as ErrorCode].status }).toEqual({ code, status });
  });
});
