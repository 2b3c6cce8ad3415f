import type { GraphQLError } from 'graphql';
import { AppError } from './app-error';

/**
 * graphql-js explains a variable that does not coerce in prose naming GraphQL variables
 * (`Variable "$input" got invalid value 5 at "input.birthDate"; ...`). REST callers never wrote those
 * variables: they get the field as they sent it and a stable reason instead (GraphQL callers get the
 * variable's path, `input.birthDate`). The prose is dropped: it repeats the value, an IBAN for instance.
 */
export function fieldErrorFromVariable(error: GraphQLError, bodyVariable?: string): AppError | undefined {
  const match = /^Variable "\$(\w+)" got invalid value .*?(?: at "([\w.[\]]+)")?; (.*)$/s.exec(error.message);
  if (!match) return undefined;
  const [, variable, at, explanation] = match;
  const path = at ? at.split('.').slice(1) : [];
  const nested = /^Field "(\w+)" (of required type .* was not provided|is not defined by type)/.exec(explanation);
  if (nested) path.push(nested[1]);
  const segments = variable === bodyVariable ? path : [variable, ...path];
  const field = segments.join('.') || variable;
  if (nested) return new AppError('parameter_invalid', nested[2].startsWith('of required') ? 'REQUIRED_FIELD_MISSING' : 'UNKNOWN_FIELD', { field });
  return new AppError('parameter_invalid', 'INVALID_FIELD_VALUE', { field, expected: expectedType(explanation) });
}

/** The type graphql-js says the value should have had, so the sentence can say how to write it. */
function expectedType(explanation: string): string | undefined {
  const match = /^Value is not a valid (\w+)|^(\w+) (?:cannot represent|year out of range)|does not exist in "(\w+)" enum|^Expected type "(\w+)/.exec(explanation);
  return match ? (match[1] ?? match[2] ?? match[3] ?? match[4]) : undefined;
}
