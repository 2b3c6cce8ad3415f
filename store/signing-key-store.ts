import type { JWK } from 'jose';
import type { SigningKey } from '../domain/auth/signing-key';
import type { Queryable } from './db';

interface SigningKeyRow {
  kid: string;
  alg: string;
  private_jwk: JWK | null;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

export class SigningKeyStore {
  constructor(private readonly db: Queryable) {}

  /** Keys that may still verify a live token: active ones, and retired ones younger than `since`. */
  async usable(since: Date): Promise<SigningKey[]> {
    const rows = await this.db.query<SigningKeyRow>(
      'select kid, alg, private_jwk, public_jwk, created_at, retired_at from signing_keys where retired_at is null or retired_at > $1 order by created_at desc',
      [since],
    );
    return rows.map((r) => ({ kid: r.kid, alg: r.alg, privateJwk: r.private_jwk, publicJwk: r.public_jwk, createdAt: r.created_at, retiredAt: r.retired_at }));
  }

  async insert(key: Omit<SigningKey, 'retiredAt' | 'privateJwk'> & { privateJwk: JWK }): Promise<void> {
    await this.db.query(
      'insert into signing_keys (kid, alg, private_jwk, public_jwk, created_at) values ($1, $2, $3, $4, $5)',
      [key.kid, key.alg, JSON.stringify(key.privateJwk), JSON.stringify(key.publicJwk), key.createdAt],
    );
  }

  /** Retires every active key but `keep`, wiping its private part: a retired key never signs again. */
  async retireAllBut(keep: string, at: Date): Promise<void> {
    await this.db.query('update signing_keys set retired_at = $2, private_jwk = null where kid <> $1 and retired_at is null', [keep, at]);
  }
}
