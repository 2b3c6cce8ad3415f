import { AppError, insufficientRoles, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { DeathClaimBeneficiaryStore } from '../../store/death-claim-beneficiary-store';
import type { DeathClaimStore } from '../../store/death-claim-store';
import type { OutboxStore } from '../../store/outbox-store';
import type { Viewer } from '../auth/viewer';
import type { Evidence } from '../evidence/evidence';
import type { EvidenceReview, EvidenceService, EvidenceUpload } from '../evidence/evidence-service';
import { notFound, seesFullIban } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { EventPublisher } from '../shared/events';
import { checkIban, maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { checkBirthDate } from '../shared/identity-rules';
import { parisDate } from '../shared/paris-calendar';
import type { UploadInput } from '../shared/uploaded-file';
import { equalShares } from './beneficiary-shares';
import { isComplete, itemStates, requiredItems, taxRegimes, type ClaimFileItem, type ClaimFileItemState, type TaxRegime } from './claim-file';
import type { ClaimBeneficiary, ClaimSearchStep, OwnedDeathClaim, SearchStepKind } from './death-claim';
import type { DeathClaimService } from './death-claim-service';

/** The evidence kind of every document of a beneficiary's file; its item says which checklist item. */
export const CLAIM_DOCUMENT_KIND = 'death_claim_document' as const;
const MAX_PERSONS = 20;
const MAX_NAME = 100;
const MAX_RELATIONSHIP = 50;
const MAX_NOTE = 1000;
const MAX_REFERENCE = 200;
const WHOLE = 10_000;

/** A RIB's upload names the IBAN it shows (400 otherwise): the payment is compared with it once the RIB is accepted. */
function ribIban(raw: string | null | undefined): string {
  if (raw == null || raw.trim() === '') throw invalidFields([{ field: 'iban', reason: 'REQUIRED_FIELD_MISSING' }]);
  const checked = checkIban(raw);
  if (!checked.ok) throw invalidFields([{ field: 'iban', reason: checked.reason }]);
  return checked.iban;
}

/** A person back-office identified as one of those a class clause names. */
export interface IdentifiedPersonInput {
  firstName: string;
  lastName: string;
  birthDate: string;
  /** How they relate to the insured: "child", "spouse", "heir"... */
  relationship: string;
  /** Share of the clause's rank in basis points; all or none (none: equal shares). */
  shareBasisPoints?: number | null;
}

export interface SearchStepInput {
  kind: SearchStepKind;
  happenedOn: string;
  note?: string | null;
}

export interface RenunciationInput {
  renouncedOn: string;
  /** The signed renunciation: an uploaded document's id or a reference held elsewhere. */
  documentReference?: string | null;
}

/** A beneficiary's file: what it needs, where each item stands, and when it became complete. */
export interface ClaimBeneficiaryFile {
  claimId: string;
  beneficiaryId: string;
  regimes: TaxRegime[];
  items: ClaimFileItemState[];
  complete: boolean;
  completedAt: Date | null;
  /** The IBAN of the latest accepted RIB, the only account a payment may go to (masked for brokers and partners). */
  paymentIban: string | null;
  documents: Evidence[];
}

/** The evidence machinery as the claims' files use it (wired at composition: evidence needs our handler). */
export type ClaimDocuments = Pick<EvidenceService, 'upload' | 'review' | 'evidence' | 'ofSubject'>;

/**
 * The beneficiaries of a death claim once found (docs/DEATH-CLAIMS.md): back-office resolves class clauses
 * into persons, records the search for those who cannot be found and the renunciations; each person has a
 * file of documents, uploaded by whoever acts for them (broker, partner platform, back-office) and reviewed
 * by back-office; the review that completes a file sets its date, which starts the payment clock.
 */
export class ClaimBeneficiaryService {
  constructor(
    private readonly db: Db,
    private readonly store: DeathClaimBeneficiaryStore,
    private readonly claimStore: Pick<DeathClaimStore, 'claim' | 'claimDeskOf'>,
    private readonly claims: Pick<DeathClaimService, 'claim'>,
    private readonly documents: () => ClaimDocuments,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /**
   * Resolves a class clause into the persons it names. Shares: as given (all or none, adding up to 10000),
   * else equal. The clause line becomes `identified`; the persons are `found` lines of the same rank.
   */
  async identify(acting: Acting, claimId: string, lineId: string, persons: readonly IdentifiedPersonInput[]): Promise<OwnedDeathClaim> {
    const { viewer, requestId } = acting;
    const claim = await this.backOfficeClaim(viewer, claimId);
    const now = this.clock.now();
    const clean = this.checkPersons(persons, now);
    return this.db.transaction(async (tx) => {
      await this.store.lockClaim(tx, claim.id);
      const line = await this.line(tx, claim.id, lineId);
      if (line.kind !== 'class_clause') throw new AppError('conflict', 'NOT_A_CLASS_CLAUSE');
      if (line.status !== 'to_identify') throw new AppError('conflict', 'CLAUSE_ALREADY_IDENTIFIED');
      const shares = clean.every((p) => p.shareBasisPoints === null) ? equalShares(clean.length) : clean.map((p) => p.shareBasisPoints!);
      let position = await this.store.nextPosition(tx, claim.id);
      const ids: string[] = [];
      for (const [i, p] of clean.entries()) {
        const id = newUuid();
        ids.push(id);
        await this.store.insert(tx, claim.id, position++, {
          id, rank: line.rank, kind: 'named', beneficiaryId: null, clauseLineId: line.id, firstName: p.firstName, lastName: p.lastName, birthDate: p.birthDate,
          relationship: p.relationship, shareBasisPoints: shares[i]!, shareOfClaimBasisPoints: null, clause: null, status: 'found', acceptedAt: null, renouncedOn: null, fileCompletedAt: null,
        }, now);
      }
      await this.store.setStatus(tx, line.id, 'identified', now);
      // Names and birth dates stay in the claim: the audit keeps ids and shares.
      await this.audit.record(tx, { actor: viewer, action: 'death_claim.clause_identified', target: { type: 'death_claim', id: claim.id }, requestId, details: { clauseLineId: line.id, persons: ids, shares } });
      return (await this.claimStore.claim(claim.id, tx))!;
    });
  }

  /** Records a step of the search for a person: any step but `found` leaves (or puts) them `searching`. */
  async addSearchStep(acting: Acting, claimId: string, lineId: string, input: SearchStepInput): Promise<ClaimSearchStep> {
    const { viewer, requestId } = acting;
    const claim = await this.backOfficeClaim(viewer, claimId);
    const now = this.clock.now();
    const note = input.note?.trim() || null;
    if (note !== null && note.length > MAX_NOTE) throw invalidFields([{ field: 'note', reason: 'TOO_LONG' }]);
    if (input.happenedOn > parisDate(now)) throw new AppError('unprocessable_content', 'SEARCH_STEP_IN_FUTURE', { field: 'happenedOn' });
    return this.db.transaction(async (tx) => {
      await this.store.lockClaim(tx, claim.id);
      const line = this.person(await this.line(tx, claim.id, lineId));
      const step: ClaimSearchStep = { id: newUuid(), beneficiaryId: line.id, kind: input.kind, happenedOn: input.happenedOn, note, recordedByKind: viewer.kind, recordedById: viewer.id, recordedAt: now };
      await this.store.insertStep(tx, step);
      const status = input.kind === 'found' ? 'found' : 'searching';
      if (status !== line.status) await this.store.setStatus(tx, line.id, status, now);
      await this.audit.record(tx, { actor: viewer, action: 'death_claim.search_step', target: { type: 'death_claim', id: claim.id }, requestId, details: { beneficiaryId: line.id, stepId: step.id, kind: step.kind, happenedOn: step.happenedOn, status } });
      return step;
    });
  }

  /**
   * Records a beneficiary's renunciation (dated, not before the death): their share passes to the others
   * of their rank, or to the next rank when none is left (beneficiary-shares.ts).
   */
  async renounce(acting: Acting, claimId: string, lineId: string, input: RenunciationInput): Promise<OwnedDeathClaim> {
    const { viewer, requestId } = acting;
    const claim = await this.backOfficeClaim(viewer, claimId);
    const now = this.clock.now();
    const reference = input.documentReference?.trim() || null;
    if (reference !== null && reference.length > MAX_REFERENCE) throw invalidFields([{ field: 'documentReference', reason: 'TOO_LONG' }]);
    if (input.renouncedOn > parisDate(now)) throw new AppError('unprocessable_content', 'RENUNCIATION_IN_FUTURE', { field: 'renouncedOn' });
    if (input.renouncedOn < claim.dateOfDeath) throw new AppError('unprocessable_content', 'RENUNCIATION_BEFORE_DEATH', { field: 'renouncedOn' });
    return this.db.transaction(async (tx) => {
      await this.store.lockClaim(tx, claim.id);
      const line = this.person(await this.line(tx, claim.id, lineId));
      if (line.fileCompletedAt !== null) throw new AppError('conflict', 'BENEFICIARY_FILE_COMPLETE');
      await this.store.renounce(tx, line.id, input.renouncedOn, reference, now);
      await this.audit.record(tx, { actor: viewer, action: 'death_claim.renounced', target: { type: 'death_claim', id: claim.id }, requestId, details: { beneficiaryId: line.id, renouncedOn: input.renouncedOn, documentReference: reference } });
      return (await this.claimStore.claim(claim.id, tx))!;
    });
  }

  /** The search steps of a line of a claim the caller already reached. */
  searchSteps(lineId: string): Promise<ClaimSearchStep[]> {
    return this.store.steps(lineId, this.db);
  }

  /** A beneficiary's file: back-office, or a broker / partner platform of the insured's distributor. */
  async file(viewer: Viewer, claimId: string, lineId: string): Promise<ClaimBeneficiaryFile> {
    const claim = await this.claims.claim(viewer, claimId);
    const line = await this.line(this.db, claim.id, lineId);
    const file = await this.fileOf(this.db, claim.id, this.person(line, { renounced: true }));
    return seesFullIban(viewer) || file.paymentIban === null ? file : { ...file, paymentIban: maskIban(file.paymentIban) };
  }

  /** Uploads a document of a beneficiary's file on their behalf (broker, partner platform, back-office). */
  async upload(acting: Acting, claimId: string, lineId: string, input: UploadInput & { item: ClaimFileItem; iban?: string | null }): Promise<Evidence> {
    const claim = await this.claims.claim(acting.viewer, claimId);
    const line = await this.line(this.db, claim.id, lineId);
    const upload: EvidenceUpload = { ...input, kind: CLAIM_DOCUMENT_KIND, subjectId: line.id, item: input.item };
    return this.documents().upload(acting, claim.subscriberId, upload);
  }

  /** Back-office accepts or refuses a document of the file; answers the file, complete or not. */
  async review(acting: Acting, claimId: string, lineId: string, documentId: string, input: EvidenceReview): Promise<ClaimBeneficiaryFile> {
    const claim = await this.backOfficeClaim(acting.viewer, claimId);
    const line = await this.line(this.db, claim.id, lineId);
    const document = await this.documents().evidence(acting.viewer, documentId);
    if (document.kind !== CLAIM_DOCUMENT_KIND || document.subjectId !== line.id) throw notFound('death_claim_document');
    await this.documents().review(acting, documentId, input);
    return this.fileOf(this.db, claim.id, (await this.store.line(this.db, claim.id, line.id))!);
  }

  /**
   * The evidence kind's hooks. The subject is a person's line of one of the insured's claims; an upload is
   * refused to a subscriber, for an item the file does not need, once the item is accepted or the file
   * complete. A review that accepts the last missing item completes the file in its transaction.
   */
  evidenceHandler() {
    return {
      subject: async (tx: Queryable, subscriberId: string, subjectId: string) => {
        const owned = await this.store.ofInsured(tx, subscriberId, subjectId);
        return owned && owned.line.kind === 'named' ? { policyId: owned.policyId } : undefined;
      },
      onUploaded: async (tx: Queryable, evidence: Evidence, acting: Acting, upload: EvidenceUpload) => {
        if (acting.viewer.kind === 'subscriber') throw insufficientRoles();
        const { claimId, line } = (await this.store.ofInsured(tx, evidence.subscriberId, evidence.subjectId))!;
        await this.store.lockClaim(tx, claimId);
        const person = this.person((await this.store.line(tx, claimId, line.id, { forUpdate: true }))!);
        const rib = evidence.item === 'iban_proof' ? ribIban(upload.iban) : null;
        // A new RIB may replace an accepted one, even in a complete file, until a payment is on its way or
        // made: a beneficiary changes accounts, or their account was closed and the payment rejected.
        const replacesRib = rib !== null && !(await this.store.hasLivePayment(tx, person.id));
        if (person.fileCompletedAt !== null && !replacesRib) throw new AppError('conflict', 'BENEFICIARY_FILE_COMPLETE');
        const file = await this.fileOf(tx, claimId, person);
        const state = file.items.find((s) => s.item === evidence.item);
        if (!state) throw new AppError('unprocessable_content', 'CLAIM_DOCUMENT_NOT_REQUIRED', { field: 'item' });
        if (state.status === 'accepted' && state.documentId !== evidence.id && !replacesRib) throw new AppError('conflict', 'CLAIM_DOCUMENT_ALREADY_ACCEPTED');
        if (rib !== null) await this.store.addRibIban(tx, evidence.id, person.id, rib);
      },
      onReviewed: async (tx: Queryable, evidence: Evidence, acting: Acting) => {
        if (evidence.status !== 'accepted') return;
        const owned = (await this.store.ofInsured(tx, evidence.subscriberId, evidence.subjectId))!;
        await this.store.lockClaim(tx, owned.claimId);
        const line = (await this.store.line(tx, owned.claimId, owned.line.id, { forUpdate: true }))!;
        if (line.status === 'renounced' || line.fileCompletedAt !== null) return;
        const file = await this.fileOf(tx, owned.claimId, line);
        if (file.complete) await this.complete(tx, acting, owned.claimId, line, file, evidence.reviewedAt!);
      },
    };
  }

  /** The file is complete: its date (the review's time) starts the one-month payment clock. */
  private async complete(tx: Queryable, { viewer, requestId }: Acting, claimId: string, line: ClaimBeneficiary, file: ClaimBeneficiaryFile, at: Date): Promise<void> {
    if (!(await this.store.completeFile(tx, line.id, at))) return;
    const claim = (await this.claimStore.claim(claimId, tx))!;
    await this.audit.record(tx, {
      actor: viewer, action: 'death_claim.file_completed', target: { type: 'death_claim', id: claimId }, requestId,
      details: { beneficiaryId: line.id, completedAt: at.toISOString(), items: file.items.map((i) => ({ item: i.item, documentId: i.documentId })) },
    });
    await this.events.publish(tx, { type: 'death_claim.file_completed', distributorId: claim.distributorId, resource: { claimId, beneficiaryId: line.id } }, at);
    const payload = { claimId, policyId: claim.policyId, beneficiaryId: line.id, firstName: line.firstName, lastName: line.lastName, completedAt: at.toISOString(), items: file.items.map((i) => i.item) };
    for (const recipient of await this.claimStore.claimDeskOf(tx, claim.distributorId, viewer)) {
      await this.outbox.enqueue(tx, { recipientUserId: recipient, channel: 'email', template: 'death_claim_file_completed', payload }, at);
    }
  }

  private async fileOf(tx: Queryable, claimId: string, line: ClaimBeneficiary): Promise<ClaimBeneficiaryFile> {
    const facts = (await this.store.taxFacts(tx, claimId))!;
    const regimes = taxRegimes(facts);
    const documents = await this.documents().ofSubject(tx, CLAIM_DOCUMENT_KIND, line.id);
    const items = itemStates(requiredItems(regimes), documents);
    const paymentIban = (await this.store.acceptedRibIban(tx, line.id)) ?? null;
    return { claimId, beneficiaryId: line.id, regimes, items, complete: line.fileCompletedAt !== null || isComplete(items), completedAt: line.fileCompletedAt, paymentIban, documents };
  }

  /** The claim, for back-office only: 403 for anyone else (a subscriber first, as every claim route). */
  private async backOfficeClaim(viewer: Viewer, claimId: string): Promise<OwnedDeathClaim> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    return this.claims.claim(viewer, claimId);
  }

  private async line(tx: Queryable, claimId: string, lineId: string): Promise<ClaimBeneficiary> {
    const line = await this.store.line(tx, claimId, lineId, { forUpdate: tx !== this.db });
    if (!line) throw notFound('death_claim_beneficiary');
    return line;
  }

  /** A person's line, not a clause; renounced ones refused unless asked for (reading their file). */
  private person(line: ClaimBeneficiary, allow: { renounced?: boolean } = {}): ClaimBeneficiary {
    if (line.kind === 'class_clause') throw new AppError('conflict', 'CLAIM_LINE_IS_A_CLAUSE');
    if (line.status === 'renounced' && !allow.renounced) throw new AppError('conflict', 'BENEFICIARY_RENOUNCED');
    return line;
  }

  private checkPersons(persons: readonly IdentifiedPersonInput[], now: Date): Array<Required<Omit<IdentifiedPersonInput, 'shareBasisPoints'>> & { shareBasisPoints: number | null }> {
    if (persons.length === 0) throw invalidFields([{ field: 'persons', reason: 'AT_LEAST_ONE_BENEFICIARY_REQUIRED' }]);
    if (persons.length > MAX_PERSONS) throw invalidFields([{ field: 'persons', reason: 'TOO_MANY_BENEFICIARIES' }]);
    const problems: Array<{ field: string; reason: string }> = [];
    const text = (value: string, field: string, max: number) => {
      const v = value.trim();
      if (v === '') problems.push({ field, reason: 'REQUIRED_FIELD_MISSING' });
      else if (v.length > max) problems.push({ field, reason: 'TOO_LONG' });
      return v;
    };
    const clean = persons.map((p, i) => {
      const at = `persons.${i}`;
      const birth = checkBirthDate(p.birthDate, now);
      if (birth) problems.push({ field: `${at}.birthDate`, reason: birth });
      const share = p.shareBasisPoints ?? null;
      if (share !== null && (!Number.isInteger(share) || share < 1 || share > WHOLE)) problems.push({ field: `${at}.shareBasisPoints`, reason: 'SHARE_OUT_OF_RANGE' });
      return { firstName: text(p.firstName, `${at}.firstName`, MAX_NAME), lastName: text(p.lastName, `${at}.lastName`, MAX_NAME), birthDate: p.birthDate, relationship: text(p.relationship, `${at}.relationship`, MAX_RELATIONSHIP), shareBasisPoints: share };
    });
    const given = clean.filter((p) => p.shareBasisPoints !== null);
    if (given.length > 0 && given.length < clean.length) problems.push({ field: 'persons', reason: 'SHARES_ALL_OR_NONE' });
    else if (given.length > 0 && given.reduce((a, p) => a + p.shareBasisPoints!, 0) !== WHOLE) problems.push({ field: 'persons', reason: 'SHARES_NOT_100_PERCENT' });
    if (problems.length) throw invalidFields(problems);
    return clean;
  }
}
