/**
 * Prints, as Markdown, who may call each REST route and each GraphQL root field, read from the schema's
 * `@public` / `@signedIn(roles: [...])` directives (a REST route inherits those of the root field its
 * operation selects) and the routes' `auth`. For the README:
 *
 *   npm run build && node dist/scripts/access-table.js
 *
 * Object-level rules (a subscriber reaches only their own objects, a broker or partner platform those of
 * its distributor, back-office everyone) are not in the directives: see the notes under the tables.
 */
import type { GraphQLSchema } from 'graphql';
import { loadOperations } from '../rest-bridge/operations';
import { ROUTES } from '../rest-bridge/routes';
import { accessOf, type Access } from '../schema/access';
import { buildSchema } from '../schema/index';

const ROLES = ['subscriber', 'broker', 'backoffice', 'machine'] as const;

function rootAccess(schema: GraphQLSchema, type: 'Query' | 'Mutation', name: string): Access | undefined {
  const root = type === 'Query' ? schema.getQueryType() : schema.getMutationType();
  const field = root?.getFields()[name];
  return field ? accessOf(schema, field as never) : undefined;
}

/** One cell per caller kind: anonymous, then each role. */
function cells(access: Access | undefined): string[] {
  if (!access) return ['?', ...ROLES.map(() => '?')];
  if (access.public) return ['yes', ...ROLES.map(() => 'yes')];
  return ['-', ...ROLES.map((role) => (access.roles === null || access.roles.includes(role) ? 'yes' : '-'))];
}

const header = (first: string[]) => [`| ${[...first, 'anonymous', ...ROLES].join(' | ')} |`, `|${[...first, 'anonymous', ...ROLES].map(() => '---').join('|')}|`];

function main(): void {
  const schema = buildSchema();
  const operations = loadOperations(schema);
  const lines: string[] = [];

  lines.push('### REST routes', '', ...header(['Method', 'Path', 'Root field']));
  for (const route of ROUTES) {
    const operation = operations.get(route.operation);
    const definition = operation?.document.definitions.find((d) => d.kind === 'OperationDefinition');
    const type = definition && 'operation' in definition && definition.operation === 'mutation' ? 'Mutation' : 'Query';
    const field = operation ? `${type}.${operation.rootField}` : '?';
    const access = operation ? rootAccess(schema, type, operation.rootField) : undefined;
    // The route's own `auth` decides anonymous callers first (401 before anything else).
    const row = cells(access);
    if (route.auth === 'required') row[0] = '-';
    lines.push(`| ${route.method} | \`${route.path}\` | \`${field}\` | ${row.join(' | ')} |`);
  }
  lines.push(
    '| POST | `/v1/webhooks/{source}` | (signature) | signed deliveries only | signed | signed | signed | signed |',
    '| GET | `/v1/openapi.json` | - | yes | yes | yes | yes | yes |',
    '| GET | `/.well-known/jwks.json` | - | yes | yes | yes | yes | yes |',
  );

  lines.push('', '### GraphQL root fields', '', ...header(['Field']));
  for (const type of ['Query', 'Mutation'] as const) {
    const root = type === 'Query' ? schema.getQueryType() : schema.getMutationType();
    for (const name of Object.keys(root?.getFields() ?? {}).sort()) {
      lines.push(`| \`${type}.${name}\` | ${cells(rootAccess(schema, type, name)).join(' | ')} |`);
    }
  }

  lines.push(
    '',
    '`yes`: the role passes the operation-level check; `-`: 401 (anonymous) or 403 (role). `machine`: partner',
    'platforms (client-credentials token bound to a certificate serial). Object-level rules come on top: a',
    "subscriber reaches only their own objects, a broker or partner platform those of its distributor,",
    "back-office everyone; anything else answers 404 as if it did not exist. Commission data is never served",
    'to subscribers or partner platforms.',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
