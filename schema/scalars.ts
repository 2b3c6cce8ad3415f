import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
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
