import type { Answer } from './http';

/** The REST envelope's entries as `field message` pairs, sorted, so a test names every offending field. */
export const restProblems = (answer: Answer): string[] =>
  (answer.json?.errors ?? []).map((e: { field?: string; reason: string }) => `${e.field ?? '-'} ${e.reason}`).sort();

/** A REST 400 whose envelope names exactly these `field reason` problems. */
export function expectRestInvalid(answer: Answer, expected: string[]): void {
  expect({ status: answer.status, problems: restProblems(answer) }).toEqual({ status: 400, problems: [...expected].sort() });
  for (const error of answer.json.errors) expect(error.code).toBe('parameter_invalid');
}

/** Every validation problem of a GraphQL answer as `field reason`, sorted: the first error's, then its `details`. */
export function graphqlProblems(answer: Answer): string[] {
  const [error] = answer.json.errors ?? [];
  if (!error) return [];
  const details: Array<{ field?: string; reason: string }> = error.extensions.details ?? [];
  return [`${error.extensions.field ?? '-'} ${error.extensions.reason}`, ...details.map((d) => `${d.field ?? '-'} ${d.reason}`)].sort();
}

/**
 * A GraphQL `parameter_invalid` naming exactly these `field reason` problems, in one error. GraphQL over
 * HTTP: a request that could not run (variables that do not coerce) is 400 without `data`; a field that
 * refused its input (the input guard, a domain rule) ran, so 200 with `data` and the error at its path.
 */
export function expectGraphqlInvalid(answer: Answer, expected: string[]): void {
  const ran = answer.json !== undefined && 'data' in answer.json;
  expect({ status: answer.status, code: answer.json.errors?.[0]?.extensions.code, problems: graphqlProblems(answer) }).toEqual({ status: ran ? 200 : 400, code: 'parameter_invalid', problems: [...expected].sort() });
  expect(answer.json.errors).toHaveLength(1);
  if (ran) expect(answer.json.errors[0].path).toBeDefined();
}

/** A field error by GraphQL over HTTP: 200, `data` with the failed field null, and the error at its path with this code. */
export function expectFieldError(answer: Answer, code: string, path?: Array<string | number>): void {
  expect({ status: answer.status, hasData: answer.json !== undefined && 'data' in answer.json, code: answer.json?.errors?.[0]?.extensions?.code }).toEqual({ status: 200, hasData: true, code });
  if (path) expect(answer.json.errors[0].path).toEqual(path);
}
