/**
 * The one place that reads the environment. Everything else receives a typed `Config`.
 * A bad value throws `ConfigError` whose message is one line naming the variable.
 */
import { isAddressOrRange, LOOPBACK, type TrustedProxies } from '../context/proxy-trust';
import { checkIban } from '../domain/shared/iban';
import { checkCreditorId, sepaText } from '../domain/premiums/sepa-identifiers';

export interface Config {
  /** TCP port to listen on. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** PostgreSQL connection string; undefined means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** PGlite data folder (used only without `databaseUrl`). */
  dataDir: string;
  /** Base of every `doc_url`; undefined means this server's own `/docs`, resolved once the port is known. */
  docsBaseUrl: string | undefined;
  /** Access-token lifetime in seconds. */
  accessTokenTtl: number;
  /** Session lifetime in seconds (cookie and the session behind every token). */
  sessionTtl: number;
  /** `NODE_ENV=production`: no playground, no introspection, no demo data, no field suggestions. */
  production: boolean;
  /** Seed demo data: true/false when set, undefined = "outside production, when the database is empty". */
  demoData: boolean | undefined;
  /** Header in which our TLS proxy passes the client certificate serial. Lower-case. */
  clientCertSerialHeader: string;
  /** Webhook secrets per source (lower-case source name), several during rotation. */
  webhookSecrets: Record<string, string[]>;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Take the client address from `X-Forwarded-For` (the right-most hop that is not our proxy). */
  trustProxy: boolean;
  /** Our TLS proxies (addresses, CIDR ranges, or `any`): their headers are believed only from them. */
  trustedProxies: TrustedProxies;
  /** One JSON line per request on stderr (method, path, status, duration, request id). */
  accessLog: boolean;
  /** JWT issuer and audience. */
  issuer: string;
  audience: string;
  /** Our public host name: the `aud` a partner's signed request must carry (docs/SECURITY.md 27). */
  apiHost: string;
  /** Sending the outbox: webhook deliveries and e-mail (docs/WEBHOOKS.md, docs/EMAIL.md). */
  outbox: OutboxConfig;
  /** The creditor our SEPA files name (docs/DOMAIN.md, "Premiums and payers"). */
  sepa: SepaCreditor;
  /** GraphQL documents: compilation and persisted / trusted documents (docs/ARCHITECTURE.md). */
  documents: DocumentsConfig;
}

/** Us, as the SEPA files name us: the creditor of direct debits and the debtor of pay-outs. */
export interface SepaCreditor {
  /** SEPA creditor identifier (ICS), checked by its check digits (`SEPA_CREDITOR_ID`). */
  creditorId: string;
  /** Our name in the files, SEPA characters, at most 70 (`SEPA_CREDITOR_NAME`). */
  name: string;
  /** The account collections are credited to and pay-outs debited from, electronic format (`SEPA_CREDITOR_IBAN`). */
  iban: string;
  /** Its bank's BIC, or null: the files then say NOTPROVIDED, as IBAN-only SEPA allows (`SEPA_CREDITOR_BIC`). */
  bic: string | null;
}

export interface DocumentsConfig {
  /** Compile the REST bridge's operations and persisted documents with graphql-jit (`GRAPHQL_JIT`, default on). */
  jit: boolean;
  /** Automatic persisted queries kept per replica, least recently used out (`APQ_CACHE_SIZE`, 0 = APQ off). */
  apqCacheSize: number;
  /** JSON manifest of trusted documents (`TRUSTED_DOCUMENTS`): hash -> document, or Apollo's manifest format. */
  trustedDocumentsPath: string | undefined;
  /** Run trusted documents only (`TRUSTED_DOCUMENTS_REQUIRED`); needs `TRUSTED_DOCUMENTS` (fails closed). */
  trustedDocumentsRequired: boolean;
}

export interface OutboxConfig {
  /** Attempts in flight at once per lane on this replica (`OUTBOX_CONCURRENCY`). */
  concurrency: number;
  /** Due work is looked for at least this often, besides notifications (`OUTBOX_POLL_MS`). */
  pollMs: number;
  /** A webhook attempt not answered 2xx within this is a failure (`WEBHOOK_TIMEOUT_MS`). */
  webhookTimeoutMs: number;
  /** First retry delay's ceiling, doubled at each attempt, with full jitter (`WEBHOOK_RETRY_BASE_MS`). */
  webhookRetryBaseMs: number;
  /** Attempts before a delivery is `failed` (`WEBHOOK_MAX_ATTEMPTS`). */
  webhookMaxAttempts: number;
  /** `smtp://` or `smtps://` server for e-mail; undefined writes each message as an .eml file (`SMTP_URL`). */
  smtpUrl: string | undefined;
  /** Folder of the .eml files without SMTP (`MAIL_DIR`, default `<DATA_DIR>/mail`). */
  mailDir: string;
  /** Sender of the notifications we write (`MAIL_FROM`). */
  mailFrom: string;
  /** Addresses a caller of POST /v1/emailing/messages may send from, lower-case (`MAIL_SENDERS`, comma-separated). */
  mailSenders: string[];
  /** First retry of a message refused for now is within this (`MAIL_RETRY_BASE_MS`), doubling each time. */
  mailRetryBaseMs: number;
  /** Attempts before a message is `failed` (`MAIL_MAX_ATTEMPTS`). */
  mailMaxAttempts: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function flag(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw.replace(/\/\/[^@/]*@/, '//***@')}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')}`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * TRUSTED_PROXIES fails closed: production refuses to start without it (a client reaching the service
 * directly could otherwise claim any certificate serial or address); elsewhere it defaults to loopback.
 */
function trustedProxies(env: Env, production: boolean): TrustedProxies {
  const name = 'TRUSTED_PROXIES';
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    if (production) throw new ConfigError(`${name} must be set with NODE_ENV=production: the TLS proxy's addresses or CIDR ranges, or "any" when the network lets nothing else reach the service`);
    return LOOPBACK;
  }
  if (raw.trim() === 'any') return 'any';
  const list = raw.split(/[\s,]+/).filter(Boolean);
  for (const entry of list) {
    if (!isAddressOrRange(entry)) throw new ConfigError(`${name} must list IP addresses or CIDR ranges (or be "any"), got "${entry}"`);
  }
  return list;
}

/** Demo secrets are public on purpose (README); they are used only when demo data is on. */
export const DEMO_WEBHOOK_SECRETS: Record<string, string> = {
  esign: 'whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2',
  payments: 'whsec_ZGVtby1wYXltZW50cy13ZWJob29rLXNlY3JldC0yMDI2',
};

function webhookSecrets(env: Env): Record<string, string[]> {
  const secrets: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^WEBHOOK_SECRET_([A-Z0-9_]+)$/.exec(name);
    if (!match || value === undefined || value === '') continue;
    // Several secrets, separated by spaces or commas, let a provider rotate without downtime.
    const list = value.split(/[\s,]+/).filter(Boolean);
    for (const secret of list) {
      const body = secret.startsWith('whsec_') ? secret.slice(6) : secret;
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || Buffer.from(body, 'base64').length < 16) {
        throw new ConfigError(`${name} must hold whsec_<base64> secrets of at least 16 bytes`);
      }
    }
    secrets[match[1].toLowerCase()] = list;
  }
  return secrets;
}

/** A host name, optionally with a port, as a partner writes it in a signed request's `aud`. */
function apiHost(env: Env): string {
  const raw = env.API_HOST;
  if (raw === undefined || raw === '') return 'localhost';
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:\d{1,5})?$/.test(raw)) throw new ConfigError(`API_HOST must be a host name such as api.example.com, got "${raw}"`);
  // Host names are case-insensitive; the claim is compared with this lower-case form.
  return raw.toLowerCase();
}

function outboxConfig(env: Env): OutboxConfig {
  return {
    concurrency: integer(env, 'OUTBOX_CONCURRENCY', 16, 1, 256),
    pollMs: integer(env, 'OUTBOX_POLL_MS', 1000, 10, 600_000),
    webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    webhookRetryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 5_000, 1, 3_600_000),
    webhookMaxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 12, 1, 50),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailDir: env.MAIL_DIR || `${env.DATA_DIR || '.data'}/mail`,
    mailFrom: env.MAIL_FROM || 'Quarzo Life <no-reply@quarzo-life.com>',
    mailSenders: (env.MAIL_SENDERS || 'hello@quarzo-life.com,no-reply@quarzo-life.com').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean),
    mailRetryBaseMs: integer(env, 'MAIL_RETRY_BASE_MS', 30_000, 1, 3_600_000),
    mailMaxAttempts: integer(env, 'MAIL_MAX_ATTEMPTS', 8, 1, 50),
  };
}

/** Public demo values (README): a creditor id and IBAN that pass their checks and belong to nobody. */
export const DEMO_SEPA_CREDITOR: SepaCreditor = { creditorId: 'FR72ZZZ123456', name: 'Quarzo Life', iban: 'FR1420041010050500013M02606', bic: null };

/**
 * The SEPA creditor fails closed: in production every file would carry it to the bank, so production
 * refuses to start without SEPA_CREDITOR_ID, _NAME and _IBAN; elsewhere the demo creditor fills what is
 * not set. A value that is set is always checked.
 */
function sepaCreditor(env: Env, production: boolean): SepaCreditor {
  const raw = (name: string) => (env[name] ?? '').trim();
  if (production) {
    for (const name of ['SEPA_CREDITOR_ID', 'SEPA_CREDITOR_NAME', 'SEPA_CREDITOR_IBAN']) {
      if (raw(name) === '') throw new ConfigError(`${name} must be set with NODE_ENV=production: it goes into every SEPA file sent to the bank`);
    }
  }
  let creditorId = DEMO_SEPA_CREDITOR.creditorId;
  if (raw('SEPA_CREDITOR_ID') !== '') {
    const checked = checkCreditorId(raw('SEPA_CREDITOR_ID'));
    if (!checked) throw new ConfigError(`SEPA_CREDITOR_ID must be a SEPA creditor identifier with valid check digits (FRkkZZZnnnnnn), got "${raw('SEPA_CREDITOR_ID')}"`);
    creditorId = checked;
  }
  let name = DEMO_SEPA_CREDITOR.name;
  if (raw('SEPA_CREDITOR_NAME') !== '') {
    if (raw('SEPA_CREDITOR_NAME').length > 70 || sepaText(raw('SEPA_CREDITOR_NAME'), 70) !== raw('SEPA_CREDITOR_NAME')) {
      throw new ConfigError('SEPA_CREDITOR_NAME must be at most 70 characters of the SEPA set (letters, digits, space and / - ? : ( ) . , \' +)');
    }
    name = raw('SEPA_CREDITOR_NAME');
  }
  let iban = DEMO_SEPA_CREDITOR.iban;
  if (raw('SEPA_CREDITOR_IBAN') !== '') {
    const checked = checkIban(raw('SEPA_CREDITOR_IBAN'));
    if (!checked.ok) throw new ConfigError(`SEPA_CREDITOR_IBAN must be a valid IBAN in the SEPA area, got "${raw('SEPA_CREDITOR_IBAN')}"`);
    iban = checked.iban;
  }
  let bic: string | null = null;
  if (raw('SEPA_CREDITOR_BIC') !== '') {
    const value = raw('SEPA_CREDITOR_BIC').toUpperCase();
    if (!/^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/.test(value)) throw new ConfigError(`SEPA_CREDITOR_BIC must be a BIC of 8 or 11 characters, got "${raw('SEPA_CREDITOR_BIC')}"`);
    bic = value;
  }
  return { creditorId, name, iban, bic };
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? '';
  // A typo ("prod") must not quietly run with the playground, introspection and published demo logins.
  if (!['', 'production', 'development', 'test'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be production, development or test, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';
  const header = (env.CLIENT_CERT_SERIAL_HEADER || 'x-client-certificate-serial').toLowerCase();
  if (!/^[a-z0-9-]+$/.test(header)) {
    throw new ConfigError(`CLIENT_CERT_SERIAL_HEADER must be an HTTP header name, got "${header}"`);
  }
  const host = env.HOST || '127.0.0.1';
  const demoData = flag(env, 'DEMO_DATA');
  if (production && demoData) throw new ConfigError('DEMO_DATA=1 is not allowed with NODE_ENV=production');
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: env.DATA_DIR || '.data',
    docsBaseUrl: url(env, 'DOCS_BASE_URL', ['http:', 'https:']),
    accessTokenTtl: integer(env, 'ACCESS_TOKEN_TTL', 900, 30, 86400),
    sessionTtl: integer(env, 'SESSION_TTL', 8 * 3600, 60, 30 * 86400),
    production,
    demoData: production ? false : demoData,
    clientCertSerialHeader: header,
    webhookSecrets: webhookSecrets(env),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    trustProxy: flag(env, 'TRUST_PROXY') ?? false,
    accessLog: flag(env, 'ACCESS_LOG') ?? false,
    trustedProxies: trustedProxies(env, production),
    issuer: env.JWT_ISSUER || 'urn:insurance-gateway',
    audience: env.JWT_AUDIENCE || 'urn:insurance-gateway:api',
    apiHost: apiHost(env),
    outbox: outboxConfig(env),
    sepa: sepaCreditor(env, production),
    documents: documentsConfig(env),
  };
}

function documentsConfig(env: Env): DocumentsConfig {
  const trustedDocumentsRequired = flag(env, 'TRUSTED_DOCUMENTS_REQUIRED') ?? false;
  const trustedDocumentsPath = env.TRUSTED_DOCUMENTS || undefined;
  // Fail closed: a server told to run trusted documents only must not start open because the manifest is unset.
  if (trustedDocumentsRequired && !trustedDocumentsPath) throw new ConfigError('TRUSTED_DOCUMENTS_REQUIRED=1 needs TRUSTED_DOCUMENTS, the path of the trusted documents manifest');
  return { jit: flag(env, 'GRAPHQL_JIT') ?? true, apqCacheSize: integer(env, 'APQ_CACHE_SIZE', 1000, 0, 1_000_000), trustedDocumentsPath, trustedDocumentsRequired };
}
