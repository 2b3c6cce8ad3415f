import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { accessOf } from '../schema/access';

/** `Type.field` of every field that needs a signed-in caller (`@signedIn`, on a root or nested). */
export function protectedFields(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const access = accessOf(schema, field);
      if (access && !access.public) names.add(`${type.name}.${field.name}`);
    }
  }
  return names;
}

/**
 * Whether running `operation` would reach a protected field, fragments followed. The pipeline then
 * answers 401 before any resolver runs, so a request that cannot run is a 4xx without `data` rather
 * than a 200 whose every field failed. Conservative: a field under `@skip`/`@include` counts, since
 * whether it runs depends on variables. The resolvers keep their own check (schema/access.ts).
 */
export function operationNeedsViewer(schema: GraphQLSchema, fields: ReadonlySet<string>, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  // A fragment has one type condition: once walked without finding anything, walking it again finds nothing either.
  const walked = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, type: GraphQLNamedType | null | undefined): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[selection.name.value] : undefined;
        if (!field) continue; // __typename, or introspection
        if (fields.has(`${type!.name}.${field.name}`)) return true;
        if (selection.selectionSet && walk(selection.selectionSet, getNamedType(field.type))) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (walk(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type)) return true;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || walked.has(fragment.name.value)) continue;
        walked.add(fragment.name.value);
        if (walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value))) return true;
      }
    }
    return false;
  };
  return walk(operation.selectionSet, schema.getRootType(operation.operation));
}
