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
    });
  });

  it('production turns demo data off and refuses DEMO_DATA=1', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ production: true, demoData: false });
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO_DATA: '1' })).toThrow(/DEMO_DATA/);
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

  it('never echoes a database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:s3cret@host:5432/db with spaces' })).not.toThrow(/s3cret/);
  });
});
