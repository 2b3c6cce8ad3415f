import { DATABASES } from '../support/databases';
import { call, unauthorizedBody } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

const token = (server: TestServer) =>
  call(`${server.url}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-certificate-serial': '01:23:45:67:89:AB:CD:EF' },
    body: 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret',
  });

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
});
