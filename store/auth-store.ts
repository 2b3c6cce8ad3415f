import type { Queryable } from './db';
import type { MachineClient, SessionPrincipal, UserAccount } from '../domain/auth/principals';
import type { Role } from '../domain/auth/viewer';

interface UserRow {
  id: string;
  email: string;
  kind: Exclude<Role, 'machine'>;
  password_hash: string;
  distributor_id: string | null;
}

interface MachineClientRow {
  id: string;
  secret_hash: string;
  distributor_id: string;
}

interface SessionPrincipalRow {
  id: string;
  expires_at: Date;
  revoked_at: Date | null;
  cert_serial: string | null;
  user_id: string | null;
  user_email: string | null;
  user_kind: Exclude<Role, 'machine'> | null;
  user_distributor_id: string | null;
  client_id: string | null;
  client_distributor_id: string | null;
}

function toSessionPrincipal(r: SessionPrincipalRow): SessionPrincipal {
  return {
    id: r.id, expiresAt: r.expires_at, revokedAt: r.revoked_at, certSerial: r.cert_serial,
    userId: r.user_id, userEmail: r.user_email, userKind: r.user_kind, userDistributorId: r.user_distributor_id,
    clientId: r.client_id, clientDistributorId: r.client_distributor_id,
  };
}

const SESSION_PRINCIPAL = `
  select s.id, s.expires_at, s.revoked_at, s.cert_serial,
         u.id as user_id, u.email as user_email, u.kind as user_kind, u.distributor_id as user_distributor_id,
         c.id as client_id, c.distributor_id as client_distributor_id
    from sessions s
    left join users u on u.id = s.user_id
    left join machine_clients c on c.id = s.client_id`;

/** NOTIFY channel carrying the id of each revoked session. */
export const SESSION_REVOKED_CHANNEL = 'session_revoked';

export class AuthStore {
  constructor(private readonly db: Queryable) {}

  async userByEmail(email: string): Promise<UserAccount | undefined> {
    const [row] = await this.db.query<UserRow>(
      'select id, email, kind, password_hash, distributor_id from users where lower(email) = lower($1)',
      [email],
    );
    return row && { id: row.id, email: row.email, kind: row.kind, passwordHash: row.password_hash, distributorId: row.distributor_id };
  }

  async machineClient(id: string): Promise<MachineClient | undefined> {
    const [row] = await this.db.query<MachineClientRow>('select id, secret_hash, distributor_id from machine_clients where id = $1', [id]);
    return row && { id: row.id, secretHash: row.secret_hash, distributorId: row.distributor_id };
  }

  async clientHasSerial(clientId: string, serial: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from machine_client_certificates where client_id = $1 and serial = $2', [clientId, serial]);
    return rows.length > 0;
  }

  async createSession(session: {
    id: string;
    cookieHash: string | null;
    userId: string | null;
    clientId: string | null;
    certSerial: string | null;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.query(
      `insert into sessions (id, cookie_hash, user_id, client_id, cert_serial, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [session.id, session.cookieHash, session.userId, session.clientId, session.certSerial, session.createdAt, session.expiresAt],
    );
  }

  async sessionById(id: string): Promise<SessionPrincipal | undefined> {
    const [row] = await this.db.query<SessionPrincipalRow>(`${SESSION_PRINCIPAL} where s.id = $1`, [id]);
    return row && toSessionPrincipal(row);
  }

  async sessionByCookieHash(hash: string): Promise<SessionPrincipal | undefined> {
    const [row] = await this.db.query<SessionPrincipalRow>(`${SESSION_PRINCIPAL} where s.cookie_hash = $1`, [hash]);
    return row && toSessionPrincipal(row);
  }

  /** Revokes the session and tells every replica (NOTIFY) to forget its cached copy. */
  async revokeSession(id: string, at: Date): Promise<void> {
    await this.db.query(
      `with revoked as (update sessions set revoked_at = $2 where id = $1 and revoked_at is null returning id)
       select pg_notify('${SESSION_REVOKED_CHANNEL}', $1)`,
      [id, at],
    );
  }
}
