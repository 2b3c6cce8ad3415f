import type { JWK } from 'jose';

/** A key that signs our access tokens, and verifies them until it has been retired long enough. */
export interface SigningKey {
  kid: string;
  alg: string;
  /** Wiped (null) when the key retires. */
  privateJwk: JWK | null;
  publicJwk: JWK;
  createdAt: Date;
  retiredAt: Date | null;
}
