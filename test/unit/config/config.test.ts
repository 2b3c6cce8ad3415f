import { ConfigError, loadConfig } from '../../../config';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '.data',
      docsBaseUrl: undefined,
      accessTokenTtl: 900,
      production: false,
      demoData: undefined,
      clientCertSerialHeader: 'x-client-certificate-serial',
      webhookSecrets: {},
      apiHost: 'localhost',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://app@db:5432/gateway',
      DATA_DIR: '/var/lib/gw',
      DOCS_BASE_URL: 'https://docs.example.com/',
      ACCESS_TOKEN_TTL: '300',
      DEMO_DATA: '0',
      CLIENT_CERT_SERIAL_HEADER: 'X-SSL-Client-Serial',
      WEBHOOK_SECRET_ESIGN: 'whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2 whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      API_HOST: 'API.Example.com',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://app@db:5432/gateway',
      dataDir: '/var/lib/gw',
      docsBaseUrl: 'https://docs.example.com',
      accessTokenTtl: 300,
      demoData: false,
      clientCertSerialHeader: 'x-ssl-client-serial',
      webhookSecrets: { esign: ['whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] },
      apiHost: 'api.example.com',
    });
  });

  it('production turns demo data off and refuses DEMO_DATA=1', () => {
    expect(loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.5' })).toMatchObject({ production: true, demoData: false });
    expect(() => loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.5', DEMO_DATA: '1' })).toThrow(/DEMO_DATA/);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['ACCESS_TOKEN_TTL', '-5'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['DOCS_BASE_URL', 'ftp://docs'],
    ['DEMO_DATA', 'yes'],
    ['CLIENT_CERT_SERIAL_HEADER', 'bad header!'],
    ['WEBHOOK_SECRET_ESIGN', 'whsec_short'],
    ['TRUSTED_PROXIES', 'proxy.internal'],
    ['API_HOST', 'https://api.example.com/'],
    ['NODE_ENV', 'prod'],
  ])('a bad %s (%s) stops start-up with one line naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(name)).toBe(true);
    expect(message).not.toContain('\n');
  });

  // The URL must fail to parse, or the assertion on the message would hold whatever the code did.
  it('never echoes a database password', () => {
    for (const DATABASE_URL of ['postgres://u:s3cret@host:port/db', 'postgres://u:s3cret@ho st/db']) {
      expect(() => new URL(DATABASE_URL)).toThrow();
      let error: unknown;
      try {
        loadConfig({ DATABASE_URL });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^DATABASE_URL must be a URL, got "postgres:\/\/\*\*\*@/);
      expect((error as Error).message).not.toContain('s3cret');
    }
  });

  describe('TRUSTED_PROXIES', () => {
    it('refuses to start in production without it, in one line naming it', () => {
      let error: unknown;
      try {
        loadConfig({ NODE_ENV: 'production' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^TRUSTED_PROXIES must be set with NODE_ENV=production/);
      expect((error as Error).message).not.toContain('\n');
    });

    it('takes `any` as the statement that the network lets only the proxy in', () => {
      expect(loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: 'any' }).trustedProxies).toBe('any');
    });

    it('reads addresses and CIDR ranges; outside production it defaults to loopback', () => {
      expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16 fd00::/8 ::1' }).trustedProxies).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', '::1']);
      expect(loadConfig({}).trustedProxies).toEqual(['127.0.0.0/8', '::1']);
    });

    it.each(['10.0.0.0/33', '10.0.0/8', 'fd00::/129', '10.0.0.1/8/1', '999.1.1.1'])('refuses %s', (entry) => {
      expect(() => loadConfig({ TRUSTED_PROXIES: entry })).toThrow(/^TRUSTED_PROXIES must list IP addresses or CIDR ranges/);
    });
  });
});
