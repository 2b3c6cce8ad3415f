import type { DueDebit, DuePayout, SepaBatch, SepaBatchEntry, SepaBatchKind, SepaBatchStatus, SepaMandate, SepaSequenceType, SepaSourceKind } from '../domain/premiums/sepa-batch';
import type { Queryable } from './db';

interface MandateRow {
  id: string;
  payer_id: string;
  reference: string;
  iban: string;
  debtor_name: string;
  creditor_id: string;
  signature_date: string;
  first_collection_entry_id: string | null;
  created_at: Date;
}

interface BatchRow {
  id: string;
  kind: SepaBatchKind;
  requested_date: string;
  status: SepaBatchStatus;
  message_id: string;
  entry_count: number | string;
  control_sum: number | string;
  created_at: Date;
  closed_at: Date | null;
  closed_by_kind: string | null;
  closed_by_id: string | null;
}

interface EntryRow {
  id: string;
  batch_id: string;
  source_kind: SepaSourceKind;
  source_id: string;
  policy_id: string | null;
  amount: number | string;
  currency: string;
  iban: string;
  party_name: string;
  mandate_id: string | null;
  mandate_reference: string | null;
  mandate_signature_date: string | null;
  sequence_type: SepaSequenceType | null;
  end_to_end_id: string;
  remittance: string;
  created_at: Date;
}

interface DueDebitRow {
  source_kind: DueDebit['sourceKind'];
  source_id: string;
  policy_id: string;
  payer_id: string;
  amount: number | string;
  currency: string;
  iban: string;
  debtor_name: string;
  due_date: string | null;
  notice_days: number;
  user_id: string | null;
  payer_email: string | null;
}

interface DuePayoutRow {
  source_kind: DuePayout['sourceKind'];
  source_id: string;
  policy_id: string | null;
  amount: number | string;
  currency: string;
  iban: string;
  creditor_name: string;
  claim_id?: string;
  interest_amount?: number | string;
}

const MANDATE_COLUMNS = 'id, payer_id, reference, iban, debtor_name, creditor_id, signature_date::text as signature_date, first_collection_entry_id, created_at';
const toMandate = (r: MandateRow): SepaMandate => ({
  id: r.id, payerId: r.payer_id, reference: r.reference, iban: r.iban, debtorName: r.debtor_name, creditorId: r.creditor_id, signatureDate: r.signature_date,
  nextSequenceType: r.first_collection_entry_id === null ? 'FRST' : 'RCUR', createdAt: r.created_at,
});

// An open batch's count and sum are read from its entries; a closed one's were fixed when it closed.
const BATCH_COLUMNS = `b.id, b.kind, b.requested_date::text as requested_date, b.status, b.message_id,
  coalesce(b.entry_count, (select count(*) from sepa_batch_entries e where e.batch_id = b.id)) as entry_count,
  coalesce(b.control_sum, (select coalesce(sum(e.amount), 0) from sepa_batch_entries e where e.batch_id = b.id)) as control_sum,
  b.created_at, b.closed_at, b.closed_by_kind, b.closed_by_id`;
// bigint arrives as a string from pg: sums stay far below 2^53 minor units, exact as numbers.
const toBatch = (r: BatchRow): SepaBatch => ({
  id: r.id, kind: r.kind, requestedDate: r.requested_date, status: r.status, messageId: r.message_id, entryCount: Number(r.entry_count), controlSum: Number(r.control_sum),
  currency: 'EUR', createdAt: r.created_at, closedAt: r.closed_at, closedByKind: r.closed_by_kind, closedById: r.closed_by_id,
});

const ENTRY_COLUMNS = `e.id, e.batch_id, e.source_kind, e.source_id, e.policy_id, e.amount, e.currency, e.iban, e.party_name, e.mandate_id,
  m.reference as mandate_reference, m.signature_date::text as mandate_signature_date, e.sequence_type, e.end_to_end_id, e.remittance, e.created_at`;
const toEntry = (r: EntryRow): SepaBatchEntry => ({
  id: r.id, batchId: r.batch_id, sourceKind: r.source_kind, sourceId: r.source_id, policyId: r.policy_id, amount: Number(r.amount), currency: r.currency, iban: r.iban,
  partyName: r.party_name, mandateId: r.mandate_id, mandateReference: r.mandate_reference, mandateSignatureDate: r.mandate_signature_date, sequenceType: r.sequence_type,
  endToEndId: r.end_to_end_id, remittance: r.remittance, createdAt: r.created_at,
});

const NOT_IN_A_BATCH = (kind: SepaSourceKind, alias: string) =>
  `not exists (select 1 from sepa_batch_entries x where x.source_kind = '${kind}' and x.source_id = ${alias}.id)`;

/**
 * Where each kind of collection a debit comes from is read: its rows (alias `r`), where its payer and
 * account holder are named (the request itself, or the schedule a collection belongs to), its order.
 */
const DEBIT_SOURCES: ReadonlyArray<{ kind: SepaSourceKind; from: string; payer: 'r' | 'sc'; order: string }> = [
  { kind: 'single_premium_request', from: 'single_premium_requests r', payer: 'r', order: 'r.created_at, r.id' },
  { kind: 'scheduled_premium_collection', from: 'scheduled_premium_collections r join premium_schedules sc on sc.id = r.schedule_id', payer: 'sc', order: 'r.due_date, r.id' },
];

// Advisory lock namespace of the SEPA runs (the migration's number, as the other stores do).
const SEPA_RUN_LOCK_NAMESPACE = 5_029;

/** SEPA mandates, batches and their entries; reads what is due to be collected or paid out. */
export class SepaStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Runs one at a time across replicas: two runs taking mandates and batches in different orders could
   * otherwise deadlock. The entries' unique key stays the guarantee that a source is added once.
   */
  async lockRuns(tx: Queryable): Promise<void> {
    await tx.query('select pg_advisory_xact_lock($1::int, 0)', [SEPA_RUN_LOCK_NAMESPACE]);
  }

  /** The mandates of a payer, oldest first. */
  async mandatesOf(payerId: string, tx: Queryable = this.db): Promise<SepaMandate[]> {
    return (await tx.query<MandateRow>(`select ${MANDATE_COLUMNS} from sepa_mandates where payer_id = $1 order by seq`, [payerId])).map(toMandate);
  }

  /** The payer's mandate for the IBAN, created first if there is none (concurrent runs end up with the same one). */
  async mandateFor(tx: Queryable, fresh: Omit<SepaMandate, 'nextSequenceType'>): Promise<SepaMandate> {
    await tx.query(
      `insert into sepa_mandates (id, payer_id, reference, iban, debtor_name, creditor_id, signature_date, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (payer_id, iban) do nothing`,
      [fresh.id, fresh.payerId, fresh.reference, fresh.iban, fresh.debtorName, fresh.creditorId, fresh.signatureDate, fresh.createdAt],
    );
    const [row] = await tx.query<MandateRow>(`select ${MANDATE_COLUMNS} from sepa_mandates where payer_id = $1 and iban = $2 for update`, [fresh.payerId, fresh.iban]);
    return toMandate(row);
  }

  /** Marks the entry as the mandate's first collection; false when it already had one (the entry is RCUR). */
  async claimFirstCollection(tx: Queryable, mandateId: string, entryId: string): Promise<boolean> {
    const rows = await tx.query('update sepa_mandates set first_collection_entry_id = $2 where id = $1 and first_collection_entry_id is null returning id', [mandateId, entryId]);
    return rows.length > 0;
  }

  /** An entry dropped before its batch closed gives its mandate's FRST back. */
  async releaseFirstCollection(tx: Queryable, entryId: string): Promise<void> {
    await tx.query('update sepa_mandates set first_collection_entry_id = null where first_collection_entry_id = $1', [entryId]);
  }

  /**
   * Collections pending and in no batch yet, their source rows locked; rows another run holds are
   * skipped (it is adding them). EUR only: SEPA is a euro scheme.
   */
  async dueDebits(tx: Queryable, limit: number): Promise<DueDebit[]> {
    const rows: DueDebitRow[] = [];
    for (const source of DEBIT_SOURCES) {
      rows.push(...(await tx.query<DueDebitRow>(
        `select '${source.kind}' as source_kind, r.id as source_id, r.policy_id, ${source.payer}.payer_id, r.amount, r.currency, r.iban, ${source.payer}.holder_name as debtor_name,
                r.due_date::text as due_date, coalesce(t.pre_notification_days, 14) as notice_days, s.user_id, py.email as payer_email
           from ${source.from}
           join payers py on py.id = ${source.payer}.payer_id
           join policies p on p.id = r.policy_id
           join subscribers s on s.id = p.subscriber_id
           left join premium_terms t on t.product_id = p.product_id
          where r.status = 'pending_collection' and r.currency = 'EUR' and ${NOT_IN_A_BATCH(source.kind, 'r')}
          order by ${source.order} limit $1
          for update of r skip locked`,
        [limit],
      )));
    }
    return rows.map((r) => ({
      sourceKind: r.source_kind, sourceId: r.source_id, policyId: r.policy_id, payerId: r.payer_id, amount: Number(r.amount), currency: r.currency, iban: r.iban,
      debtorName: r.debtor_name, dueDate: r.due_date, preNotificationDays: Number(r.notice_days), recipientUserId: r.user_id, payerEmail: r.payer_email,
    }));
  }

  /**
   * Pay-outs due and in no batch yet, their source rows locked (rows another run holds are skipped):
   * surrenders received (sent for payment, not yet processing or settled) to their pay-out IBAN,
   * withdrawal refunds to the subscription's debit IBAN, and death claim payments sent (not yet settled).
   */
  async duePayouts(tx: Queryable, limit: number): Promise<DuePayout[]> {
    const surrenders = await tx.query<DuePayoutRow>(
      `select 'surrender_declaration' as source_kind, d.id as source_id, d.policy_id, d.amount, d.currency,
              case when d.payout_iban_source = 'registered' then pi.iban else coalesce(pi.iban, sub.debit_iban) end as iban,
              coalesce(pi.holder_name, s.first_name || ' ' || s.last_name) as creditor_name
         from surrender_declarations d
         join policies p on p.id = d.policy_id
         join subscriptions sub on sub.id = p.subscription_id
         join subscribers s on s.id = p.subscriber_id
         left join payout_ibans pi on pi.id = d.payout_iban_id
        where d.status = 'received' and d.amount > 0 and d.currency = 'EUR' and ${NOT_IN_A_BATCH('surrender_declaration', 'd')}
        order by d.requested_at, d.id limit $1
        for update of d skip locked`,
      [limit],
    );
    const refunds = await tx.query<DuePayoutRow>(
      `select 'withdrawal_refund' as source_kind, f.id as source_id, p.id as policy_id, f.amount, f.currency, sub.debit_iban as iban,
              s.first_name || ' ' || s.last_name as creditor_name
         from refunds f
         join subscriptions sub on sub.id = f.subscription_id
         join subscribers s on s.id = sub.subscriber_id
         left join policies p on p.subscription_id = sub.id
        where f.amount > 0 and f.currency = 'EUR' and ${NOT_IN_A_BATCH('withdrawal_refund', 'f')}
        order by f.recorded_at, f.id limit $1
        for update of f skip locked`,
      [limit],
    );
    // Capital and late interest together, to the account of the beneficiary's accepted RIB, in their name.
    const claimPayments = await tx.query<DuePayoutRow>(
      `select 'death_claim_payment' as source_kind, d.id as source_id, d.policy_id, d.capital_amount + d.interest_amount as amount, d.currency, d.iban,
              b.first_name || ' ' || b.last_name as creditor_name, d.claim_id, d.interest_amount
         from death_claim_payments d
         join death_claim_beneficiaries b on b.id = d.beneficiary_id
        where d.status = 'sent' and d.currency = 'EUR' and ${NOT_IN_A_BATCH('death_claim_payment', 'd')}
        order by d.sent_at, d.id limit $1
        for update of d skip locked`,
      [limit],
    );
    return [...surrenders, ...refunds, ...claimPayments].filter((r) => r.iban !== null).map((r) => ({
      sourceKind: r.source_kind, sourceId: r.source_id, policyId: r.policy_id, amount: Number(r.amount), currency: r.currency, iban: r.iban, creditorName: r.creditor_name,
      ...(r.claim_id ? { claimId: r.claim_id, withInterest: Number(r.interest_amount) > 0 } : {}),
    }));
  }

  /** The open batch of this kind and date, created if none, locked against a concurrent close. */
  async openBatch(tx: Queryable, fresh: { id: string; kind: SepaBatchKind; requestedDate: string; messageId: string; createdAt: Date }): Promise<SepaBatch> {
    for (;;) {
      await tx.query(
        `insert into sepa_batches (id, kind, requested_date, status, message_id, created_at) values ($1, $2, $3, 'open', $4, $5)
         on conflict (kind, requested_date) where status = 'open' do nothing`,
        [fresh.id, fresh.kind, fresh.requestedDate, fresh.messageId, fresh.createdAt],
      );
      const [row] = await tx.query<BatchRow>(`select ${BATCH_COLUMNS} from sepa_batches b where kind = $1 and requested_date = $2 and status = 'open' for update`, [fresh.kind, fresh.requestedDate]);
      // Closed between the insert and the lock: the next turn opens a new one.
      if (row) return toBatch(row);
    }
  }

  /** Adds the entry; false when its source is in a batch already (a concurrent run added it). */
  async insertEntry(tx: Queryable, e: Omit<SepaBatchEntry, 'mandateReference' | 'mandateSignatureDate'>): Promise<boolean> {
    const rows = await tx.query(
      `insert into sepa_batch_entries (id, batch_id, source_kind, source_id, policy_id, amount, currency, iban, party_name, mandate_id, sequence_type, end_to_end_id, remittance, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict (source_kind, source_id) do nothing returning id`,
      [e.id, e.batchId, e.sourceKind, e.sourceId, e.policyId, e.amount, e.currency, e.iban, e.partyName, e.mandateId, e.sequenceType, e.endToEndId, e.remittance, e.createdAt],
    );
    return rows.length > 0;
  }

  async setSequenceType(tx: Queryable, entryId: string, sequenceType: SepaSequenceType): Promise<void> {
    await tx.query('update sepa_batch_entries set sequence_type = $2 where id = $1', [entryId, sequenceType]);
  }

  async batch(id: string, tx: Queryable = this.db, options: { forUpdate?: boolean } = {}): Promise<SepaBatch | undefined> {
    const [row] = await tx.query<BatchRow>(`select ${BATCH_COLUMNS} from sepa_batches b where b.id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
    return row && toBatch(row);
  }

  /** Batches, newest first, optionally of one status and kind. */
  async batches(filter: { status: SepaBatchStatus | null; kind: SepaBatchKind | null }, limit: number): Promise<SepaBatch[]> {
    return (
      await this.db.query<BatchRow>(
        `select ${BATCH_COLUMNS} from sepa_batches b where ($1::text is null or b.status = $1) and ($2::text is null or b.kind = $2) order by b.seq desc limit $3`,
        [filter.status, filter.kind, limit],
      )
    ).map(toBatch);
  }

  async entries(batchIds: readonly string[], tx: Queryable = this.db): Promise<SepaBatchEntry[]> {
    return (
      await tx.query<EntryRow>(`select ${ENTRY_COLUMNS} from sepa_batch_entries e left join sepa_mandates m on m.id = e.mandate_id where e.batch_id = any($1::text[]) order by e.batch_id, e.seq`, [batchIds])
    ).map(toEntry);
  }

  async deleteEntry(tx: Queryable, id: string): Promise<void> {
    await tx.query('delete from sepa_batch_entries where id = $1', [id]);
  }

  /** The status of a collection's (or a death claim payment's) source, its row locked; undefined when it is gone. */
  async lockSourceStatus(tx: Queryable, kind: DueDebit['sourceKind'] | 'death_claim_payment', id: string): Promise<string | undefined> {
    const table = { single_premium_request: 'single_premium_requests', scheduled_premium_collection: 'scheduled_premium_collections', death_claim_payment: 'death_claim_payments' }[kind];
    const [row] = await tx.query<{ status: string }>(`select status from ${table} where id = $1 for update`, [id]);
    return row?.status;
  }

  /** A collection in a closed batch is `submitted`. */
  async markSubmitted(tx: Queryable, kind: DueDebit['sourceKind'], id: string, at: Date): Promise<void> {
    if (kind === 'single_premium_request') await tx.query(`update single_premium_requests set status = 'submitted', updated_at = $2 where id = $1`, [id, at]);
    else await tx.query(`update scheduled_premium_collections set status = 'submitted' where id = $1`, [id]);
  }

  async close(tx: Queryable, id: string, change: { entryCount: number; controlSum: number; at: Date; byKind: string; byId: string | null }): Promise<void> {
    await tx.query(
      `update sepa_batches set status = 'closed', entry_count = $2, control_sum = $3, closed_at = $4, closed_by_kind = $5, closed_by_id = $6 where id = $1`,
      [id, change.entryCount, change.controlSum, change.at, change.byKind, change.byId],
    );
  }
}
