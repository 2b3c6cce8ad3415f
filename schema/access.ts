import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLField, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import { unauthorized, insufficientRoles } from '../errors/app-error';
import type { RequestContext } from '../context/context';
import type { Role } from '../domain/auth/viewer';

/** How a root field is reached; `roles: null` means any signed-in caller. */
export type Access = { public: true } | { public: false; roles: Role[] | null };

/** Reads a field's access declaration from its directives. */
export function accessOf(schema: GraphQLSchema, field: GraphQLFieldConfig<unknown, unknown> | GraphQLField<unknown, unknown>): Access | undefined {
  if (getDirective(schema, field, 'public')?.length) return { public: true };
  const signedIn = getDirective(schema, field, 'signedIn')?.[0] as { roles?: Role[] } | undefined;
  if (signedIn) return { public: false, roles: signedIn.roles ?? null };
  return undefined;
}

/** The names of the schema's root types, as the schema declares them (query, mutation, subscription). */
export function rootTypeNames(schema: GraphQLSchema): Set<string> {
  return new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t !== null && t !== undefined).map((t) => t.name));
}

/**
 * Deny by default: every field of every root type the schema has must declare `@public` or `@signedIn`,
 * or the schema refuses to build. Protected fields check the viewer before their resolver runs: no viewer -> 401 with the reason
 * the context found, wrong role -> 403. Nested fields may add `@signedIn` to narrow further.
 */
export function enforceAccess(schema: GraphQLSchema): GraphQLSchema {
  const undeclared: string[] = [];
  const roots = rootTypeNames(schema);
  const guarded = mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const access = accessOf(schema, field);
      if (!access) {
        if (roots.has(typeName)) undeclared.push(`${typeName}.${fieldName}`);
        return field;
      }
      if (access.public) return field;
      const resolve = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve(source, args, context: RequestContext, info) {
          const viewer = context.viewer;
          if (!viewer) throw unauthorized(context.authFailure ?? 'NO_SESSION');
          if (access.roles && !access.roles.includes(viewer.kind)) throw insufficientRoles();
          return resolve(source, args, context, info);
        },
      };
    },
  });
  if (undeclared.length) {
    throw new Error(`Root fields without @public or @signedIn (deny by default): ${undeclared.join(', ')}`);
  }
  return guarded;
}
