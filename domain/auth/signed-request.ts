import { createHash, timingSafeEqual, X509Certificate, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import type { SignedRequestStore, SigningCertificate } from '../../store/signed-request-store';
import type { Clock } from '../shared/clock';
import { verifyPassword } from './passwords';
import type { Viewer } from './viewer';

/** The request a signed-request token must describe. */
export interface SignedRequest {
  method: string;
  /** The request target exactly as sent: the path and the query string, if any. */
  target: string;
  /** The raw body, empty when there is none; read only once the signature and claims hold. */
  body(): Promise<Uint8Array>;
}

/** Largest difference between a signed request's `iat` and our clock (docs/SECURITY.md 27). */
export const SIGNED_REQUEST_SKEW_SECONDS = 5;
/**
 * How long a used `jti` is remembered. A token is dead 5 s after its `iat` by our clock; the margin
 * covers replicas whose clocks disagree with ours.
 */
const REMEMBER_REQUEST_ID_MS = 60 * 60_000;
/** A verified client secret is not run through Argon2id again for this long (one per request is too dear). */
const SECRET_CACHE_MS = 5 * 60_000;
const SECRET_CACHE_SIZE = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const MIN_RSA_BITS = 2048;
/** The session id a signed request's viewer carries: no session stands behind it, the request is the credential. */
const SIGNED_SESSION_PREFIX = 'signed-request:';
const SIGNED_SESSION = /^signed-request:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The certificate thumbprint a signed-request token names (call only once the token was verified). */
export function signedRequestThumbprint(token: string): string | undefined {
  try {
    const thumbprint = decodeProtectedHeader(token)['x5t#S256'];
    return typeof thumbprint === 'string' ? thumbprint : undefined;
  } catch {
    return undefined;
  }
}

/** Token headers seen, and whether each is a signed request's; a flood of made-up ones only empties it. */
const signedHeaders = new Map<string, boolean>();
const MAX_REMEMBERED_HEADERS = 1_000;

/**
 * Whether a bearer token is a partner's signed request rather than one of our access tokens: only a
 * signed request names a certificate (`x5t#S256`); ours name a key id.
 */
export function isSignedRequestToken(token: string): boolean {
  // Every access token we issue has the same header, and a partner's signed requests one per certificate:
  // the answer is remembered by header, so the bearer on every request is not decoded twice (npm run bench).
  const dot = token.indexOf('.');
  if (dot < 0) return false;
  const header = token.slice(0, dot);
  const known = signedHeaders.get(header);
  if (known !== undefined) return known;
  let signed: boolean;
  try {
    signed = 'x5t#S256' in decodeProtectedHeader(token);
  } catch {
    signed = false;
  }
  if (signedHeaders.size >= MAX_REMEMBERED_HEADERS) signedHeaders.clear();
  signedHeaders.set(header, signed);
  return signed;
}

interface LoadedCertificate {
  key: KeyObject;
  validFrom: Date;
  validTo: Date;
}

/**
 * Partners that sign every request with the private key of a registered certificate (docs/SECURITY.md
 * 27): a JWS over the method, path and query, our host, the time, a single-use id, the client's secret
 * and a digest of the body. A request that passes acts as that machine client.
 */
export class SignedRequests {
  /** Parsed certificates by thumbprint: the thumbprint is the hash of the bytes, so an entry never goes stale. */
  private readonly certificates = new Map<string, LoadedCertificate | null>();
  /** Secrets verified lately, keyed by a hash of the stored secret hash and the secret (expiry in ms). */
  private readonly secrets = new Map<string, number>();

  constructor(
    private readonly store: SignedRequestStore,
    private readonly clock: Clock,
    /** Our host name (`API_HOST`), lower-case: the audience every signed request must name. */
    private readonly audience: string,
  ) {}

  /**
   * The machine client the request comes from, or undefined when anything does not hold. Never throws for
   * a bad token; reading the body may (a body over the limit is still 413, once the signature holds).
   */
  async verify(token: string, request: SignedRequest): Promise<Viewer | undefined> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return undefined;
    }
    const thumbprint = header['x5t#S256'];
    // One algorithm, pinned before any key is touched; `typ` is the literal the docs require.
    if (header.alg !== 'RS256' || header.typ !== 'JWT' || typeof thumbprint !== 'string' || !THUMBPRINT.test(thumbprint)) return undefined;
    const certificate = await this.store.certificateByThumbprint(thumbprint);
    if (!certificate) return undefined;
    const now = this.clock.now();
    const loaded = this.load(certificate);
    if (!loaded || now < loaded.validFrom || now > loaded.validTo) return undefined;
    let claims: Record<string, unknown>;
    try {
      const { payload } = await compactVerify(token, loaded.key, { algorithms: ['RS256'] });
      const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      claims = parsed as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (!this.claimsHold(claims, request, now)) return undefined;
    const jti = (claims.jti as string).toLowerCase();
    // The id is spent before the secret is checked, so a captured token costs at most one Argon2id run.
    if (!(await this.store.recordRequestId(certificate.clientId, jti, new Date(now.getTime() + REMEMBER_REQUEST_ID_MS)))) return undefined;
    if (!(await this.secretMatches(certificate, claims.sec as string))) return undefined;
    if (!bodyMatches(await request.body(), claims['dig#S256'])) return undefined;
    return {
      id: certificate.clientId,
      kind: 'machine',
      email: null,
      clientId: certificate.clientId,
      distributorId: certificate.distributorId,
      // No session stands behind a signed request: the request itself is the credential.
      sessionId: `${SIGNED_SESSION_PREFIX}${jti}`,
    };
  }

  /**
   * The machine client an edge assertion names (docs/SECURITY.md 31). The front verified the partner's
   * signed request and minted the assertion for one request to the service: its method and target
   * (`req`), the digest of its body (`dig#S256`), a `jti` spent here like a partner's. The client is
   * taken from our certificate table again (a certificate removed meanwhile, or a client that does not
   * hold it, is refused), not from the claims alone.
   */
  async viewerOfAssertion(claims: { sub: string; sid: string; jti: string; [claim: string]: unknown }, request: SignedRequest): Promise<Viewer | undefined> {
    const thumbprint = claims['x5t#S256'];
    if (typeof thumbprint !== 'string' || !THUMBPRINT.test(thumbprint) || !SIGNED_SESSION.test(claims.sid)) return undefined;
    if (claims.req !== `${request.method} ${request.target}`) return undefined;
    const certificate = await this.store.certificateByThumbprint(thumbprint);
    if (!certificate || certificate.clientId !== claims.sub) return undefined;
    const now = this.clock.now();
    const loaded = this.load(certificate);
    if (!loaded || now < loaded.validFrom || now > loaded.validTo) return undefined;
    // Our ids (`jti_...`) never collide with a partner's UUIDs in the same table.
    if (!(await this.store.recordRequestId(certificate.clientId, claims.jti, new Date(now.getTime() + REMEMBER_REQUEST_ID_MS)))) return undefined;
    if (!bodyMatches(await request.body(), claims['dig#S256'])) return undefined;
    return { id: certificate.clientId, kind: 'machine', email: null, clientId: certificate.clientId, distributorId: certificate.distributorId, sessionId: claims.sid };
  }

  private claimsHold(claims: Record<string, unknown>, request: SignedRequest, now: Date): boolean {
    const nowSeconds = now.getTime() / 1000;
    const { sub, aud, iat, exp, nbf, jti, sec } = claims;
    const digest = claims['dig#S256'];
    const audienceOk = typeof aud === 'string' ? aud.toLowerCase() === this.audience : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && a.toLowerCase() === this.audience);
    return (
      sub === `${request.method} ${request.target}` &&
      audienceOk &&
      typeof iat === 'number' && Number.isFinite(iat) && Math.abs(nowSeconds - iat) <= SIGNED_REQUEST_SKEW_SECONDS &&
      // Not required, but a signer that sets them is taken at its word.
      (exp === undefined || (typeof exp === 'number' && nowSeconds < exp + SIGNED_REQUEST_SKEW_SECONDS)) &&
      (nbf === undefined || (typeof nbf === 'number' && nbf <= nowSeconds + SIGNED_REQUEST_SKEW_SECONDS)) &&
      typeof jti === 'string' && UUID.test(jti) &&
      typeof sec === 'string' && sec.length > 0 && sec.length <= 1000 &&
      (digest === undefined || typeof digest === 'string')
    );
  }

  /** The certificate's RSA key (2048 bits or more) and validity, or null when it cannot sign for us. */
  private load(certificate: SigningCertificate): LoadedCertificate | null {
    let loaded = this.certificates.get(certificate.thumbprint);
    if (loaded !== undefined) return loaded;
    try {
      const x509 = new X509Certificate(certificate.certificatePem);
      const key = x509.publicKey;
      const rsa = key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;
      loaded = rsa ? { key, validFrom: x509.validFromDate, validTo: x509.validToDate } : null;
    } catch {
      loaded = null;
    }
    this.certificates.set(certificate.thumbprint, loaded);
    return loaded;
  }

  private async secretMatches(certificate: SigningCertificate, secret: string): Promise<boolean> {
    const key = createHash('sha256').update(certificate.clientSecretHash).update('\0').update(secret).digest('base64url');
    const until = this.secrets.get(key);
    if (until !== undefined && until > Date.now()) return true;
    if (!(await verifyPassword(certificate.clientSecretHash, secret))) return false;
    if (this.secrets.size >= SECRET_CACHE_SIZE) this.secrets.clear();
    this.secrets.set(key, Date.now() + SECRET_CACHE_MS);
    return true;
  }
}

/** The base64url SHA-256 of a body, as `dig#S256` carries it. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** With a body, `dig#S256` must be its base64url SHA-256; without one it may be absent (or the digest of nothing). */
function bodyMatches(body: Uint8Array, claim: unknown): boolean {
  if (claim === undefined) return body.length === 0;
  if (typeof claim !== 'string') return false;
  const expected = createHash('sha256').update(body).digest();
  const presented = Buffer.from(claim, 'base64url');
  return presented.length === expected.length && timingSafeEqual(presented, expected) && presented.toString('base64url') === claim;
}
