/** camelCase -> snake_case for one key (`initialPayment` -> `initial_payment`); `/v1` itself speaks camelCase. */

// Keys repeat on every call (field names): each conversion is worked out once.
const seen = new Map<string, string>();

export function toSnake(key: string): string {
  let converted = seen.get(key);
  if (converted === undefined) {
    converted = key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
    if (seen.size < 10_000) seen.set(key, converted);
  }
  return converted;
}
