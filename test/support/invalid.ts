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

/** A GraphQL 400 `parameter_invalid` naming exactly these `field reason` problems, in one error. */
export function expectGraphqlInvalid(answer: Answer, expected: string[]): void {
  expect({ status: answer.status, code: answer.json.errors?.[0]?.extensions.code, problems: graphqlProblems(answer) }).toEqual({ status: 400, code: 'parameter_invalid', problems: [...expected].sort() });
  expect(answer.json.errors).toHaveLength(1);
}
