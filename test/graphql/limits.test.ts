import { getIntrospectionQuery } from 'graphql';
import { DATABASES } from '../support/databases';
import { call, gql, login } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { testId } from '../support/ids';

/** Payloads of the kind GraphQL audit tools send; each is refused at validation with a clear invalid_request. */
describe('GraphQL resource limits', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(DATABASES[0]);
    token = (await login(server.url, 'backoffice@demo.test', '10.60.0.1')).token;
  });
  afterAll(() => server.close());

  const refused = async (query: string, reason: RegExp) => {
    const answer = await gql(server.url, query, { token });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('parameter_invalid');
    expect(answer.json.errors.map((e: { message: string; extensions: { reason: string } }) => `${e.extensions.reason} ${e.message}`).join(' ')).toMatch(reason);
    // Refused at validation: nothing was executed.
    expect(answer.json.data).toBeUndefined();
  };

  it('deep nesting through a recursive path', async () => {
    let selection = 'id';
    for (let i = 0; i < 10; i++) selection = `subscriptions { subscriber { ${selection} } }`;
    await refused(`{ subscriber(id: "${testId('sbr_x')}") { ${selection} } }`, /QUERY_TOO_DEEP/);
  });

  it('an alias flood', async () => {
    await refused(`{ ${Array.from({ length: 100 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, /TOO_MANY_ALIASES/);
  });

  it('field duplication', async () => {
    await refused(`{ me { ${'id '.repeat(2500)} } }`, /QUERY_TOO_COSTLY/);
  });

  it('a fragment explosion (each fragment spreads the next one twice)', async () => {
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Viewer { ${i === 19 ? 'id' : `...F${i + 1} ...F${i + 1}`} }`).join('\n');
    await refused(`{ me { ...F0 } }\n${fragments}`, /QUERY_TOO_COSTLY/);
  });

  it('circular fragments', async () => {
    await refused('{ me { ...A } } fragment A on Viewer { id ...B } fragment B on Viewer { ...A }', /Cannot spread fragment/);
  });

  it('a document over the token limit', async () => {
    await refused(`{ me { ${'id '.repeat(6000)} } }`, /tokens/);
  });

  it('batched requests', async () => {
    const answer = await call(`${server.url}/graphql`, { method: 'POST', json: [{ query: '{ me { id } }' }], headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].extensions.code).toBe('parameter_invalid');
  });

  it('introspection counts too (outside production): a deep ofType chain, an alias flood, a duplicated field', async () => {
    let typeRef = 'name';
    for (let i = 0; i < 20; i++) typeRef = `ofType { ${typeRef} }`;
    await refused(`{ __schema { types { fields { type { ${typeRef} } } } } }`, /QUERY_TOO_DEEP/);
    await refused(`{ __type(name: "Query") { fields { type { ${typeRef} } } } }`, /QUERY_TOO_DEEP/);
    await refused(`{ ${Array.from({ length: 40 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`, /TOO_MANY_ALIASES/);
    await refused(`{ __schema { types { ${'name '.repeat(2500)} } } }`, /QUERY_TOO_COSTLY/);
  });

  it('GraphiQL’s own introspection query passes', async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const answer = await gql(server.url, query, { token });
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.__schema.queryType.name).toBe('Query');
  });

  it('normal documents, introspection included (outside production), pass', async () => {
    const answer = await gql(server.url, '{ me { id } policies(first: 5) { edges { node { id compartments { code events { at } } } } } }', { token });
    expect(answer.json.errors).toBeUndefined();
    const introspection = await gql(server.url, '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }', { token });
    expect(introspection.json.errors).toBeUndefined();
  });
});
