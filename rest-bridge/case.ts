/** REST speaks snake_case, GraphQL camelCase; the bridge converts keys both ways, deeply. */

// Keys repeat on every request (field names): each conversion is worked out once.
function memoized(convert: (key: string) => string): (key: string) => string {
  const seen = new Map<string, string>();
  return (key) => {
    let converted = seen.get(key);
    if (converted === undefined) {
      converted = convert(key);
      if (seen.size < 10_000) seen.set(key, converted);
    }
    return converted;
  };
}

export const toCamel = memoized((key) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
export const toSnake = memoized((key) => key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()));

export function convertKeys(value: unknown, convert: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => convertKeys(item, convert));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key in value) out[convert(key)] = convertKeys((value as Record<string, unknown>)[key], convert);
    return out;
  }
  return value;
}
