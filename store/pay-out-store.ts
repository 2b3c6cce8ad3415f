import type { PayoutIbanChange, PayoutIbanRecord, PayoutIbanStatus } from '../domain/pay-out/payout-iban';
import type { Queryable } from './db';
import { conflictOnUnique } from './errors';

interface PayoutIbanRow {
  id: string;
  subscriber_id: string;
  /** Electronic format. */
  iban: string;
  holder_name: string;
  country: string;
  is_default: boolean;
  status: PayoutIbanStatus;
  origin: 'registration' | 'subscription_debit';
  registered_by_kind: string;
  registered_by_id: string | null;
  subscriber_confirmed_at: Date | null;
  proof_accepted_at: Date | null;
  holder_matches: boolean;
  holder_approved_at: Date | null;
  refusal_reason: string | null;
  otp_hash: string | null;
  otp_expires_at: Date | null;
  otp_attempts: number;
  otp_sends: number;
  created_at: Date;
  updated_at: Date;
}

// Two-key advisory locks live apart from the one-key lock migrations take; the first key names this use.
const PAYOUT_LOCK_NAMESPACE = 5_001;

const COLUMNS = `id, subscriber_id, iban, holder_name, country, is_default, status, origin, registered_by_kind, registered_by_id,
  subscriber_confirmed_at, proof_accepted_at, holder_matches, holder_approved_at, refusal_reason, otp_hash, otp_expires_at,
  otp_attempts, otp_sends, created_at, updated_at`;

function toRecord(r: PayoutIbanRow): PayoutIbanRecord {
  return {
    id: r.id, subscriberId: r.subscriber_id, iban: r.iban, holderName: r.holder_name, country: r.country, isDefault: r.is_default, status: r.status,
    origin: r.origin, registeredByKind: r.registered_by_kind, registeredById: r.registered_by_id, subscriberConfirmedAt: r.subscriber_confirmed_at,
    proofAcceptedAt: r.proof_accepted_at, holderMatches: r.holder_matches, holderApprovedAt: r.holder_approved_at, refusalReason: r.refusal_reason,
    otpHash: r.otp_hash, otpExpiresAt: r.otp_expires_at, otpAttempts: r.otp_attempts, otpSends: r.otp_sends, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

/** The column each field of a confirmation step is written to. */
const CHANGE_COLUMNS: Record<keyof PayoutIbanChange, string> = {
  status: 'status', subscriberConfirmedAt: 'subscriber_confirmed_at', proofAcceptedAt: 'proof_accepted_at', holderApprovedAt: 'holder_approved_at',
  refusalReason: 'refusal_reason', otpHash: 'otp_hash', otpExpiresAt: 'otp_expires_at', otpAttempts: 'otp_attempts', otpSends: 'otp_sends', updatedAt: 'updated_at',
};

/** Subscribers' pay-out IBANs. */
export class PayOutStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Holds every other IBAN write of this subscriber until the transaction ends. Row locks could not cover
   * the first registration (there is no row yet); an advisory lock on the subscriber covers both cases.
   */
  async lockSubscriber(tx: Queryable, subscriberId: string): Promise<void> {
    await tx.query('select pg_advisory_xact_lock($1::int, hashtext($2))', [PAYOUT_LOCK_NAMESPACE, subscriberId]);
  }

  /** The IBANs of these subscribers, in registration order. */
  async ofSubscribers(subscriberIds: readonly string[], tx: Queryable = this.db): Promise<PayoutIbanRecord[]> {
    return (await tx.query<PayoutIbanRow>(`select ${COLUMNS} from payout_ibans where subscriber_id = any($1::text[]) order by subscriber_id, seq`, [subscriberIds])).map(toRecord);
  }

  /** One IBAN by id, whoever's it is (the caller checks the subscriber). */
  async byId(tx: Queryable, id: string): Promise<PayoutIbanRecord | undefined> {
    const [row] = await tx.query<PayoutIbanRow>(`select ${COLUMNS} from payout_ibans where id = $1`, [id]);
    return row && toRecord(row);
  }

  /** Writes a new IBAN; one the subscriber already has (the unique index) is the conflict `IBAN_ALREADY_REGISTERED`. */
  async insert(tx: Queryable, row: PayoutIbanRecord): Promise<void> {
    await conflictOnUnique(tx.query(
      `insert into payout_ibans (id, subscriber_id, iban, holder_name, country, is_default, status, origin, registered_by_kind, registered_by_id,
         subscriber_confirmed_at, proof_accepted_at, holder_matches, holder_approved_at, refusal_reason, otp_hash, otp_expires_at, otp_attempts, otp_sends,
         created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
      [
        row.id, row.subscriberId, row.iban, row.holderName, row.country, row.isDefault, row.status, row.origin, row.registeredByKind, row.registeredById,
        row.subscriberConfirmedAt, row.proofAcceptedAt, row.holderMatches, row.holderApprovedAt, row.refusalReason, row.otpHash, row.otpExpiresAt,
        row.otpAttempts, row.otpSends, row.createdAt, row.updatedAt,
      ],
    ), 'IBAN_ALREADY_REGISTERED', { field: 'iban' });
  }

  /** Applies a confirmation step; only the columns named in `change` are written. */
  async update(tx: Queryable, id: string, change: PayoutIbanChange): Promise<void> {
    const entries = Object.entries(change) as Array<[keyof PayoutIbanChange, unknown]>;
    const set = entries.map(([field], i) => `${CHANGE_COLUMNS[field]} = $${i + 2}`).join(', ');
    await tx.query(`update payout_ibans set ${set} where id = $1`, [id, ...entries.map(([, value]) => value)]);
  }

  /** Counts one more wrong code, in its own statement so the count survives the refusal. */
  async countAttempt(tx: Queryable, id: string): Promise<number> {
    const [row] = await tx.query<{ otp_attempts: number }>('update payout_ibans set otp_attempts = otp_attempts + 1 where id = $1 returning otp_attempts', [id]);
    return Number(row.otp_attempts);
  }

  /** Moves the subscriber's default to `id`; the old one is cleared first, so the partial unique index never sees two. */
  async makeDefault(tx: Queryable, subscriberId: string, id: string): Promise<void> {
    await tx.query('update payout_ibans set is_default = false where subscriber_id = $1 and is_default and id <> $2', [subscriberId, id]);
    // The subscriber lock makes a second default unreachable; should a writer ever bypass it, the index answers a clean 409.
    await conflictOnUnique(tx.query('update payout_ibans set is_default = true where subscriber_id = $1 and id = $2', [subscriberId, id]), 'PAYOUT_IBANS_CHANGED_CONCURRENTLY');
  }
}
