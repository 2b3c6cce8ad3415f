import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  getNamedType,
  isNonNullType,
  parse,
  typeFromAST,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** A named operation, parsed and validated once at start-up. */
export interface PreparedOperation {
  name: string;
  document: DocumentNode;
  /** Response key of the operation's single root field: the REST body. */
  rootField: string;
  variables: Map<string, { type: GraphQLInputType; required: boolean; scalar: string }>;
}

function operationsDir(): string {
  const here = join(__dirname, 'operations');
  try {
    if (readdirSync(here).some((f) => f.endsWith('.graphql'))) return here;
  } catch {
    // compiled code: the .graphql files stay in the source tree
  }
  return join(__dirname, '..', '..', 'rest-bridge', 'operations');
}

/** Loads `operations/*.graphql`; an operation that does not validate against the schema stops start-up. */
export function loadOperations(schema: GraphQLSchema): Map<string, PreparedOperation> {
  const dir = operationsDir();
  const prepared = new Map<string, PreparedOperation>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort()) {
    const whole = parse(readFileSync(join(dir, file), 'utf8'));
    // Fragments are shared by the operations of their file.
    const fragments = whole.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition');
    for (const definition of whole.definitions) {
      if (definition.kind === 'FragmentDefinition') continue;
      if (definition.kind !== 'OperationDefinition' || !definition.name) {
        throw new Error(`${file}: every definition must be a named operation or a fragment`);
      }
      const document: DocumentNode = { kind: whole.kind, definitions: [definition, ...usedFragments(definition, fragments)] };
      const problems = validate(schema, document);
      if (problems.length) throw new Error(`${file}: ${definition.name.value}: ${problems.map((p) => p.message).join('; ')}`);
      prepared.set(definition.name.value, prepare(schema, definition, document));
    }
  }
  return prepared;
}

/** The fragments an operation spreads, directly or through other fragments. */
function usedFragments(root: DefinitionNode, fragments: FragmentDefinitionNode[]): FragmentDefinitionNode[] {
  const used = new Set<string>();
  const visitSpreads = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        const fragment = fragments.find((f) => f.name.value === spread.name.value);
        if (fragment) visitSpreads(fragment);
      },
    });
  visitSpreads(root);
  return fragments.filter((f) => used.has(f.name.value));
}

function prepare(schema: GraphQLSchema, definition: OperationDefinitionNode, document: DocumentNode): PreparedOperation {
  const fields = definition.selectionSet.selections.filter((s) => s.kind === 'Field');
  if (fields.length !== 1 || fields[0].kind !== 'Field') throw new Error(`${definition.name?.value}: a bridge operation selects exactly one root field`);
  const variables = new Map<string, { type: GraphQLInputType; required: boolean; scalar: string }>();
  for (const v of definition.variableDefinitions ?? []) {
    const type = typeFromAST(schema, v.type) as GraphQLInputType;
    variables.set(v.variable.name.value, { type, required: isNonNullType(type) && !v.defaultValue, scalar: getNamedType(type).name });
  }
  return { name: definition.name!.value, document, rootField: fields[0].alias?.value ?? fields[0].name.value, variables };
}
