import type { JWK } from 'jose';
import type { Queryable } from './db';

export interface SigningKeyRow {
  kid: string;
  alg: string;
  /** Wiped (null) when the key retires. */
  private_jwk: JWK | null;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

export class SigningKeyStore {
  constructor(private readonly db: Queryable) {}

  /** Keys that may still verify a live token: active ones, and retired ones younger than `since`. */
  async usable(since: Date): Promise<SigningKeyRow[]> {
    return this.db.query<SigningKeyRow>(
      'select kid, alg, private_jwk, public_jwk, created_at, retired_at from signing_keys where retired_at is null or retired_at > $1 order by created_at desc',
      [since],
    );
  }

  async insert(key: Omit<SigningKeyRow, 'retired_at' | 'private_jwk'> & { private_jwk: JWK }): Promise<void> {
    await this.db.query(
      'insert into signing_keys (kid, alg, private_jwk, public_jwk, created_at) values ($1, $2, $3, $4, $5)',
      [key.kid, key.alg, JSON.stringify(key.private_jwk), JSON.stringify(key.public_jwk), key.created_at],
    );
  }

  /** Retires every active key but `keep`, wiping its private part: a retired key never signs again. */
  async retireAllBut(keep: string, at: Date): Promise<void> {
    await this.db.query('update signing_keys set retired_at = $2, private_jwk = null where kid <> $1 and retired_at is null', [keep, at]);
  }
}
