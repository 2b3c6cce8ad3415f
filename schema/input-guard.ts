import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { invalidFields } from '../errors/app-error';
import { isUuid } from '../domain/shared/ids';
import { isWithinAmountLimit } from '../domain/shared/money-limits';
import { isCursorShaped } from '../domain/shared/paging';
import { hasForbiddenCharacters } from '../domain/shared/text';

/** Longest text any argument or input field takes unless its SDL says otherwise (`@multiline`, `@maxLength`). */
export const DEFAULT_MAX_TEXT = 1000;
/** Longest text of a `@multiline` field without its own `@maxLength`. */
export const DEFAULT_MAX_MULTILINE_TEXT = 10_000;

interface InputRule {
  multiline: boolean;
  maxLength: number;
  /** `@amount`: integer minor units a client sends, bounded by MAX_AMOUNT_MINOR_UNITS. */
  amount: boolean;
}

type Problem = { field: string; reason: string };

function ruleOf(schema: GraphQLSchema, node: GraphQLArgument | GraphQLInputField): InputRule {
  const multiline = Boolean(getDirective(schema, node, 'multiline')?.length);
  const declared = (getDirective(schema, node, 'maxLength')?.[0] as { chars: number } | undefined)?.chars;
  const amount = Boolean(getDirective(schema, node, 'amount')?.length);
  return { multiline, maxLength: declared ?? (multiline ? DEFAULT_MAX_MULTILINE_TEXT : DEFAULT_MAX_TEXT), amount };
}

/** The reason a client-sent text is refused, or undefined. */
function textProblem(value: string, rule: InputRule): string | undefined {
  if (value.length > rule.maxLength) return 'TOO_LONG';
  if (hasForbiddenCharacters(value, rule.multiline)) return 'INVALID_CHARACTERS';
  return undefined;
}

/**
 * Checks every client-sent value before any resolver sees it, whether it came as a variable (REST
 * bodies, path and query parameters are variables too) or as a literal: text has no control characters
 * (line breaks only where the SDL marks the field `@multiline`), no lone surrogates and a bounded length;
 * an `@amount` is at most MAX_AMOUNT_MINOR_UNITS; an `ID` is a UUID (every resource id is one:
 * docs/DOMAIN.md); an `after` cursor
 * decodes as one of ours. Field-specific rules (a
 * name's 100 characters, say) stay in the domain; this only keeps what is not text out of every path.
 * Failures are one 400 `parameter_invalid` naming each field, as the domain's validation does.
 */
export class InputGuard {
  private readonly inputFieldRules = new Map<string, Map<string, InputRule>>();

  constructor(private readonly schema: GraphQLSchema) {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isInputObjectType(type)) continue;
      this.inputFieldRules.set(type.name, new Map(Object.values(type.getFields()).map((f) => [f.name, ruleOf(schema, f)])));
    }
  }

  /** The schema with every field that takes arguments checking them first. */
  apply(): GraphQLSchema {
    return mapSchema(this.schema, {
      [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
        if (!field.args || !Object.keys(field.args).length) return field;
        const original = this.schema.getType(typeName);
        const args = isObjectType(original) ? original.getFields()[fieldName].args : [];
        const rules = new Map(args.map((a): [string, InputRule] => [a.name, ruleOf(this.schema, a)]));
        const resolve = field.resolve ?? defaultFieldResolver;
        return {
          ...field,
          resolve: (source, values, context, info) => {
            this.check(field.args!, rules, values);
            return resolve(source, values, context, info);
          },
        };
      },
    });
  }

  private check(definitions: GraphQLFieldConfigArgumentMap, rules: Map<string, InputRule>, values: Record<string, unknown>): void {
    const problems: Problem[] = [];
    for (const [name, value] of Object.entries(values)) {
      const definition = definitions[name];
      if (!definition) continue;
      // Domain errors name fields inside `input` without it (`firstName`); other arguments by their name.
      const path = name === 'input' && isInputObjectType(getNamedType(definition.type)) ? [] : [name];
      this.walk(value, definition.type, rules.get(name)!, path, name === 'after', problems);
    }
    if (problems.length) throw invalidFields(problems);
  }

  private walk(value: unknown, type: GraphQLInputType, rule: InputRule, path: Array<string | number>, cursor: boolean, problems: Problem[]): void {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return this.walk(value, type.ofType, rule, path, cursor, problems);
    if (isListType(type)) {
      if (Array.isArray(value)) value.forEach((item, i) => this.walk(item, type.ofType, rule, [...path, i], cursor, problems));
      return;
    }
    if (isInputObjectType(type)) {
      const fields = type.getFields();
      const rules = this.inputFieldRules.get(type.name)!;
      for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
        if (fields[name]) this.walk(inner, fields[name].type, rules.get(name)!, [...path, name], false, problems);
      }
      return;
    }
    if (!isScalarType(type)) return;
    const field = path.join('.');
    if (rule.amount && typeof value === 'number' && !isWithinAmountLimit(value)) problems.push({ field, reason: 'AMOUNT_ABOVE_MAXIMUM' });
    if (typeof value !== 'string') return;
    const text = textProblem(value, rule);
    if (text) problems.push({ field, reason: text });
    else if (type.name === 'ID' && !isUuid(value)) problems.push({ field, reason: 'INVALID_ID' });
    // Lists page with an encoded sort key (paging.ts); policies still take the bare id their cursors once were.
    else if (cursor && !isCursorShaped(value) && !isUuid(value)) problems.push({ field, reason: 'INVALID_CURSOR' });
  }
}

/** The schema with the input guard on every field that takes arguments. */
export function guardInput(schema: GraphQLSchema): GraphQLSchema {
  return new InputGuard(schema).apply();
}
