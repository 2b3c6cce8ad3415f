import type { Payer, PayerIbanRecord, PayerRelationship } from '../domain/premiums/payer';
import type { Queryable } from './db';
import { conflictOnUnique } from './errors';

interface PayerRow {
  id: string;
  subscriber_id: string;
  relationship: PayerRelationship;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  company_name: string | null;
  email: string | null;
  created_by_kind: string;
  created_by_id: string | null;
  created_at: Date;
}

interface PayerIbanRow {
  id: string;
  payer_id: string;
  iban: string;
  holder_name: string;
  country: string;
  is_default: boolean;
  created_by_kind: string;
  created_by_id: string | null;
  created_at: Date;
}

// Two-key advisory locks live apart from the one-key lock migrations take; the first key names this use.
const PAYER_LOCK_NAMESPACE = 5_022;

// `birth_date::text`: a date read as a JavaScript Date would shift with the server's zone.
const PAYER_COLUMNS = 'id, subscriber_id, relationship, first_name, last_name, birth_date::text as birth_date, company_name, email, created_by_kind, created_by_id, created_at';
const IBAN_COLUMNS = 'id, payer_id, iban, holder_name, country, is_default, created_by_kind, created_by_id, created_at';

const toPayer = (r: PayerRow): Payer => ({
  id: r.id, subscriberId: r.subscriber_id, relationship: r.relationship, firstName: r.first_name, lastName: r.last_name, birthDate: r.birth_date,
  companyName: r.company_name, email: r.email, createdByKind: r.created_by_kind, createdById: r.created_by_id, createdAt: r.created_at,
});

const toIban = (r: PayerIbanRow): PayerIbanRecord => ({
  id: r.id, payerId: r.payer_id, iban: r.iban, holderName: r.holder_name, country: r.country, isDefault: r.is_default, createdByKind: r.created_by_kind,
  createdById: r.created_by_id, createdAt: r.created_at,
});

/** Payers and their personal IBANs. */
export class PayerStore {
  constructor(private readonly db: Queryable) {}

  /** Holds every other write to this key (a subscriber's payers, a payer's IBANs) until the transaction ends. */
  async lock(tx: Queryable, key: string): Promise<void> {
    await tx.query('select pg_advisory_xact_lock($1::int, hashtext($2))', [PAYER_LOCK_NAMESPACE, key]);
  }

  async payer(id: string, tx: Queryable = this.db): Promise<Payer | undefined> {
    const [row] = await tx.query<PayerRow>(`select ${PAYER_COLUMNS} from payers where id = $1`, [id]);
    return row && toPayer(row);
  }

  /** The payers of these subscribers, in creation order. */
  async ofSubscribers(subscriberIds: readonly string[], tx: Queryable = this.db): Promise<Payer[]> {
    return (await tx.query<PayerRow>(`select ${PAYER_COLUMNS} from payers where subscriber_id = any($1::text[]) order by subscriber_id, seq`, [subscriberIds])).map(toPayer);
  }

  /** A second `self` payer for one subscriber (the unique index) is the conflict `PAYER_SELF_ALREADY_EXISTS`. */
  async insertPayer(tx: Queryable, p: Payer): Promise<void> {
    await conflictOnUnique(
      tx.query(
        `insert into payers (id, subscriber_id, relationship, first_name, last_name, birth_date, company_name, email, created_by_kind, created_by_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [p.id, p.subscriberId, p.relationship, p.firstName, p.lastName, p.birthDate, p.companyName, p.email, p.createdByKind, p.createdById, p.createdAt],
      ),
      'PAYER_SELF_ALREADY_EXISTS',
    );
  }

  /** The IBANs of these payers, in registration order. */
  async ibansOf(payerIds: readonly string[], tx: Queryable = this.db): Promise<PayerIbanRecord[]> {
    return (await tx.query<PayerIbanRow>(`select ${IBAN_COLUMNS} from payer_ibans where payer_id = any($1::text[]) order by payer_id, seq`, [payerIds])).map(toIban);
  }

  /** An IBAN the payer already has (the unique index) is the conflict `IBAN_ALREADY_REGISTERED`. */
  async insertIban(tx: Queryable, r: PayerIbanRecord): Promise<void> {
    await conflictOnUnique(
      tx.query(
        `insert into payer_ibans (id, payer_id, iban, holder_name, country, is_default, created_by_kind, created_by_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [r.id, r.payerId, r.iban, r.holderName, r.country, r.isDefault, r.createdByKind, r.createdById, r.createdAt],
      ),
      'IBAN_ALREADY_REGISTERED',
      { field: 'iban' },
    );
  }

  /** Moves the payer's default to `ibanId`: the old default is cleared first, so the one-default index holds throughout. */
  async makeDefault(tx: Queryable, payerId: string, ibanId: string): Promise<void> {
    await tx.query('update payer_ibans set is_default = false where payer_id = $1 and is_default and id <> $2', [payerId, ibanId]);
    await tx.query('update payer_ibans set is_default = true where payer_id = $1 and id = $2', [payerId, ibanId]);
  }

  async deleteIban(tx: Queryable, payerId: string, ibanId: string): Promise<void> {
    await tx.query('delete from payer_ibans where payer_id = $1 and id = $2', [payerId, ibanId]);
  }
}
