import { loadPlayground, PLAYGROUND_CSP } from '../../playground/playground';
import { DATABASES } from '../support/databases';
import { call } from '../support/http';
import { chromiumAvailable, runInPlayground } from '../support/playground-driver';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS } from '../support/ids';

const playground = { ...loadPlayground({ graphqlPath: '/graphql', assetBase: '/playground/assets' }), csp: PLAYGROUND_CSP };
// CI installs Chromium (.ci/run), so there a missing browser is a failure; on a laptop without it, skip.
const browserTest = chromiumAvailable() || process.env.CI ? it : it.skip;

describe('GraphQL playground', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(DATABASES[0], { playground });
  });
  afterAll(() => server.close());

  it('serves the page and every asset from this server, under a CSP that allows nothing external', async () => {
    const page = await call(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((s) => !s.startsWith('data:'));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      expect(source.startsWith('/')).toBe(true);
      expect((await call(`${server.url}${source}`)).status).toBe(200);
    }
  });

  browserTest(
    'in headless Chromium: log in, run { me { id } }, see the answer',
    async () => {
      const run = await runInPlayground(server.url, {
        operations: ['mutation Login { login(email: "alice@demo.test", password: "demo-password-2026") { expiresIn } }', 'query Me { me { id } }'],
      });
      expect(JSON.parse(run.results[0])).toEqual({ data: { login: { expiresIn: 900 } } });
      expect(JSON.parse(run.results[1])).toEqual({ data: { me: { id: DEMO_IDS.users.alice } } });
      // No CSP violation, no failed asset, no script error.
      expect(run.problems).toEqual([]);
    },
    90_000,
  );
});

describe('production mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(DATABASES[0], { env: { NODE_ENV: 'production', TRUSTED_PROXIES: '127.0.0.1' }, playground: undefined, demoData: true });
  });
  afterAll(() => server.close());

  it('serves no playground, refuses introspection and gives no field suggestions', async () => {
    const page = await call(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    const introspection = await call(`${server.url}/graphql`, { method: 'POST', json: { query: '{ __schema { types { name } } }' } });
    expect(introspection.status).toBe(400);
    expect(introspection.json.errors[0].extensions.code).toBe('parameter_invalid');
    const typo = await call(`${server.url}/graphql`, { method: 'POST', json: { query: '{ mee { id } }' } });
    expect(typo.status).toBe(400);
    expect(typo.text).not.toMatch(/Did you mean/);
    expect(typo.text).not.toMatch(/"me"/);
  });
});
