import type { Signature } from '../domain/subscription/signature';
import type { Queryable } from './db';

interface SignatureRow {
  id: string;
  subscription_id: string;
  method: 'esign' | 'otp';
  status: 'pending' | 'completed' | 'declined' | 'expired';
  signing_url: string | null;
  otp_hash: string | null;
  otp_expires_at: Date | null;
  otp_attempts: number;
  created_at: Date;
  completed_at: Date | null;
}

const COLUMNS = 'id, subscription_id, method, status, signing_url, otp_hash, otp_expires_at, otp_attempts, created_at, completed_at';

function toSignature(r: SignatureRow): Signature {
  return {
    id: r.id, subscriptionId: r.subscription_id, method: r.method, status: r.status, signingUrl: r.signing_url, otpHash: r.otp_hash,
    otpExpiresAt: r.otp_expires_at, otpAttempts: r.otp_attempts, createdAt: r.created_at, completedAt: r.completed_at,
  };
}

export class SignatureStore {
  constructor(private readonly db: Queryable) {}

  async latest(subscriptionId: string, tx: Queryable = this.db): Promise<Signature | undefined> {
    const [row] = await tx.query<SignatureRow>(`select ${COLUMNS} from signatures where subscription_id = $1 order by created_at desc, id desc limit 1`, [subscriptionId]);
    return row && toSignature(row);
  }

  /** One-time codes requested for a subscriber's subscriptions since `since`, oldest first. */
  async otpRequestsOfSubscriber(tx: Queryable, subscriberId: string, since: Date): Promise<Array<{ subscriptionId: string; createdAt: Date }>> {
    const rows = await tx.query<{ subscription_id: string; created_at: Date }>(
      `select g.subscription_id, g.created_at from signatures g join subscriptions s on s.id = g.subscription_id
        where s.subscriber_id = $1 and g.method = 'otp' and g.created_at > $2 order by g.created_at`,
      [subscriberId, since],
    );
    return rows.map((r) => ({ subscriptionId: r.subscription_id, createdAt: r.created_at }));
  }

  async byId(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<Signature | undefined> {
    const [row] = await tx.query<SignatureRow>(`select ${COLUMNS} from signatures where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toSignature(row);
  }

  async insert(tx: Queryable, s: Signature): Promise<void> {
    await tx.query(`insert into signatures (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      s.id, s.subscriptionId, s.method, s.status, s.signingUrl, s.otpHash, s.otpExpiresAt, s.otpAttempts, s.createdAt, s.completedAt,
    ]);
  }

  /** Ends a pending signature; false when it was no longer pending (a replayed or late event). */
  async finish(tx: Queryable, id: string, status: 'completed' | 'declined' | 'expired', at: Date): Promise<boolean> {
    const rows = await tx.query(`update signatures set status = $2, completed_at = $3 where id = $1 and status = 'pending' returning id`, [id, status, at]);
    return rows.length === 1;
  }

  async countAttempt(tx: Queryable, id: string): Promise<number> {
    const rows = await tx.query<{ otp_attempts: number }>('update signatures set otp_attempts = otp_attempts + 1 where id = $1 returning otp_attempts', [id]);
    return Number(rows[0].otp_attempts);
  }
}
