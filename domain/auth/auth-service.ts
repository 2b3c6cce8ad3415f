import { createHash } from 'node:crypto';
import { AppError, invalidFields, unauthorized, type UnauthorizedReason } from '../../errors/app-error';
import type { AuthStore } from '../../store/auth-store';
import type { SessionPrincipal } from './principals';
import type { Clock } from '../shared/clock';
import { newId, newSecret } from '../shared/ids';
import { normalizeCertificateSerial } from './certificate-serial';
import type { KeyRing } from './key-ring';
import type { LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import { SessionCache } from './session-cache';
import { bodyDigest, isSignedRequestToken, signedRequestThumbprint, type SignedRequest, type SignedRequests } from './signed-request';
import type { Viewer } from './viewer';

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface LoginResult extends IssuedToken {
  /** The session cookie's secret and lifetime; the HTTP layer sets the cookie. */
  session: { secret: string; maxAgeSeconds: number };
}

/** Credentials as the HTTP layer found them on a request; nothing is verified yet. */
export interface PresentedCredentials {
  bearer?: string;
  /** A malformed `Authorization` header (not `Bearer <token>`). */
  malformedAuthorization?: boolean;
  sessionCookie?: string;
  certificateSerial?: string;
  /** The request itself, which a partner's signed-request token must describe (docs/SECURITY.md 27). */
  request?: SignedRequest;
  /** The front's edge assertion, read only from a peer among our trusted proxies (docs/SECURITY.md 31). */
  edgeAssertion?: string;
}

/** Signs an edge assertion for one request the front sends on to the service (method, target, exact body). */
export type EdgeAssertionMinter = (request: { method: string; target: string; body: string }) => Promise<string>;

export type Authentication = { viewer: Viewer } | { failure: UnauthorizedReason };

/** An edge assertion lives this long: one request's fetches from the front to the service. */
const EDGE_ASSERTION_SECONDS = 30;

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** Logins, machine tokens, sessions: who is calling, decided in one place for REST and GraphQL. */
export class AuthService {
  private readonly sessions = new SessionCache();

  constructor(
    private readonly store: AuthStore,
    private readonly keys: KeyRing,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
    private readonly ttl: { accessTokenSeconds: number; sessionSeconds: number },
    private readonly signedRequests: SignedRequests,
  ) {}

  async login(input: { email: string; password: string; address: string }): Promise<LoginResult> {
    await this.throttle.admit(input.email, input.address);
    // No address is this long (RFC 5321); refusing early keeps junk out of the queries.
    if (input.email.length > 254 || input.password.length > 1024) throw unauthorized('INVALID_CREDENTIALS');
    const user = await this.store.userByEmail(input.email);
    // Unknown account and wrong password take the same path and the same time (docs/SECURITY.md 10).
    const ok = await verifyPassword(user?.passwordHash, input.password);
    if (!user || !ok) throw unauthorized('INVALID_CREDENTIALS');
    await this.throttle.succeeded(input.email);
    const secret = newSecret();
    const token = await this.openSession({ userId: user.id, clientId: null, certSerial: null, cookieHash: hash(secret) });
    return { ...token, session: { secret, maxAgeSeconds: this.ttl.sessionSeconds } };
  }

  /** OAuth 2.0 client credentials, bound to the client certificate our TLS proxy saw (RFC 8705). */
  async issueClientToken(input: {
    grantType: string | null | undefined;
    clientId: string | null | undefined;
    clientSecret: string | null | undefined;
    certificateSerial: string | undefined;
    address: string;
  }): Promise<IssuedToken> {
    // The certificate is the client's first credential: it is judged (401) before the body (400).
    if (input.certificateSerial === undefined || input.certificateSerial.trim() === '') {
      throw unauthorized('MISSING_CLIENT_CERTIFICATE_SERIAL');
    }
    const serial = normalizeCertificateSerial(input.certificateSerial);
    if (!serial) throw unauthorized('MALFORMED_CLIENT_CERTIFICATE_SERIAL');
    const missing = (['grantType', 'clientId', 'clientSecret'] as const).filter((f) => !input[f]).map((field) => ({ field, reason: 'REQUIRED_FIELD_MISSING' }));
    if (missing.length) throw invalidFields(missing);
    if (input.grantType !== 'client_credentials') throw new AppError('parameter_invalid', 'UNSUPPORTED_GRANT_TYPE', { field: 'grantType' });
    if (input.clientId!.length > 200 || input.clientSecret!.length > 1000) throw unauthorized('INVALID_CLIENT_CREDENTIALS');
    await this.throttle.admit(`client:${input.clientId}`, input.address);
    const client = await this.store.machineClient(input.clientId!);
    const ok = await verifyPassword(client?.secretHash, input.clientSecret!);
    if (!client || !ok || !(await this.store.clientHasSerial(client.id, serial))) throw unauthorized('INVALID_CLIENT_CREDENTIALS');
    await this.throttle.succeeded(`client:${input.clientId}`);
    return this.openSession({ userId: null, clientId: client.id, certSerial: serial, cookieHash: null });
  }

  /** Turns presented credentials into a viewer, or the reason there is none. A bearer wins over a cookie. */
  async authenticate(credentials: PresentedCredentials): Promise<Authentication> {
    if (credentials.edgeAssertion !== undefined) {
      // The front replaces the credential it verified; an assertion beside a bearer is not something it sends.
      if (credentials.bearer !== undefined || credentials.malformedAuthorization) return { failure: 'INVALID_BEARER_TOKEN' };
      const claims = await this.keys.verifyEdgeAssertion(credentials.edgeAssertion);
      const viewer = claims && credentials.request ? await this.signedRequests.viewerOfAssertion(claims, credentials.request) : undefined;
      return viewer ? { viewer } : { failure: 'INVALID_BEARER_TOKEN' };
    }
    if (credentials.malformedAuthorization) return { failure: 'INVALID_BEARER_TOKEN' };
    if (credentials.bearer !== undefined) {
      // A partner may sign each request instead of holding a token: the bearer is then that signature.
      if (isSignedRequestToken(credentials.bearer)) {
        const viewer = credentials.request ? await this.signedRequests.verify(credentials.bearer, credentials.request) : undefined;
        return viewer ? { viewer } : { failure: 'INVALID_BEARER_TOKEN' };
      }
      const check = await this.keys.verify(credentials.bearer);
      if (!check.ok) return { failure: check.expired ? 'SESSION_EXPIRED' : 'INVALID_BEARER_TOKEN' };
      const session = await this.sessionById(check.claims.sid);
      if (!session) return { failure: 'INVALID_BEARER_TOKEN' };
      if (session.certSerial !== null) {
        // A machine token is only good with the certificate it was issued to.
        const presented = credentials.certificateSerial ? normalizeCertificateSerial(credentials.certificateSerial) : undefined;
        if (presented !== session.certSerial) return { failure: 'INVALID_BEARER_TOKEN' };
      }
      return this.fromSession(session);
    }
    if (credentials.sessionCookie !== undefined) {
      const session = await this.sessionByCookie(hash(credentials.sessionCookie));
      return session ? this.fromSession(session) : { failure: 'SESSION_EXPIRED' };
    }
    return { failure: 'NO_SESSION' };
  }

  /**
   * What the GraphQL front hands the service in place of a partner's signed request it verified (the
   * request's `jti` is spent: the service cannot verify it again): a minter of edge assertions signed
   * with our keys, one per request the front sends on, naming the client, its certificate, that
   * request's method, target and body digest (docs/SECURITY.md 31). Undefined for every other
   * credential, which the service checks again itself.
   */
  edgeAssertions(credentials: PresentedCredentials, viewer: Viewer, requestId: string): EdgeAssertionMinter | undefined {
    if (credentials.bearer === undefined || viewer.kind !== 'machine' || !isSignedRequestToken(credentials.bearer)) return undefined;
    const thumbprint = signedRequestThumbprint(credentials.bearer);
    if (!thumbprint) return undefined;
    return (request) =>
      this.keys.signEdgeAssertion(
        { sub: viewer.id, sid: viewer.sessionId, jti: newId('jti'), 'x5t#S256': thumbprint, req: `${request.method} ${request.target}`, 'dig#S256': bodyDigest(request.body), rid: requestId },
        EDGE_ASSERTION_SECONDS,
      );
  }

  async logout(viewer: Viewer): Promise<void> {
    this.sessions.evict(viewer.sessionId);
    await this.store.revokeSession(viewer.sessionId, this.clock.now());
  }

  /** Another replica revoked a session: forget our cached copy. */
  sessionRevoked(sessionId: string): void {
    this.sessions.evict(sessionId);
  }

  /** Revocations may have been missed: every session is read from the database again. */
  forgetCachedSessions(): void {
    this.sessions.clear();
  }

  private async sessionById(id: string): Promise<SessionPrincipal | undefined> {
    const now = Date.now();
    const cached = this.sessions.get(id, now);
    if (cached) return cached;
    const row = await this.store.sessionById(id);
    // Revoked sessions are not cached: the answer for them must always come from the database.
    if (row && row.revokedAt === null) this.sessions.put(row, now);
    return row;
  }

  private async sessionByCookie(cookieHash: string): Promise<SessionPrincipal | undefined> {
    const now = Date.now();
    const cached = this.sessions.getByCookie(cookieHash, now);
    if (cached) return cached;
    const row = await this.store.sessionByCookieHash(cookieHash);
    if (row && row.revokedAt === null) this.sessions.put(row, now, cookieHash);
    return row;
  }

  private fromSession(session: SessionPrincipal): Authentication {
    if (session.revokedAt !== null || session.expiresAt.getTime() <= this.clock.now().getTime()) return { failure: 'SESSION_EXPIRED' };
    if (session.userId !== null && session.userKind !== null) {
      return {
        viewer: {
          id: session.userId,
          kind: session.userKind,
          email: session.userEmail,
          clientId: null,
          distributorId: session.userDistributorId,
          sessionId: session.id,
        },
      };
    }
    if (session.clientId !== null) {
      return {
        viewer: {
          id: session.clientId,
          kind: 'machine',
          email: null,
          clientId: session.clientId,
          distributorId: session.clientDistributorId,
          sessionId: session.id,
        },
      };
    }
    return { failure: 'INVALID_BEARER_TOKEN' };
  }

  private async openSession(holder: { userId: string | null; clientId: string | null; certSerial: string | null; cookieHash: string | null }): Promise<IssuedToken> {
    const now = this.clock.now();
    const sessionId = newId('ses');
    // A machine session lives as long as its one token; a person's session outlives tokens (cookie).
    const sessionSeconds = holder.clientId ? this.ttl.accessTokenSeconds : this.ttl.sessionSeconds;
    const expiresAt = new Date(now.getTime() + sessionSeconds * 1000);
    await this.store.createSession({ id: sessionId, ...holder, createdAt: now, expiresAt });
    const tokenExpiresAt = new Date(Math.min(expiresAt.getTime(), now.getTime() + this.ttl.accessTokenSeconds * 1000));
    const accessToken = await this.keys.sign(
      { sub: holder.userId ?? holder.clientId ?? '', sid: sessionId, jti: newId('jti'), ...(holder.certSerial ? { cnf: { 'x5t#serial': holder.certSerial } } : {}) },
      tokenExpiresAt,
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: Math.round((tokenExpiresAt.getTime() - now.getTime()) / 1000) };
  }
}
