import { hashPassword } from '../../domain/auth/passwords';
import type { Db } from '../../store/db';
import { call, DEMO_PASSWORD } from './http';

/** The demo partner platform's certificate serial, sent on every call it makes. */
export const PARTNER_SERIAL = '01:23:45:67:89:AB:CD:EF';

/**
 * A broker of another distributor (created with it), for object-level checks across distributors.
 * Logs in with the demo password; returns the login e-mail.
 */
export async function insertBroker(db: Db, at: Date, ids: { userId: string; distributorId: string }): Promise<string> {
  const email = `${ids.userId}@other.test`;
  await db.query('insert into distributors (id, name, created_at) values ($1, $2, $3) on conflict (id) do nothing', [ids.distributorId, 'Other Courtage', at]);
  await db.query('insert into users (id, email, kind, password_hash, distributor_id, created_at) values ($1, $2, $3, $4, $5, $6)', [
    ids.userId, email, 'broker', await hashPassword(DEMO_PASSWORD), ids.distributorId, at,
  ]);
  return email;
}

/** Headers of the demo partner platform: its client-credentials token and its certificate serial. */
export async function partnerHeaders(base: string, address: string): Promise<Record<string, string>> {
  const grant = await call(`${base}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-certificate-serial': PARTNER_SERIAL, 'x-forwarded-for': address },
    body: 'grant_type=client_credentials&client_id=demo-partner&client_secret=demo-partner-secret',
  });
  if (grant.status !== 200) throw new Error(`partner token: ${grant.status} ${grant.text}`);
  return { authorization: `Bearer ${grant.json.access_token}`, 'x-client-certificate-serial': PARTNER_SERIAL };
}
