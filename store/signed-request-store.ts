import type { Queryable } from './db';

/** A certificate registered for a machine client to sign its requests with, and that client. */
export interface SigningCertificate {
  thumbprint: string;
  certificatePem: string;
  clientId: string;
  clientSecretHash: string;
  distributorId: string;
}

/** Partners' signing certificates and the request ids (`jti`) already used (docs/SECURITY.md 27). */
export class SignedRequestStore {
  constructor(private readonly db: Queryable) {}

  async certificateByThumbprint(thumbprint: string): Promise<SigningCertificate | undefined> {
    const rows = await this.db.query<{ thumbprint_s256: string; certificate_pem: string; client_id: string; secret_hash: string; distributor_id: string }>(
      `select k.thumbprint_s256, k.certificate_pem, c.id as client_id, c.secret_hash, c.distributor_id
         from machine_client_certificates k
         join machine_clients c on c.id = k.client_id
        where k.thumbprint_s256 = $1`,
      [thumbprint],
    );
    const row = rows[0];
    return row && { thumbprint: row.thumbprint_s256, certificatePem: row.certificate_pem, clientId: row.client_id, clientSecretHash: row.secret_hash, distributorId: row.distributor_id };
  }

  /**
   * Records a request id for a client; false when it was already recorded. One statement, so two
   * replicas receiving the same request at once cannot both accept it.
   */
  async recordRequestId(clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.db.query(
      'insert into signed_request_ids (client_id, jti, expires_at) values ($1, $2, $3) on conflict do nothing returning jti',
      [clientId, jti, expiresAt],
    );
    return rows.length === 1;
  }
}
