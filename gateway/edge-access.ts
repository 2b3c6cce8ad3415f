import { getOperationAST, Kind, parse, type DocumentNode, type GraphQLSchema, type OperationTypeNode, type SelectionSetNode } from 'graphql';
import { accessOf, rootTypeNames } from '../schema/access';
import { MAX_TOKENS } from '../execution/pipeline';

const MAX_CACHED = 1000;

/** What the edge knows of an operation before it runs. */
export interface EdgeVerdict {
  operation: OperationTypeNode;
  needsViewer: boolean;
}

/**
 * Which of a document's root fields need a signed-in caller, read from our schema's own access
 * declarations (`@signedIn`): the front answers the documented 401 for them before any planning.
 * Root fields of other subgraphs are theirs to judge; a document that does not parse is Apollo's 400.
 */
export class EdgeAccess {
  private readonly protectedFields = new Set<string>();
  private readonly verdicts = new Map<string, EdgeVerdict>();

  constructor(schema: GraphQLSchema) {
    for (const typeName of rootTypeNames(schema)) {
      const type = schema.getType(typeName);
      if (!type || !('getFields' in type)) continue;
      for (const [name, field] of Object.entries(type.getFields())) {
        // getDirective reads a field and a field config alike (astNode and extensions).
        const access = accessOf(schema, field as never);
        if (access && !access.public) this.protectedFields.add(`${operationOf(schema, typeName)}.${name}`);
      }
    }
  }

  /**
   * What the edge must know of `query` (the operation `operationName`) before it runs: its kind (GET
   * runs queries only) and whether it needs a signed-in caller. Undefined when the document does not
   * parse or names no such operation: the gateway then refuses it (400) as any other.
   */
  analyse(query: string, operationName: string | undefined): EdgeVerdict | undefined {
    const key = `${operationName ?? ''}\n${query}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_TOKENS });
    } catch {
      return undefined;
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) return undefined;
    const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
    const needsViewer = this.rootFields(operation.selectionSet, fragments, new Set()).some((name) => this.protectedFields.has(`${operation.operation}.${name}`));
    const verdict = { operation: operation.operation, needsViewer };
    if (this.verdicts.size >= MAX_CACHED) this.verdicts.delete(this.verdicts.keys().next().value!);
    this.verdicts.set(key, verdict);
    return verdict;
  }

  private rootFields(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, SelectionSetNode>, seen: Set<string>): string[] {
    return selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection.name.value];
      if (selection.kind === Kind.INLINE_FRAGMENT) return this.rootFields(selection.selectionSet, fragments, seen);
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return [];
      seen.add(name);
      return this.rootFields(fragment, fragments, seen);
    });
  }
}

function operationOf(schema: GraphQLSchema, typeName: string): string {
  if (schema.getMutationType()?.name === typeName) return 'mutation';
  if (schema.getSubscriptionType()?.name === typeName) return 'subscription';
  return 'query';
}
