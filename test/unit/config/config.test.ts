import { ConfigError, loadConfig } from '../../../config';
import { TEST_SEPA_ENV as SEPA } from '../../support/sepa-env';

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
    expect(loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.5', ...SEPA })).toMatchObject({ production: true, demoData: false });
    expect(() => loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.5', DEMO_DATA: '1', ...SEPA })).toThrow(/DEMO_DATA/);
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
      expect(loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: 'any', ...SEPA }).trustedProxies).toBe('any');
    });

    it('reads addresses and CIDR ranges; outside production it defaults to loopback', () => {
      expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16 fd00::/8 ::1' }).trustedProxies).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', '::1']);
      expect(loadConfig({}).trustedProxies).toEqual(['127.0.0.0/8', '::1']);
    });

    it.each(['10.0.0.0/33', '10.0.0/8', 'fd00::/129', '10.0.0.1/8/1', '999.1.1.1'])('refuses %s', (entry) => {
      expect(() => loadConfig({ TRUSTED_PROXIES: entry })).toThrow(/^TRUSTED_PROXIES must list IP addresses or CIDR ranges/);
    });
  });

  describe('SEPA creditor', () => {
    it('refuses to start in production without the creditor id, name and IBAN, in one line naming the variable', () => {
      for (const missing of ['SEPA_CREDITOR_ID', 'SEPA_CREDITOR_NAME', 'SEPA_CREDITOR_IBAN']) {
        const env: Record<string, string> = { NODE_ENV: 'production', TRUSTED_PROXIES: 'any', ...SEPA };
        delete env[missing];
        expect(() => loadConfig(env)).toThrow(new RegExp(`^${missing} must be set with NODE_ENV=production`));
      }
    });

    it('takes the configured creditor, upper-casing the identifier and the BIC', () => {
      expect(loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: 'any', ...SEPA, SEPA_CREDITOR_ID: 'de98zzz09999999999', SEPA_CREDITOR_BIC: 'bnpafrpp' }).sepa).toEqual({
        creditorId: 'DE98ZZZ09999999999', name: 'Quarzo Life SA', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPP',
      });
    });

    it('falls back to the public demo creditor outside production', () => {
      expect(loadConfig({}).sepa).toEqual({ creditorId: 'FR72ZZZ123456', name: 'Quarzo Life', iban: 'FR1420041010050500013M02606', bic: null });
    });

    it.each([
      ['SEPA_CREDITOR_ID', 'FR73ZZZ123456'],
      ['SEPA_CREDITOR_ID', 'FR72ZZZ'],
      ['SEPA_CREDITOR_NAME', 'x'.repeat(71)],
      ['SEPA_CREDITOR_NAME', 'Quarzo & Co'],
      ['SEPA_CREDITOR_IBAN', 'FR1420041010050500013M02607'],
      ['SEPA_CREDITOR_BIC', 'BNPA'],
    ])('refuses %s=%s, in production or not', (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must`));
      expect(() => loadConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: 'any', ...SEPA, [name]: value })).toThrow(new RegExp(`^${name} must`));
    });
  });
});

