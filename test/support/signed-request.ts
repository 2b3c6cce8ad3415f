import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';

/**
 * Signs requests as a partner following the public docs' authentication page would, with the
 * third-party `jose` library and the demo partner's key pair shipped in `demo/`: nothing of ours is
 * used to build the token, so a test fails when our reading of the format drifts.
 */
const DEMO_DIR = join(__dirname, '..', '..', 'demo');
export const PARTNER_CERTIFICATE_PEM = readFileSync(join(DEMO_DIR, 'partner-certificate.pem'), 'utf8');
export const PARTNER_PRIVATE_KEY_PEM = readFileSync(join(DEMO_DIR, 'partner-private-key.pem'), 'utf8');
/** base64url SHA-256 of the certificate's DER bytes. */
export const PARTNER_THUMBPRINT = createHash('sha256').update(new X509Certificate(PARTNER_CERTIFICATE_PEM).raw).digest('base64url');
export const PARTNER_SECRET = 'demo-partner-secret';

const partnerKeys = new Map<string, Promise<CryptoKey>>();
/** The demo partner's private key, for RS256 or (to test refusals) another RSA algorithm. */
export function partnerPrivateKey(alg = 'RS256'): Promise<CryptoKey> {
  if (!partnerKeys.has(alg)) partnerKeys.set(alg, importPKCS8(PARTNER_PRIVATE_KEY_PEM, alg));
  return partnerKeys.get(alg)!;
}

export const sha256Base64url = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

export interface SignOptions {
  method: string;
  /** Path and query exactly as the request will send them. */
  target: string;
  /** The raw body, when the request has one: its digest goes in `dig#S256`. */
  body?: string;
  /** Our clock, in seconds: `iat`. */
  now: number;
  aud?: string;
  /** Claims to set (or, with `undefined`, to remove) after the defaults. */
  claims?: Record<string, unknown>;
  /** Header parameters to set (or remove) after the defaults. */
  header?: Record<string, unknown>;
  /** Another signing key (and algorithm). */
  key?: CryptoKey | Uint8Array;
}

export async function signRequest(options: SignOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    sub: `${options.method} ${options.target}`,
    aud: options.aud ?? 'localhost',
    iat: options.now,
    jti: randomUUID(),
    sec: PARTNER_SECRET,
    ...(options.body !== undefined ? { 'dig#S256': sha256Base64url(options.body) } : {}),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  const header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', 'x5t#S256': PARTNER_THUMBPRINT, ...options.header };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(options.key ?? (await partnerPrivateKey()));
}
