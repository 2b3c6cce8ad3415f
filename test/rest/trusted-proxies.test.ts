import { networkInterfaces } from 'node:os';
import { DATABASES } from '../support/databases';
import { call, DEMO_PASSWORD, unauthorizedBody } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

const token = (server: TestServer) =>
  call(`${server.url}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-certificate-serial': '01:23:45:67:89:AB:CD:EF' },
    body: 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret',
  });

const login = (server: TestServer, forwardedFor: string) =>
  call(`${server.url}/v1/auth/login`, { method: 'POST', json: { email: 'alice@demo.test', password: DEMO_PASSWORD }, headers: { 'x-forwarded-for': forwardedFor } });

/** Five attempts per address; a success clears the account's count, so only the address can stop us. */
const THROTTLE = { windowSeconds: 900, failuresPerAccount: 5, attemptsPerAddress: 5 };

/** An address of this machine that is not loopback: connecting to it, the peer is not a loopback proxy. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

describe('TRUSTED_PROXIES', () => {
  it('ignores the certificate serial header from an address that is not our proxy', async () => {
    const server = await startTestServer(DATABASES[0], { env: { TRUSTED_PROXIES: '10.9.9.9' } });
    try {
      const answer = await token(server);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(unauthorizedBody(server.url, 'MISSING_CLIENT_CERTIFICATE_SERIAL'));
    } finally {
      await server.close();
    }
  });

  it('believes it from the proxy', async () => {
    const server = await startTestServer(DATABASES[0], { env: { TRUSTED_PROXIES: '127.0.0.1, ::1' } });
    try {
      expect((await token(server)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['a proxy in a trusted CIDR range', { TRUSTED_PROXIES: '127.0.0.0/8' }],
    ['loopback by default (unset, outside production)', {}],
  ])('believes it from %s', async (_case, env: Record<string, string>) => {
    const server = await startTestServer(DATABASES[0], { env });
    try {
      expect((await token(server)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  describe('by default (unset, outside production), a peer that is not loopback is not a proxy', () => {
    let server: TestServer;
    beforeAll(async () => {
      if (external) server = await startTestServer(DATABASES[0], { host: external, throttle: THROTTLE });
    });
    afterAll(() => server?.close());

    (external ? it : it.skip)('ignores its certificate serial header', async () => {
      expect((await token(server)).json).toEqual(unauthorizedBody(server.url, 'MISSING_CLIENT_CERTIFICATE_SERIAL'));
    });

    (external ? it : it.skip)('throttles it by its own address, however it rotates X-Forwarded-For (TRUST_PROXY=1)', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await login(server, `198.51.100.${i + 1}`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    });
  });

  it('takes the right-most hop that is not a proxy: a rotated left part does not escape, another client behind the proxy is apart', async () => {
    const server = await startTestServer(DATABASES[0], { env: { TRUSTED_PROXIES: '127.0.0.1, 10.0.0.5' }, throttle: THROTTLE });
    try {
      const statuses: number[] = [];
      // The client wrote a different address each time; our proxies appended what they saw.
      for (let i = 0; i < 8; i++) statuses.push((await login(server, `198.51.100.${i + 1}, 203.0.113.7, 10.0.0.5`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      // Another client behind the same proxy has a bucket of its own.
      expect((await login(server, '203.0.113.8, 10.0.0.5')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
