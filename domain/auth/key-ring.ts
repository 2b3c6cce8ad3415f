import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, errors, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { SigningKeyStore } from '../../store/signing-key-store';
import type { Clock } from '../shared/clock';
import { newId } from '../shared/ids';

const ALG = 'ES256';
/** Tolerated clock skew between us and whoever issued or holds a token (docs/SECURITY.md 3). */
export const CLOCK_SKEW_SECONDS = 60;

/** The `typ` of the front's edge assertions: distinct from access tokens' `at+jwt`. */
const EDGE_ASSERTION_TYPE = 'edge-assertion+jwt';
/** The audience of edge assertions: the service behind the front, never a public API audience. */
const edgeAudience = (audience: string) => `${audience}:behind-front`;

export type TokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; expired: boolean };

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  sid: string;
  jti: string;
  exp: number;
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey | Uint8Array;
  privateKey: CryptoKey | Uint8Array | undefined;
  active: boolean;
}

/**
 * Our JWT signing keys: persisted in the database so every replica and every restart shares them,
 * rotated by adding a new active key. A retired key keeps verifying for as long as a token it
 * signed can live, so rotation never breaks a live token.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private signer: LoadedKey | undefined;
  private lastReload = 0;
  /** Verified tokens: repeated calls with one token skip the signature check until it expires. */
  private verified = new Map<string, AccessTokenClaims>();

  constructor(
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
    private readonly options: { issuer: string; audience: string; maxTokenSeconds: number },
  ) {}

  /** Loads the keys; creates the first one on a new database. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.signer) await this.rotate();
  }

  /**
   * Adds a new signing key; older keys stop signing (their private part is wiped) but still verify their
   * live tokens.
   */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = newId('key');
    const now = this.clock.now();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
    await this.store.insert({ kid, alg: ALG, privateJwk, publicJwk, createdAt: now });
    await this.store.retireAllBut(kid, now);
    await this.reload();
    return kid;
  }

  /**
   * Reloads the keys when the last load is over a minute old, so a rotation made by another replica
   * reaches this one (it signs with the newest key and publishes it) well before old tokens expire.
   */
  async refreshIfStale(): Promise<void> {
    if (Date.now() - this.lastReload > 60_000) await this.reload();
  }

  /** Public keys for `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  async sign(claims: { sub: string; sid: string; jti: string; [claim: string]: unknown }, expiresAt: Date): Promise<string> {
    await this.refreshIfStale();
    if (!this.signer?.privateKey) throw new Error('no active signing key');
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, typ: 'at+jwt', kid: this.signer.kid })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(now)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.signer.privateKey);
  }

  /**
   * An edge assertion (docs/SECURITY.md 31): what the GraphQL front tells the service about a caller it
   * authenticated itself. Its own `typ` and audience, so it is never taken for an access token, nor one
   * for it; it lives seconds, long enough for one request's subgraph fetches.
   */
  async signEdgeAssertion(claims: { sub: string; sid: string; jti: string; [claim: string]: unknown }, lifetimeSeconds: number): Promise<string> {
    await this.refreshIfStale();
    if (!this.signer?.privateKey) throw new Error('no active signing key');
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, typ: EDGE_ASSERTION_TYPE, kid: this.signer.kid })
      .setIssuer(this.options.issuer)
      .setAudience(edgeAudience(this.options.audience))
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.signer.privateKey);
  }

  /** The claims of an edge assertion we signed, or undefined (bad signature, type, audience, expired). Never throws. */
  async verifyEdgeAssertion(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, (header) => this.keyFor(header.kid), {
        algorithms: [ALG],
        typ: EDGE_ASSERTION_TYPE,
        issuer: this.options.issuer,
        audience: edgeAudience(this.options.audience),
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat'],
      });
      return payload as AccessTokenClaims;
    } catch {
      return undefined;
    }
  }

  /** Checks signature (pinned algorithm), type, issuer, audience and expiry. Never throws. */
  async verify(token: string): Promise<TokenCheck> {
    const nowSeconds = this.clock.now().getTime() / 1000;
    const cached = this.verified.get(token);
    if (cached) {
      return cached.exp + CLOCK_SKEW_SECONDS > nowSeconds ? { ok: true, claims: cached } : { ok: false, expired: true };
    }
    try {
      const { payload } = await jwtVerify(token, (header) => this.keyFor(header.kid), {
        algorithms: [ALG],
        typ: 'at+jwt',
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat'],
      });
      const claims = payload as AccessTokenClaims;
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, claims);
      return { ok: true, claims };
    } catch (error) {
      return { ok: false, expired: error instanceof errors.JWTExpired };
    }
  }

  private async keyFor(kid: string | undefined): Promise<CryptoKey | Uint8Array> {
    if (!kid) throw new errors.JWSInvalid('missing kid');
    let key = this.keys.get(kid);
    // Another replica may have rotated: look again, at most once a second, so junk kids cannot hammer the database.
    if (!key && Date.now() - this.lastReload > 1000) {
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key.publicKey;
  }

  /**
   * Keys retired before this instant verify nothing any more: every token they signed has expired
   * (longest token lifetime, plus the clock skew we tolerate). Housekeeping deletes them.
   */
  verifyingSince(): Date {
    return new Date(this.clock.now().getTime() - (this.options.maxTokenSeconds + CLOCK_SKEW_SECONDS) * 1000);
  }

  private async reload(): Promise<void> {
    this.lastReload = Date.now();
    const rows = await this.store.usable(this.verifyingSince());
    const keys = new Map<string, LoadedKey>();
    for (const row of rows) {
      keys.set(row.kid, {
        kid: row.kid,
        publicJwk: row.publicJwk,
        publicKey: await importJWK(row.publicJwk, row.alg),
        privateKey: row.retiredAt || !row.privateJwk ? undefined : await importJWK(row.privateJwk, row.alg),
        active: row.retiredAt === null,
      });
    }
    this.keys = keys;
    this.signer = [...keys.values()].find((k) => k.active);
  }
}
