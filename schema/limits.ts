import {
  GraphQLError,
  Kind,
  type ASTNode,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { AppError } from '../errors/app-error';

/** Resource limits on GraphQL documents (docs/SECURITY.md 15); each answers with a stable reason. */
export const LIMITS = {
  /** Deepest selection nesting: our deepest real query is 6. */
  maxDepth: 12,
  /** Deepest introspection (`__schema`, `__type`, development only): GraphiQL's own query is 15 deep. */
  maxIntrospectionDepth: 15,
  /** Aliased fields in one document: alias floods multiply work for free. */
  maxAliases: 30,
  /** Fields selected once every fragment is expanded: catches duplication and fragment explosions. */
  maxCost: 2000,
} as const;

interface Measure {
  depth: number;
  /** Depth under `__schema` and `__type`, bounded on its own. */
  introspectionDepth: number;
  cost: number;
  aliases: number;
}

/**
 * Measures each operation with its fragments expanded. A fragment already being expanded (a cycle,
 * which graphql's own NoFragmentCycles rule reports) is not followed, so hostile documents cannot loop.
 */
function measure(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, path: Set<string>, budget: { cost: number }): Measure {
  let depth = 0;
  let introspectionDepth = 0;
  let cost = 0;
  let aliases = 0;
  for (const selection of selectionSet.selections) {
    // Past the cost limit the answer is already "too costly": stop walking an exploding document.
    if (budget.cost > LIMITS.maxCost) break;
    let inner: Measure = { depth: 0, introspectionDepth: 0, cost: 0, aliases: 0 };
    if (selection.kind === Kind.FIELD) {
      // Introspection (development only) counts like any other field, its depth against its own bound:
      // a recursive `ofType` chain or an aliased `__schema` flood is refused like any other document.
      cost += 1;
      budget.cost += 1;
      if (selection.alias) aliases += 1;
      if (selection.selectionSet) inner = measure(selection.selectionSet, fragments, path, budget);
      const introspection = selection.name.value === '__schema' || selection.name.value === '__type';
      if (introspection) introspectionDepth = Math.max(introspectionDepth, inner.depth + 1, inner.introspectionDepth + 1);
      else depth = Math.max(depth, inner.depth + 1);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, path, budget);
      depth = Math.max(depth, inner.depth);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || path.has(name)) continue;
      path.add(name);
      inner = measure(fragment.selectionSet, fragments, path, budget);
      path.delete(name);
      depth = Math.max(depth, inner.depth);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
    }
    cost += inner.cost;
    aliases += inner.aliases;
  }
  return { depth, introspectionDepth, cost, aliases };
}

/** A document over a limit: its own reason, so the envelope explains which limit (errors/messages.ts). */
function tooBig(reason: 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'QUERY_TOO_COSTLY', operation: ASTNode): GraphQLError {
  return new GraphQLError(reason, { nodes: operation, originalError: new AppError('parameter_invalid', reason) });
}

export const DocumentLimitsRule: ValidationRule = (context: ValidationContext): ASTVisitor => {
  const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return {
    OperationDefinition(operation) {
      const m = measure(operation.selectionSet, fragments, new Set(), { cost: 0 });
      if (m.depth > LIMITS.maxDepth || m.introspectionDepth > LIMITS.maxIntrospectionDepth) context.reportError(tooBig('QUERY_TOO_DEEP', operation));
      if (m.aliases > LIMITS.maxAliases) context.reportError(tooBig('TOO_MANY_ALIASES', operation));
      if (m.cost > LIMITS.maxCost) context.reportError(tooBig('QUERY_TOO_COSTLY', operation));
    },
  };
};
