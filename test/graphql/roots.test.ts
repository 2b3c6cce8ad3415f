import { rootTypeNames } from '../../schema/access';
import { buildSchema, loadTypeDefs } from '../../schema/index';
import { EACH_DATABASE } from '../support/databases';
import { gql } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { testId } from '../support/ids';

/** No domain type may become a root type by its name, and every root the schema has is access-checked. */
describe('schema roots', () => {
  const schema = buildSchema();

  it('declares exactly Query and Mutation as roots, and no other type takes a root name', () => {
    expect([...rootTypeNames(schema)].sort()).toEqual(['Mutation', 'Query']);
    expect(schema.getSubscriptionType()).toBeUndefined();
    expect(schema.getType('Subscription')).toBeUndefined();
    expect(schema.getType('SubscriptionContract')).toBeDefined();
  });

  it('refuses to build a schema with an undeclared field on any root, a subscription root included', () => {
    const typeDefs = [...loadTypeDefs(), 'type Events { ticks: Int @public  leaks: String }', 'extend schema { subscription: Events }'];
    expect(() => buildSchema({ typeDefs })).toThrow(/without @public or @signedIn \(deny by default\): Events\.leaks$/);
  });
});

describe.each(EACH_DATABASE)('root operations over HTTP on %s', (_name, database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(database);
  });
  afterAll(() => server?.close());

  it('a subscription query without credentials is 401, never 500', async () => {
    const answer = await gql(server.url, `{ subscription(id: "${testId('sbs_x')}") { id } }`);
    expect({ status: answer.status, code: answer.json.errors[0].extensions.code }).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('a `subscription` operation is 400: the schema has no subscription root', async () => {
    for (const query of ['subscription { id }', `subscription { subscription(id: "${testId('sbs_x')}") { id } }`]) {
      const answer = await gql(server.url, query);
      expect({ query, status: answer.status, code: answer.json.errors[0].extensions.code }).toEqual({ query, status: 400, code: 'parameter_invalid' });
    }
  });
});
