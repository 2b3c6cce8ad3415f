import { getDirective } from '@graphql-tools/utils';
import { execute, isUnionType, parse, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context/context';
import { notFound } from '../domain/shared/access';
import { isUuid } from '../domain/shared/ids';
import { invalidFields } from '../errors/app-error';

/**
 * The Federation side of the schema (schema/federation.graphql): `@apollo/subgraph` adds `_service`
 * and `_entities` to Query; this file gives them what every root field of ours has.
 *
 * - Access, declared as if written in SDL (graphql-tools reads directives from `extensions` too), so
 *   enforceAccess, the access table and the access matrix treat them like any other root field:
 *   `_service` is public, `_entities` needs a signed-in caller (401 first, as for `policy(id:)`).
 * - `_service` answers outside production only: in production the SDL is published as a file
 *   (`npm run subgraph-sdl`, `npm run compose`), and the field answers 404 as if it did not exist,
 *   like introspection, which production turns off.
 * - `_entities` takes representations only of our entities, each with its key fields as ids: anything
 *   else is one 400 `parameter_invalid` naming each offending representation (input-guard.ts cannot:
 *   `_Any` is opaque to it).
 * - Every entity must have a `__resolveReference`: without one `@apollo/subgraph` would answer with the
 *   caller's representation as the object, and its field resolvers would load our data for any id.
 */

const ENTITIES = '_entities';
const SERVICE = '_service';

export interface FederationOptions {
  production: boolean;
}

/** Entity type name -> the fields of its `@key` (one key per entity here). */
export function entityKeys(schema: GraphQLSchema): Map<string, string[]> {
  const union = schema.getType('_Entity');
  const keys = new Map<string, string[]>();
  if (!isUnionType(union)) return keys;
  for (const type of union.getTypes()) {
    const key = getDirective(schema, type, 'key')?.[0] as { fields: string } | undefined;
    keys.set(type.name, key ? key.fields.split(/\s+/).filter(Boolean) : []);
  }
  return keys;
}

/** Refuses a schema with an entity that has no reference resolver (see above). */
export function assertEveryEntityResolves(schema: GraphQLSchema): void {
  const missing = [...entityKeys(schema).keys()].filter((name) => {
    const type = schema.getType(name);
    const extensions = type?.extensions as { apollo?: { subgraph?: { resolveReference?: unknown } } } | undefined;
    return typeof extensions?.apollo?.subgraph?.resolveReference !== 'function';
  });
  if (missing.length) throw new Error(`Entities without __resolveReference (resolvers/entities.ts): ${missing.join(', ')}`);
}

/** The problems of the representations a caller sent, each naming `representations.<i>[.<key field>]`. */
export function representationProblems(representations: unknown, keys: Map<string, string[]>): Array<{ field: string; reason: string }> {
  if (!Array.isArray(representations)) return [{ field: 'representations', reason: 'INVALID_REPRESENTATION' }];
  const problems: Array<{ field: string; reason: string }> = [];
  representations.forEach((representation: unknown, i) => {
    const field = `representations.${i}`;
    if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
      problems.push({ field, reason: 'INVALID_REPRESENTATION' });
      return;
    }
    const fields = representation as Record<string, unknown>;
    const typename = fields.__typename;
    const key = typeof typename === 'string' ? keys.get(typename) : undefined;
    if (!key) {
      problems.push({ field: `${field}.__typename`, reason: 'UNKNOWN_ENTITY_TYPE' });
      return;
    }
    for (const name of key) {
      const value = fields[name];
      if (typeof value !== 'string' || !isUuid(value)) problems.push({ field: `${field}.${name}`, reason: 'INVALID_ID' });
    }
  });
  return problems;
}

/** Declares the access of `_service` and `_entities`, and wraps their resolvers as described above. Mutates the fields of `schema`. */
export function completeFederationFields(schema: GraphQLSchema, options: FederationOptions): GraphQLSchema {
  const query = schema.getQueryType();
  const fields = query?.getFields() ?? {};
  const service = fields[SERVICE];
  const entities = fields[ENTITIES];
  if (!service) throw new Error('The schema is not a Federation subgraph: no Query._service (schema/federation.graphql)');
  service.extensions = { ...service.extensions, directives: { public: [{}] } };
  if (options.production) {
    service.resolve = () => {
      throw notFound('subgraph_sdl');
    };
  }
  if (entities) {
    assertEveryEntityResolves(schema);
    const keys = entityKeys(schema);
    entities.extensions = { ...entities.extensions, directives: { signedIn: [{}] } };
    const resolve = entities.resolve as GraphQLFieldResolver<unknown, RequestContext>;
    entities.resolve = (source, args: { representations?: unknown }, context, info) => {
      const problems = representationProblems(args.representations, keys);
      if (problems.length) throw invalidFields(problems);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}

/** What `{ _service { sdl } }` answers outside production: the subgraph's SDL, for `npm run subgraph-sdl` and composition. */
export async function subgraphSdl(schema: GraphQLSchema): Promise<string> {
  const result = await execute({ schema, document: parse(`{ ${SERVICE} { sdl } }`) });
  const sdl = (result.data?.[SERVICE] as { sdl?: unknown } | null | undefined)?.sdl;
  if (result.errors?.length || typeof sdl !== 'string') throw new Error(`_service { sdl } failed: ${result.errors?.map((e) => e.message).join('; ') ?? 'no sdl'}`);
  return sdl;
}

