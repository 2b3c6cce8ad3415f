import { isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';

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
  if (isEnumType(inner)) return typeof value === 'string' ? value.replaceAll('-', '_') : value;
  if (isInputObjectType(inner) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const fields = inner.getFields();
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fields[key] ? restEnumValues(item, fields[key].type) : item;
    return out;
  }
  return value;
}
