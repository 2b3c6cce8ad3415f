import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { CountryCodeResolver, CurrencyResolver, EmailAddressResolver, IBANResolver, PhoneNumberResolver, SafeIntResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers';
import { enforceAccess } from './access';
import { guardInput } from './input-guard';
import { BoundedDateTime, BoundedLocalDate } from './scalars';

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

/** The executable schema: client input checked (input-guard.ts), inside access control (401/403 come first). */
export function buildSchema(): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [
      {
        DateTime: BoundedDateTime,
        EmailAddress: EmailAddressResolver,
        SafeInt: SafeIntResolver,
        Currency: CurrencyResolver,
        LocalDate: BoundedLocalDate,
        PhoneNumber: PhoneNumberResolver,
        CountryCode: CountryCodeResolver,
        IBAN: IBANResolver,
      },
      ...resolvers,
    ],
  });
  return enforceAccess(guardInput(schema));
}
