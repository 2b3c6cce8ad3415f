import type { Config } from '../config';
import { AuthService } from '../domain/auth/auth-service';
import { KeyRing } from '../domain/auth/key-ring';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottlePolicy } from '../domain/auth/login-throttle';
import { SignedRequests } from '../domain/auth/signed-request';
import type { Clock } from '../domain/shared/clock';
import { AuthStore, SESSION_REVOKED_CHANNEL } from '../store/auth-store';
import type { Db } from '../store/db';
import { RateLimitStore } from '../store/rate-limit-store';
import { SignedRequestStore } from '../store/signed-request-store';
import { SigningKeyStore } from '../store/signing-key-store';

/**
 * Our keys and the AuthService over one database: built by the service (app.ts) and by the GraphQL
 * front (gateway/), which checks the same tokens, cookies and signed requests at the edge.
 */
export async function createAuthentication(db: Db, config: Config, clock: Clock, throttle: ThrottlePolicy = DEFAULT_THROTTLE): Promise<{ keys: KeyRing; auth: AuthService }> {
  const keys = new KeyRing(new SigningKeyStore(db), clock, { issuer: config.issuer, audience: config.audience, maxTokenSeconds: config.accessTokenTtl });
  await keys.init();
  const auth = new AuthService(new AuthStore(db), keys, new LoginThrottle(new RateLimitStore(db), clock, throttle), clock, {
    accessTokenSeconds: config.accessTokenTtl,
    sessionSeconds: config.sessionTtl,
  }, new SignedRequests(new SignedRequestStore(db), clock, config.apiHost));
  return { keys, auth };
}

/** A session revoked anywhere (a logout on another replica, or behind the front) is forgotten here. */
export function followRevocations(db: Db, auth: AuthService): Promise<void> {
  return db.listen(
    SESSION_REVOKED_CHANNEL,
    (sessionId) => auth.sessionRevoked(sessionId),
    // A revocation may have been missed: forget every cached session rather than trust one.
    () => auth.forgetCachedSessions(),
  );
}
