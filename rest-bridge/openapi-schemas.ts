import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLOutputType,
  type SelectionSetNode,
} from 'graphql';
import { wireEnumValues } from './wire-names';

export type JsonSchema = Record<string, unknown>;

/** JSON Schema (OpenAPI 3.1) for the scalars our schema uses; others are described strings. */
const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  // Every resource id is a UUID (docs/DOMAIN.md, "Ids").
  ID: { type: 'string', format: 'uuid' },
  Int: { type: 'integer', format: 'int32' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  LocalDate: { type: 'string', format: 'date' },
  EmailAddress: { type: 'string', format: 'email' },
  SafeInt: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
  Currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' },
  CountryCode: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code' },
  PhoneNumber: { type: 'string', description: 'E.164 phone number, e.g. +33612345678' },
  IBAN: { type: 'string', description: 'ISO 13616 IBAN' },
};

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** OpenAPI 3.1 nullability: `null` joins the type list, or is the other branch beside a `$ref`. */
export function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.$ref === 'string') return { oneOf: [schema, { type: 'null' }] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return { oneOf: [schema, { type: 'null' }] };
}

const withDescription = (schema: JsonSchema, description: string | null | undefined): JsonSchema => (description ? { ...schema, description } : schema);

/** A `required` list only when it names something: OpenAPI validators refuse an empty one. */
export const requiredList = (names: string[]): JsonSchema => (names.length ? { required: names } : {});

/**
 * The named schemas of the document (`components.schemas`). GraphQL input and enum types keep their
 * names; a response shape (what an operation selects, which may be less than its type) is named after
 * its fragment (`PayoutIbanFields` -> `PayoutIban`), else its type, else where it appears, and equal
 * shapes share one name, so generated clients get one type per thing.
 */
export class SchemaRegistry {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly byShape = new Map<string, string>();
  private readonly reserved = new Set<string>();
  private readonly inputs = new Set<string>();

  /** Names the document defines by hand (the error envelope): no GraphQL shape may take them. */
  constructor(handWritten: Iterable<string> = []) {
    for (const name of handWritten) this.reserved.add(name);
  }

  /** Fragment names (without `Fields`) are kept for the fragment's own shape. */
  reserveFragments(document: DocumentNode): void {
    for (const definition of document.definitions) {
      if (definition.kind === 'FragmentDefinition') this.reserved.add(fragmentSchemaName(definition));
    }
  }

  /** The named schema for `schema`: the same shape already named is reused; otherwise the first free name. */
  name(candidates: string[], schema: JsonSchema, reservedFor?: string): string {
    const shape = JSON.stringify(schema);
    const known = this.byShape.get(shape);
    if (known) return known;
    const free = (name: string) => !(name in this.schemas) && (!this.reserved.has(name) || name === reservedFor);
    let chosen = candidates.find(free);
    for (let n = 2; !chosen; n++) chosen = candidates.map((c) => `${c}${n}`).find(free);
    this.schemas[chosen] = schema;
    this.byShape.set(shape, chosen);
    return chosen;
  }

  /** A request schema for a GraphQL input type; input and enum types are components under their own names. */
  input(type: GraphQLInputType): JsonSchema {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) return { type: 'array', items: this.inputField(inner.ofType) };
    if (isScalarType(inner)) return scalarSchema(inner.name, inner.description);
    if (isEnumType(inner)) return this.enumRef(inner.name, wireEnumValues(inner), inner.description);
    if (isInputObjectType(inner)) {
      if (!this.inputs.has(inner.name)) {
        // An input type keeps its GraphQL name; were a response shape to hold it, the document would lie.
        if (inner.name in this.schemas || this.reserved.has(inner.name)) throw new Error(`OpenAPI: schema name ${inner.name} is already taken`);
        this.inputs.add(inner.name);
        // Named before its fields are walked, so a recursive input type refers to itself.
        this.schemas[inner.name] = {};
        const fields = Object.values(inner.getFields());
        this.schemas[inner.name] = withDescription(
          {
            type: 'object',
            additionalProperties: false,
            properties: Object.fromEntries(fields.map((f) => [f.name, withDescription(this.inputField(f.type), f.description)])),
            ...requiredList(fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name)),
          },
          inner.description,
        );
      }
      return ref(inner.name);
    }
    return {};
  }

  /** An input value: nullable unless non-null, as GraphQL accepts an explicit null there. */
  inputField(type: GraphQLInputType): JsonSchema {
    const schema = this.input(type);
    return isNonNullType(type) ? schema : nullable(schema);
  }

  /**
   * The response schema of a selection: every selected field is present (GraphQL sends null rather than
   * leaving a field out), so all are required and the nullable ones may be null.
   */
  output(type: GraphQLOutputType, selection: SelectionSetNode | undefined, context: OutputContext): JsonSchema {
    const inner = isNonNullType(type) ? type.ofType : type;
    const schema = this.outputInner(inner, selection, context);
    return isNonNullType(type) ? schema : nullable(schema);
  }

  private outputInner(type: GraphQLOutputType, selection: SelectionSetNode | undefined, context: OutputContext): JsonSchema {
    if (isNonNullType(type)) return this.output(type, selection, context);
    if (isListType(type)) return { type: 'array', items: this.output(type.ofType, selection, context) };
    if (isScalarType(type)) return scalarSchema(type.name, type.description);
    if (isEnumType(type)) return this.enumRef(type.name, wireEnumValues(type), type.description);
    if ((isObjectType(type) || isInterfaceType(type)) && selection) {
      const fragment = onlyFragment(selection, context.fragments);
      const fragmentName = fragment ? fragmentSchemaName(fragment) : undefined;
      const fields = type.getFields();
      const properties: Record<string, JsonSchema> = {};
      for (const node of flatten(selection, context.fragments)) {
        const key = context.names(node.responseKey);
        if (node.name === '__typename') {
          properties[key] = { type: 'string' };
          continue;
        }
        const field = fields[node.name];
        if (!field) continue;
        // A nested shape whose type name is taken is named after where it sits: `SubscriptionSubscriber`.
        const child: OutputContext = { ...context, hint: pascal([node.from ?? fragmentName ?? type.name, node.responseKey]) };
        properties[key] = withDescription(this.output(field.type, node.selectionSet, child), field.description);
      }
      const shape = { type: 'object', properties, ...requiredList(Object.keys(properties)) };
      const name = this.name([...(fragmentName ? [fragmentName] : []), type.name, context.hint], shape, fragmentName);
      // The type's description fits a shape named after the type or its fragment, not a contextual one.
      const created = this.schemas[name] === shape;
      if (created && type.description && (name === type.name || name === fragmentName)) this.schemas[name] = withDescription(shape, type.description);
      return ref(name);
    }
    return { type: 'object' };
  }

  private enumRef(name: string, values: string[], description: string | null | undefined): JsonSchema {
    return ref(this.name([name, `${name}Enum`], withDescription({ type: 'string', enum: values }, description)));
  }
}

export interface OutputContext {
  fragments: Map<string, FragmentDefinitionNode>;
  /** The JSON key a GraphQL response key is sent as. */
  names: (key: string) => string;
  /** The shape's name should its fragment's and its type's be taken: where it sits (`GetSignatureResult`). */
  hint: string;
}

function scalarSchema(name: string, description: string | null | undefined): JsonSchema {
  return SCALARS[name] ?? withDescription({ type: 'string' }, description ?? name);
}

interface SentField {
  name: string;
  responseKey: string;
  selectionSet?: SelectionSetNode;
  /** The fragment (schema name) the field was selected in, if any. */
  from?: string;
}

/** The fields a selection sends, fragments spread in place; a key selected twice is one field. */
function flatten(selection: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, from?: string, out = new Map<string, SentField>()): SentField[] {
  for (const node of selection.selections) {
    if (node.kind === 'Field') {
      const responseKey = node.alias?.value ?? node.name.value;
      const seen = out.get(responseKey);
      const selectionSet = seen?.selectionSet && node.selectionSet ? { kind: node.selectionSet.kind, selections: [...seen.selectionSet.selections, ...node.selectionSet.selections] } : node.selectionSet;
      out.set(responseKey, { name: node.name.value, responseKey, selectionSet, from: seen ? seen.from : from });
    } else if (node.kind === 'FragmentSpread') {
      const fragment = fragments.get(node.name.value);
      if (fragment) flatten(fragment.selectionSet, fragments, fragmentSchemaName(fragment), out);
    } else {
      flatten(node.selectionSet, fragments, from, out);
    }
  }
  return [...out.values()];
}

function onlyFragment(selection: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode | undefined {
  const [only, ...rest] = selection.selections;
  return only?.kind === 'FragmentSpread' && rest.length === 0 ? fragments.get(only.name.value) : undefined;
}

function fragmentSchemaName(fragment: FragmentDefinitionNode): string {
  return fragment.name.value.replace(/Fields$/, '') || fragment.name.value;
}

export function pascal(parts: string[]): string {
  return parts.map((p) => p.replace(/(^|[-_\s])([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase())).join('');
}
