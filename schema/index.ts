import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addResolversToSchema } from '@graphql-tools/schema';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { CountryCodeResolver, CurrencyResolver, EmailAddressResolver, IBANResolver, PhoneNumberResolver, SafeIntResolver } from 'graphql-scalars';
import { parse, type GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers';
import { entityResolvers } from '../resolvers/entities';
import { enforceAccess } from './access';
import { completeFederationFields } from './federation';
import { guardInput } from './input-guard';
import { BoundedDateTime, BoundedLocalDate, EmailVariablesScalar } from './scalars';

// SDL files stay beside their source; the compiled code in dist/ reads them from the project root.
function sdlDir(): string {
  const here = __dirname;
  return readdirSync(here).some((f) => f.endsWith('.graphql')) ? here : join(here, '..', '..', 'schema');
}

/** Every `schema/*.graphql` file, base first. */
export function loadTypeDefs(): string[] {
  const dir = sdlDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(join(dir, f), 'utf8'));
}

/**
 * A scalar's behaviour only: its description and `@specifiedBy` URL stay those of the SDL (money.graphql,
 * base.graphql), which name the public specs; graphql-tools would otherwise copy the library's over them.
 */
function behaviour(scalar: GraphQLScalarType) {
  const { serialize, parseValue, parseLiteral, extensions } = scalar.toConfig();
  return { serialize, parseValue, parseLiteral, extensions };
}

const SCALARS = {
  DateTime: behaviour(BoundedDateTime),
  EmailAddress: behaviour(EmailAddressResolver),
  SafeInt: behaviour(SafeIntResolver),
  Currency: behaviour(CurrencyResolver),
  LocalDate: behaviour(BoundedLocalDate),
  PhoneNumber: behaviour(PhoneNumberResolver),
  CountryCode: behaviour(CountryCodeResolver),
  IBAN: behaviour(IBANResolver),
  EmailVariables: behaviour(EmailVariablesScalar),
};

/**
 * The SDL as a Federation 2 subgraph with every resolver, before input and access checks.
 * `@apollo/subgraph` reads the `@link` (schema/federation.graphql), adds the spec's definitions,
 * `_service`, `_entities` and the entities' reference resolvers; our resolvers go through graphql-tools,
 * which refuses one naming a type or field the schema lacks (as makeExecutableSchema did).
 */
export function resolvedSchema(typeDefs: string[] = loadTypeDefs()): GraphQLSchema {
  // The library types every entry as a field resolver; `__resolveReference` takes (reference, context, info).
  const references = entityResolvers as unknown as GraphQLResolverMap<unknown>;
  const subgraph = buildSubgraphSchema([{ typeDefs: parse(typeDefs.join('\n')), resolvers: references }]);
  return [SCALARS, ...resolvers].reduce<GraphQLSchema>((schema, map) => addResolversToSchema({ schema, resolvers: map }), subgraph);
}

export interface SchemaOptions {
  /** `NODE_ENV=production`: `_service` answers 404 (schema/federation.ts). */
  production?: boolean;
  /** The SDL, `schema/*.graphql` by default (tests add to it). */
  typeDefs?: string[];
}

/** The executable schema: client input checked (input-guard.ts), inside access control (401/403 come first). */
export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const schema = completeFederationFields(resolvedSchema(options.typeDefs), { production: options.production ?? false });
  return enforceAccess(guardInput(schema));
}
