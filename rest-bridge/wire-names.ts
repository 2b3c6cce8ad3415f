import { isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLEnumType, type GraphQLInputType } from 'graphql';

/**
 * `/v1` bodies and query parameters carry the GraphQL field names as they are (camelCase): the bridge
 * renames nothing, except where a route declares its own wire names (the OAuth 2.0 spellings of the
 * token routes) and the enum values REST spells with '-'.
 */

/** Top-level keys renamed by `names` (wire name -> GraphQL name); other keys pass unchanged. */
export function renameKeys(value: Record<string, unknown>, names: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[names[key] ?? key] = item;
  return out;
}

/** The inverse map: GraphQL name -> wire name. */
export function invert(names: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(names).map(([wire, graphql]) => [graphql, wire]));
}

/**
 * REST spells multi-word enum values with '-' (the public docs' `client-request`, `business-commission`),
 * which a GraphQL enum value cannot hold: wherever the input type says a string is an enum value, '-'
 * reads as '_' (`client_request`). Only enum positions change: free text keeps its dashes.
 */
export function restEnumValues(value: unknown, type: GraphQLInputType): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return Array.isArray(value) ? value.map((item) => restEnumValues(item, inner.ofType)) : restEnumValues(value, inner.ofType);
  if (isEnumType(inner)) return typeof value === 'string' ? restEnumValue(value, inner) : value;
  if (isInputObjectType(inner) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const fields = inner.getFields();
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fields[key] ? restEnumValues(item, fields[key].type) : item;
    return out;
  }
  return value;
}

/**
 * The enums whose values the public REST docs spell with '-' (`client-request`, `business-commission`).
 * For them the '-' spelling is the only one: `business_commission` is not a documented value and must be
 * the 400 the docs promise, so its '_' goes to GraphQL as '-', which no enum value holds.
 */
const DASHED_ON_THE_WIRE: ReadonlySet<string> = new Set(['SurrenderReason', 'CommissionType']);

/** One enum value as REST sent it, in GraphQL's spelling ('-' read as '_'). */
export function restEnumValue(value: string, type: GraphQLEnumType): string {
  if (DASHED_ON_THE_WIRE.has(type.name) && value.includes('_')) return value.replaceAll('_', '-');
  return value.replaceAll('-', '_');
}

/** An enum's values as `/v1` spells them (for OpenAPI): dashed for the enums the docs spell so. */
export function wireEnumValues(type: GraphQLEnumType): string[] {
  const names = type.getValues().map((v) => v.name);
  return DASHED_ON_THE_WIRE.has(type.name) ? names.map((name) => name.replaceAll('_', '-')) : names;
}
