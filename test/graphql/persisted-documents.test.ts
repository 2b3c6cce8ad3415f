import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { createHash } from '@apollo/utils.createhash';
import { print } from 'graphql';
import { loadConfig } from '../../config';
import { loadTrustedDocuments, PersistedDocuments } from '../../execution/persisted-documents';
import { EACH_DATABASE } from '../support/databases';
import { call, gql, login } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';

/** Apollo's own hashing utility: the hash is not computed by our code. */
const apolloSha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const ME = 'query WhoAmI { me { id email } }';

/** What an Apollo client sends, as the server received it (the body of each POST). */
function recordingClient(base: string, token: string, sent: unknown[]) {
  const http = new HttpLink({
    uri: `${base}/graphql`,
    headers: { authorization: `Bearer ${token}` },
    fetch: async (url, init) => {
      sent.push(JSON.parse(String(init?.body)));
      return fetch(url, init);
    },
  });
  const link = ApolloLink.from([new PersistedQueryLink({ sha256: apolloSha256 }), http]);
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

describe.each(EACH_DATABASE)('persisted and trusted documents on %s', (_name, database) => {
  describe('automatic persisted queries', () => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer(database);
      ({ token } = await login(server.url, 'alice@demo.test', '10.31.0.1'));
    });
    afterAll(() => server.close());

    it("round trip with Apollo Client's persisted query link: hash only, PersistedQueryNotFound, then hash and text, then hash only", async () => {
      const sent: Array<{ query?: string; extensions?: { persistedQuery?: { version: number; sha256Hash: string } } }> = [];
      const client = recordingClient(server.url, token, sent);
      const first = await client.query({ query: apolloGql(ME), fetchPolicy: 'no-cache' });
      expect(first.data).toEqual({ me: { __typename: 'Viewer', id: DEMO_IDS.users.alice, email: 'alice@demo.test' } });
      // The link sent the hash alone, heard PersistedQueryNotFound, and sent the text with the hash.
      expect(sent).toHaveLength(2);
      expect(sent[0].query).toBeUndefined();
      expect(sent[0].extensions?.persistedQuery).toEqual({ version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(typeof sent[1].query).toBe('string');
      // A second client (another page load) finds it registered: the hash alone is enough.
      const again: typeof sent = [];
      const second = await recordingClient(server.url, token, again).query({ query: apolloGql(ME), fetchPolicy: 'no-cache' });
      expect(second.data).toEqual(first.data);
      expect(again).toHaveLength(1);
      expect(again[0].query).toBeUndefined();
    });

    it('an unknown hash answers PersistedQueryNotFound as Apollo Server does (200, that message), in our envelope', async () => {
      const text = '{ me { kind } }';
      const answer = await call(`${server.url}/graphql`, { method: 'POST', json: { extensions: { persistedQuery: { version: 1, sha256Hash: apolloSha256(text) } } }, headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'parameter_invalid', reason: 'PERSISTED_QUERY_NOT_FOUND', doc_url: `${server.url}/docs/errors/parameter_invalid` } }] });
      // GET works too (Apollo's useGETForHashedQueries), and a query over GET stays read-only.
      const registered = await call(`${server.url}/graphql`, { method: 'POST', json: { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: apolloSha256(text) } } }, headers: { authorization: `Bearer ${token}` } });
      expect(registered.json).toEqual({ data: { me: { kind: 'subscriber' } } });
      const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: apolloSha256(text) } }) });
      const viaGet = await call(`${server.url}/graphql?${params}`, { headers: { authorization: `Bearer ${token}` } });
      expect(viaGet.json).toEqual({ data: { me: { kind: 'subscriber' } } });
    });

    it('a hash that is not the text\'s SHA-256, or a bad persistedQuery, is a 400 naming the rule', async () => {
      const wrong = await call(`${server.url}/graphql`, { method: 'POST', json: { query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: apolloSha256('{ me { email } }') } } }, headers: { authorization: `Bearer ${token}` } });
      expect(wrong.status).toBe(400);
      expect(wrong.json.errors[0]).toMatchObject({ extensions: { code: 'parameter_invalid', reason: 'INVALID_GRAPHQL_REQUEST' }, message: expect.stringContaining('sha256Hash') });
      const version = await call(`${server.url}/graphql`, { method: 'POST', json: { extensions: { persistedQuery: { version: 2, sha256Hash: apolloSha256('x') } } } });
      expect(version.status).toBe(400);
      expect(version.json.errors[0].extensions.reason).toBe('INVALID_GRAPHQL_REQUEST');
    });

    it('with APQ off (APQ_CACHE_SIZE=0) a hash answers PersistedQueryNotSupported, and the link falls back to the text', async () => {
      const off = await startTestServer(database, { env: { APQ_CACHE_SIZE: '0' } });
      try {
        const { token: offToken } = await login(off.url, 'alice@demo.test', '10.31.0.2');
        const sent: unknown[] = [];
        const result = await recordingClient(off.url, offToken, sent).query<{ me: { id: string } }>({ query: apolloGql(ME), fetchPolicy: 'no-cache' });
        expect(result.data?.me).toMatchObject({ id: DEMO_IDS.users.alice });
        const hashed = await call(`${off.url}/graphql`, { method: 'POST', json: { extensions: { persistedQuery: { version: 1, sha256Hash: apolloSha256(ME) } } } });
        expect(hashed.status).toBe(200);
        expect(hashed.json.errors[0]).toMatchObject({ message: 'PersistedQueryNotSupported', extensions: { reason: 'PERSISTED_QUERY_NOT_SUPPORTED' } });
      } finally {
        await off.close();
      }
    });
  });

  describe('trusted documents', () => {
    let server: TestServer;
    let dir: string;
    let token: string;
    // The text exactly as Apollo Client sends it (its cache adds __typename), hashed by the link.
    const trusted = print(new InMemoryCache().transformDocument(apolloGql(ME)));
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ig-trusted-'));
      // Apollo's persisted query manifest format, ids computed by Apollo's hashing utility.
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: apolloSha256(trusted), name: 'WhoAmI', type: 'query', body: trusted }] }));
      server = await startTestServer(database, { env: { TRUSTED_DOCUMENTS: join(dir, 'manifest.json'), TRUSTED_DOCUMENTS_REQUIRED: '1' } });
      ({ token } = await login(server.url, 'alice@demo.test', '10.31.0.3'));
    });
    afterAll(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('a trusted-documents-only server refuses an ad-hoc query with a clear envelope, and runs the manifest\'s by hash or exact text', async () => {
      const adHoc = await gql(server.url, '{ me { id } }', { token });
      expect(adHoc.status).toBe(400);
      expect(adHoc.json).toEqual({ errors: [{ message: expect.stringContaining('trusted documents only'), extensions: { code: 'parameter_invalid', reason: 'DOCUMENT_NOT_TRUSTED', doc_url: `${server.url}/docs/errors/parameter_invalid` } }] });
      const unknownHash = await call(`${server.url}/graphql`, { method: 'POST', json: { extensions: { persistedQuery: { version: 1, sha256Hash: apolloSha256('{ me { id } }') } } }, headers: { authorization: `Bearer ${token}` } });
      expect(unknownHash.status).toBe(400);
      expect(unknownHash.json.errors[0].extensions.reason).toBe('DOCUMENT_NOT_TRUSTED');
      // Registering a new text through APQ is refused too: only the manifest decides.
      const register = await call(`${server.url}/graphql`, { method: 'POST', json: { query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: apolloSha256('{ me { id } }') } } }, headers: { authorization: `Bearer ${token}` } });
      expect(register.json.errors[0].extensions.reason).toBe('DOCUMENT_NOT_TRUSTED');

      const sent: unknown[] = [];
      const byHash = await recordingClient(server.url, token, sent).query<{ me: { id: string } }>({ query: apolloGql(ME), fetchPolicy: 'no-cache' });
      expect(byHash.data?.me).toMatchObject({ id: DEMO_IDS.users.alice });
      expect(sent).toHaveLength(1);
      expect((await gql(server.url, trusted, { token })).json.data.me.id).toBe(DEMO_IDS.users.alice);
    });

    it('fails closed: required without a manifest path stops at configuration, a missing or lying manifest cannot be loaded', async () => {
      expect(() => loadConfig({ TRUSTED_DOCUMENTS_REQUIRED: '1' })).toThrow(/TRUSTED_DOCUMENTS/);
      // app.ts reads the manifest with this at start-up, before the server listens.
      expect(() => loadTrustedDocuments(join(dir, 'absent.json'))).toThrow(/TRUSTED_DOCUMENTS: cannot read/);
      await writeFile(join(dir, 'lying.json'), JSON.stringify({ [apolloSha256('{ me { id } }')]: '{ me { email } }' }));
      expect(() => loadTrustedDocuments(join(dir, 'lying.json'))).toThrow(/is not a document whose SHA-256 is its key/);
      expect(() => new PersistedDocuments({ trustedOnly: true, apqCacheSize: 10 })).toThrow(/no manifest/);
    });
  });
});
