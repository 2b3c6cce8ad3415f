import { AppError, insufficientRoles } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { SepaStore } from '../../store/sepa-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import { maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { checkPageSize } from '../shared/paging';
import { addDays, parisDate } from '../shared/paris-calendar';
import type { PayerService } from './payer-service';
import { presentMandate, type DueDebit, type DuePayout, type SepaBatch, type SepaBatchEntry, type SepaBatchKind, type SepaBatchStatus, type SepaMandate } from './sepa-batch';
import { pain001, pain008, type SepaParty } from './sepa-files';
import { decimalAmount, referenceFromUuid } from './sepa-identifiers';

/** How many due items one run takes of each source; the next run takes the rest. */
const RUN_LIMIT = 500;

/** What a run did: the batches it added entries to, and how many it added. */
export interface SepaRunResult {
  batches: SepaBatch[];
  collections: number;
  payouts: number;
}

/** A batch as a file. */
export interface SepaFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** Saturday and Sunday move to the next Monday: a SEPA date is a banking day (TARGET holidays are the bank's to shift). */
function bankingDay(date: string): string {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day === 6 ? addDays(date, 2) : day === 0 ? addDays(date, 1) : date;
}

/**
 * A pay-out's end-to-end id and remittance line. A death claim payment carries its own id (DC and its 32
 * hex digits) end to end, so the bank's return names the payment, and the claim in the remittance line.
 */
function payoutReferences(due: DuePayout, entryId: string): { endToEndId: string; remittance: string } {
  if (due.sourceKind === 'death_claim_payment') {
    const what = due.withInterest ? 'Capital deces et interets de retard' : 'Capital deces';
    return { endToEndId: referenceFromUuid('DC', due.sourceId), remittance: `${what} sinistre ${due.claimId} paiement ${due.sourceId}` };
  }
  const label = due.sourceKind === 'surrender_declaration' ? `Rachat ${due.sourceId}` : `Remboursement renonciation ${due.sourceId}`;
  return { endToEndId: referenceFromUuid('QL', entryId), remittance: label };
}

const backOfficeOnly = (viewer: Viewer) => {
  if (viewer.kind !== 'backoffice') throw insufficientRoles();
};

/**
 * SEPA files (docs/DOMAIN.md, "Premiums and payers"). A run puts every collection pending (single
 * premiums, scheduled collections) into the open pain.008 batch of its requested collection date, under
 * the payer's mandate for the IBAN (created at its first debit: FRST, then RCUR), and pre-notifies the
 * subscriber by e-mail; it puts the pay-outs due (surrenders sent for payment, withdrawal refunds, death
 * claim payments sent) into the open pain.001 batch of the next banking day. Back-office closes a batch:
 * its collections become `submitted` and its file (XML) is what goes to the bank. Each source is in one
 * batch at most: the entries' unique key holds even with concurrent runs.
 */
export class SepaBatchService {
  constructor(
    private readonly db: Db,
    private readonly store: SepaStore,
    private readonly payers: Pick<PayerService, 'payer'>,
    private readonly outbox: OutboxStore,
    private readonly us: SepaParty,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** The SEPA mandates of a payer the viewer reaches (404 payer_not_found otherwise), oldest first. */
  async mandatesOf(viewer: Viewer, payerId: string): Promise<SepaMandate[]> {
    const payer = await this.payers.payer(viewer, payerId);
    return (await this.store.mandatesOf(payer.id)).map((m) => presentMandate(m, viewer));
  }

  /** Back-office's run; the job calls `runAs` with the system actor. */
  async run({ viewer, requestId }: Acting): Promise<SepaRunResult> {
    backOfficeOnly(viewer);
    return this.runAs({ actor: viewer, requestId });
  }

  async runAs(by: { actor: Viewer | { kind: 'system'; id: string }; requestId: string | null }): Promise<SepaRunResult> {
    return this.db.transaction(async (tx) => {
      await this.store.lockRuns(tx);
      const now = this.clock.now();
      const today = parisDate(now);
      const touched = new Map<string, SepaBatch>();
      let collections = 0;
      for (const due of await this.store.dueDebits(tx, RUN_LIMIT)) {
        if (await this.addDebit(tx, due, today, now, touched)) collections += 1;
      }
      let payouts = 0;
      for (const due of await this.store.duePayouts(tx, RUN_LIMIT)) {
        if (await this.addPayout(tx, due, today, now, touched)) payouts += 1;
      }
      const batches: SepaBatch[] = [];
      for (const id of touched.keys()) batches.push((await this.store.batch(id, tx))!);
      if (collections + payouts > 0) {
        await this.audit.record(tx, { ...by, action: 'sepa.run', target: { type: 'sepa_run', id: newUuid() }, details: { collections, payouts, batchIds: [...touched.keys()] } });
      }
      return { batches, collections, payouts };
    });
  }

  /**
   * The collection date leaves the payer the product's pre-notification period (14 calendar days at
   * most) from today, and is never before a scheduled collection's due date.
   */
  private async addDebit(tx: Queryable, due: DueDebit, today: string, now: Date, touched: Map<string, SepaBatch>): Promise<boolean> {
    const earliest = addDays(today, due.preNotificationDays);
    const date = bankingDay(due.dueDate !== null && due.dueDate > earliest ? due.dueDate : earliest);
    const mandate = await this.store.mandateFor(tx, {
      id: newUuid(), payerId: due.payerId, reference: referenceFromUuid('QLM', newUuid()), iban: due.iban, debtorName: due.debtorName, creditorId: this.us.creditorId,
      // The mandate is given when the IBAN is first debited: the debit was requested through the subscriber's channel.
      signatureDate: today, createdAt: now,
    });
    const batch = await this.batchFor(tx, 'collection', date, now, touched);
    const entryId = newUuid();
    const entry = {
      id: entryId, batchId: batch.id, sourceKind: due.sourceKind, sourceId: due.sourceId, policyId: due.policyId, amount: due.amount, currency: due.currency, iban: due.iban,
      partyName: due.debtorName, mandateId: mandate.id, sequenceType: 'RCUR' as const, endToEndId: referenceFromUuid('QL', entryId),
      remittance: `Prime contrat ${due.policyId}`, createdAt: now,
    };
    if (!(await this.store.insertEntry(tx, entry))) return false;
    const sequenceType = (await this.store.claimFirstCollection(tx, mandate.id, entryId)) ? 'FRST' : 'RCUR';
    if (sequenceType === 'FRST') await this.store.setSequenceType(tx, entryId, 'FRST');
    // SEPA Core: the debtor learns amount, date, mandate reference and creditor id ahead of the debit:
    // a payer who gave an address there, else the subscriber (a self payer, or one who gave none).
    await this.outbox.enqueue(tx, {
      recipientUserId: due.recipientUserId, channel: 'email', template: 'sepa_pre_notification',
      payload: {
        ...(due.payerEmail ? { to: due.payerEmail } : {}),
        policyId: due.policyId, amount: decimalAmount(due.amount).replace('.', ','), currency: due.currency, collectionDate: date, mandateReference: mandate.reference,
        creditorId: this.us.creditorId, creditorName: this.us.name, iban: maskIban(due.iban), debtorName: due.debtorName,
      },
    }, now);
    return true;
  }

  /** Pay-outs are executed on the next banking day. */
  private async addPayout(tx: Queryable, due: DuePayout, today: string, now: Date, touched: Map<string, SepaBatch>): Promise<boolean> {
    const batch = await this.batchFor(tx, 'payout', bankingDay(addDays(today, 1)), now, touched);
    const entryId = newUuid();
    return this.store.insertEntry(tx, {
      id: entryId, batchId: batch.id, sourceKind: due.sourceKind, sourceId: due.sourceId, policyId: due.policyId, amount: due.amount, currency: due.currency, iban: due.iban,
      partyName: due.creditorName, mandateId: null, sequenceType: null, ...payoutReferences(due, entryId), createdAt: now,
    });
  }

  private async batchFor(tx: Queryable, kind: SepaBatchKind, date: string, now: Date, touched: Map<string, SepaBatch>): Promise<SepaBatch> {
    const id = newUuid();
    // QL and the UUID's last 24 hex digits: short enough to suffix the payment blocks' ids within 35 characters.
    const batch = await this.store.openBatch(tx, { id, kind, requestedDate: date, messageId: referenceFromUuid('QL', id.slice(9)), createdAt: now });
    touched.set(batch.id, batch);
    return batch;
  }

  async list(viewer: Viewer, filter: { status?: SepaBatchStatus | null; kind?: SepaBatchKind | null; first?: number | null }): Promise<SepaBatch[]> {
    backOfficeOnly(viewer);
    const first = filter.first ?? 50;
    checkPageSize(first);
    return this.store.batches({ status: filter.status ?? null, kind: filter.kind ?? null }, first);
  }

  async get(viewer: Viewer, id: string): Promise<SepaBatch> {
    backOfficeOnly(viewer);
    const batch = await this.store.batch(id);
    if (!batch) throw notFound('sepa_batch');
    return batch;
  }

  /** The entries of batches back-office reached. */
  entriesOf(batchIds: readonly string[]): Promise<SepaBatchEntry[]> {
    return this.store.entries(batchIds);
  }

  /**
   * Closes an open batch (a closed one answers as it is): a collection cancelled since the run leaves
   * it, the others become `submitted`; the count and control sum are fixed for the file's group header.
   */
  async close({ viewer, requestId }: Acting, id: string): Promise<SepaBatch> {
    backOfficeOnly(viewer);
    return this.db.transaction(async (tx) => {
      const batch = await this.store.batch(id, tx, { forUpdate: true });
      if (!batch) throw notFound('sepa_batch');
      if (batch.status === 'closed') return batch;
      const now = this.clock.now();
      const kept: SepaBatchEntry[] = [];
      const dropped: string[] = [];
      for (const entry of await this.store.entries([id], tx)) {
        // A claim payment settled since the run (rejected: a new one may be sent) must not be paid by this file too.
        if (entry.sourceKind === 'death_claim_payment' && (await this.store.lockSourceStatus(tx, entry.sourceKind, entry.sourceId)) !== 'sent') {
          await this.store.deleteEntry(tx, entry.id);
          dropped.push(entry.sourceId);
          continue;
        }
        if (entry.sourceKind === 'single_premium_request' || entry.sourceKind === 'scheduled_premium_collection') {
          if ((await this.store.lockSourceStatus(tx, entry.sourceKind, entry.sourceId)) !== 'pending_collection') {
            await this.store.releaseFirstCollection(tx, entry.id);
            await this.store.deleteEntry(tx, entry.id);
            dropped.push(entry.sourceId);
            continue;
          }
          await this.store.markSubmitted(tx, entry.sourceKind, entry.sourceId, now);
        }
        kept.push(entry);
      }
      const controlSum = kept.reduce((total, e) => total + e.amount, 0);
      await this.store.close(tx, id, { entryCount: kept.length, controlSum, at: now, byKind: viewer.kind, byId: viewer.id });
      await this.audit.record(tx, {
        actor: viewer, action: 'sepa_batch.closed', target: { type: 'sepa_batch', id }, requestId,
        details: { kind: batch.kind, requestedDate: batch.requestedDate, entryCount: kept.length, controlSum, dropped },
      });
      return (await this.store.batch(id, tx))!;
    });
  }

  /** A closed batch's XML file; an open one is 409 (it may still change), an empty one too (nothing to send). */
  async file(viewer: Viewer, id: string): Promise<SepaFile> {
    const batch = await this.get(viewer, id);
    if (batch.status !== 'closed') throw new AppError('conflict', 'SEPA_BATCH_NOT_CLOSED');
    if (batch.entryCount === 0) throw new AppError('conflict', 'SEPA_BATCH_EMPTY');
    const entries = await this.store.entries([id]);
    const xml = batch.kind === 'collection' ? pain008(batch, entries, this.us, batch.closedAt!) : pain001(batch, entries, this.us, batch.closedAt!);
    const format = batch.kind === 'collection' ? 'pain.008.001.02' : 'pain.001.001.03';
    return { fileName: `${batch.messageId}.${format}.xml`, contentType: 'application/xml', bytes: Buffer.from(xml, 'utf8') };
  }
}
