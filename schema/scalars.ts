import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { hasForbiddenCharacters } from '../domain/shared/text';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';

/**
 * Dates a client may send: years 1900 to 2200. Year 0 (which PostgreSQL has not) and five-digit or
 * far-past years are never typed on purpose, and would otherwise reach SQL and fail there.
 */
export const DATE_YEARS = { min: 1900, max: 2200 } as const;

function inRange(year: number): boolean {
  return Number.isInteger(year) && year >= DATE_YEARS.min && year <= DATE_YEARS.max;
}

/** A graphql-scalars date type whose parsed values must also fall within DATE_YEARS. */
function bounded<T>(base: GraphQLScalarType, yearOf: (value: T) => number): GraphQLScalarType {
  const check = (value: T): T => {
    if (!inRange(yearOf(value))) throw new GraphQLError(`${base.name} year out of range ${DATE_YEARS.min}-${DATE_YEARS.max}`);
    return value;
  };
  const config = base.toConfig();
  return new GraphQLScalarType({
    ...config,
    parseValue: (value: unknown) => check(config.parseValue!(value) as T),
    parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => check(config.parseLiteral!(ast, variables) as T),
  });
}

/** `YYYY-MM-DD`, 1900-2200. */
export const BoundedLocalDate = bounded<string>(LocalDateResolver, (value) => Number(value.slice(0, 4)));
/** RFC 3339 date-time, 1900-2200. */
export const BoundedDateTime = bounded<Date>(DateTimeResolver, (value) => value.getUTCFullYear());

/** At most this many variables, each name at most 64 characters, each text value at most 5000. */
export const EMAIL_VARIABLES_LIMITS = { count: 50, nameLength: 64, textLength: 5000 } as const;
const VARIABLE_NAME = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${EMAIL_VARIABLES_LIMITS.nameLength - 1}}$`);

/**
 * The variables of an e-mail template: one flat JSON object of text, numbers, true/false or null (a
 * template prints values; it has no use for nested data). Text may hold line breaks, no other control
 * character. A plain Error (not a GraphQLError) lets graphql-js name the type, which the error sentence reads.
 */
function emailVariables(value: unknown): Record<string, string | number | boolean | null> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('not an object');
  const entries = Object.entries(value);
  if (entries.length > EMAIL_VARIABLES_LIMITS.count) throw new TypeError('too many variables');
  for (const [name, item] of entries) {
    if (!VARIABLE_NAME.test(name)) throw new TypeError('bad variable name');
    if (typeof item === 'string') {
      if (item.length > EMAIL_VARIABLES_LIMITS.textLength || hasForbiddenCharacters(item, true)) throw new TypeError('bad text');
    } else if (!(item === null || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item)))) throw new TypeError('bad value');
  }
  return value as Record<string, string | number | boolean | null>;
}

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value)]));
    case Kind.STRING:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.NULL:
      return null;
    default:
      // Lists and variables inside the literal: not a flat object of values.
      return undefined;
  }
}

export const EmailVariablesScalar = new GraphQLScalarType({
  name: 'EmailVariables',
  serialize: (value) => value,
  parseValue: emailVariables,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.OBJECT) throw new TypeError('not an object');
    const value = literalValue(ast) as Record<string, unknown>;
    if (Object.values(value).some((v) => v === undefined)) throw new TypeError('bad value');
    return emailVariables(value);
  },
});
