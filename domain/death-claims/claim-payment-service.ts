import { AppError, insufficientRoles, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { DeathClaimPaymentStore } from '../../store/death-claim-payment-store';
import type { DeathClaimBeneficiaryStore } from '../../store/death-claim-beneficiary-store';
import type { DeathClaimStore } from '../../store/death-claim-store';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { PolicyService } from '../policy/policy-service';
import type { Viewer } from '../auth/viewer';
import { holderNameMatches } from '../pay-out/holder-name';
import { movement } from '../policy/policy-money';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { EventPublisher } from '../shared/events';
import { checkIban, maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { formatMoney } from '../shared/money-format';
import { checkPageSize, decodeCursor, encodeCursor } from '../shared/paging';
import { parisDate } from '../shared/paris-calendar';
import type { WebhookEvent } from '../webhooks/registry';
import type { ClaimClocks, ClaimPaymentInput, DeathClaimPayment } from './claim-payment';
import { capitalParts, checkPayable, claimClocks, everyPartPaid } from './claim-payment-rules';
import type { OwnedDeathClaim } from './death-claim';
import { parseClaimPaymentEvent, type ClaimPaymentOutcome } from './claim-payment-events';
import { LEGAL_RATE_CATEGORIES, lateInterest, paymentDueDate, type LegalInterestRate, type LegalRateCategory } from './legal-interest';

/** A claim with its payment clocks, for the open-claims list. */
export interface ClaimWithClocks {
  claim: OwnedDeathClaim;
  clocks: ClaimClocks;
}

export interface ClaimClocksPage {
  rows: ClaimWithClocks[];
  hasNextPage: boolean;
}

/** A beneficiary is a person, not a professional: they are owed the legal rate of private creditors. */
const BENEFICIARY_RATE: LegalRateCategory = 'consumer';
const MAX_HOLDER = 140;
const MAX_SOURCE = 300;

/**
 * Paying death claims (docs/DEATH-CLAIMS.md, "Payment and late interest"): each beneficiary's part with
 * the late interest of L132-23-1, sent to the payment provider and settled by its `payments` webhook
 * exactly once; the claims still open with their clocks; the legal interest rates.
 */
export class DeathClaimPaymentService {
  constructor(
    private readonly db: Db,
    private readonly store: DeathClaimPaymentStore,
    private readonly claims: DeathClaimStore,
    private readonly beneficiaries: Pick<DeathClaimBeneficiaryStore, 'ofClaims' | 'acceptedRibIban'>,
    private readonly policies: Pick<PolicyStore, 'appendMovements'>,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly policyEnd: Pick<PolicyService, 'endByDeathBenefit'>,
  ) {}

  /**
   * Sends one beneficiary's part for payment (back-office only): the capital and the late interest owed to
   * today, to an account in the beneficiary's name. 409 when their file is not complete, when they are not
   * of the rank that takes the capital, or when a payment of theirs is on its way or made.
   */
  async pay({ viewer, requestId }: Acting, claimId: string, input: ClaimPaymentInput): Promise<DeathClaimPayment> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const checked = checkIban(input.iban);
    const holder = input.holderName.trim();
    const problems: Array<{ field: string; reason: string }> = [];
    if (!checked.ok) problems.push({ field: 'iban', reason: checked.reason });
    if (holder === '') problems.push({ field: 'holderName', reason: 'REQUIRED_FIELD_MISSING' });
    else if (holder.length > MAX_HOLDER) problems.push({ field: 'holderName', reason: 'TOO_LONG' });
    if (problems.length || !checked.ok) throw invalidFields(problems);
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const claim = await this.claims.claim(claimId, tx);
      if (!claim) throw notFound('death_claim');
      await this.store.lockClaim(tx, claim.id);
      const lines = (await this.beneficiaries.ofClaims(tx, [claim.id])).get(claim.id) ?? [];
      const line = checkPayable(lines, input.beneficiaryId);
      // Every payout goes to an account its owner holds: the holder must be the beneficiary, named as on their file.
      if (!holderNameMatches(holder, { firstName: line.firstName ?? '', lastName: line.lastName ?? '' })) {
        throw new AppError('unprocessable_content', 'HOLDER_NOT_BENEFICIARY', { field: 'holderName' });
      }
      const existing = (await this.store.ofClaims([claim.id], tx)).find((p) => p.beneficiaryId === line.id && p.status !== 'rejected');
      if (existing) throw new AppError('conflict', existing.status === 'paid' ? 'BENEFICIARY_ALREADY_PAID' : 'BENEFICIARY_PAYMENT_UNDER_WAY');
      // The account is the one of the RIB back-office accepted in their file (the latest accepted).
      if ((await this.beneficiaries.acceptedRibIban(tx, line.id)) !== checked.iban) throw new AppError('unprocessable_content', 'IBAN_NOT_ACCEPTED_RIB', { field: 'iban' });
      const capital = capitalParts(claim.valueAmount, lines).get(line.id) ?? 0;
      if (capital <= 0) throw new AppError('conflict', 'NOTHING_TO_PAY');
      const today = parisDate(now);
      const dueDate = paymentDueDate(parisDate(line.fileCompletedAt!));
      const interest = lateInterest(capital, dueDate, today, await this.store.rates(tx), BENEFICIARY_RATE);
      const payment: DeathClaimPayment = {
        id: newUuid(), claimId: claim.id, policyId: claim.policyId, beneficiaryId: line.id, status: 'sent', capitalAmount: capital, interestAmount: interest.amount,
        currency: claim.valueCurrency, iban: checked.iban, holderName: holder, fileCompletedAt: line.fileCompletedAt!, dueDate, interestTo: today,
        daysLate: interest.daysLate, interestSegments: interest.segments, rateCategory: BENEFICIARY_RATE, sentByKind: viewer.kind, sentById: viewer.id, requestId,
        sentAt: now, paidAt: null, rejectedAt: null, rejectionReason: null,
      };
      await this.store.insert(tx, payment);
      await this.audit.record(tx, {
        actor: viewer, action: 'death_claim.payment_sent', target: { type: 'death_claim', id: claim.id }, requestId,
        details: { paymentId: payment.id, beneficiaryId: line.id, capitalAmount: capital, interestAmount: interest.amount, currency: payment.currency, dueDate, daysLate: interest.daysLate, iban: maskIban(checked.iban) },
      });
      return payment;
    });
  }

  /**
   * The payment provider's outcome (`payments` webhook), in the webhook's transaction: the inbox records
   * each webhook id once and only a `sent` payment moves, so a replayed or late event changes nothing and
   * the ledger gets its movements exactly once.
   */
  async apply(tx: Queryable, outcome: ClaimPaymentOutcome, event: WebhookEvent): Promise<void> {
    const { paymentId, reason } = parseClaimPaymentEvent(event.data, outcome);
    const found = await this.store.byId(paymentId, tx);
    if (!found) throw new AppError('unprocessable_content', 'UNKNOWN_DEATH_CLAIM_PAYMENT', { field: 'data.payment_id' });
    await this.store.lockClaim(tx, found.claimId);
    const now = this.clock.now();
    if (!(await this.store.settle(tx, found.id, { status: outcome, at: now, reason }))) return;
    const claim = (await this.claims.claim(found.claimId, tx))!;
    if (outcome === 'paid') {
      const base = { policyId: found.policyId, compartmentId: null, currency: found.currency, causeType: 'death_claim_payment' as const, causeId: found.id, at: now };
      const movements = [movement('death_benefit_payout', found.capitalAmount, base)];
      if (found.interestAmount > 0) movements.push(movement('late_interest', found.interestAmount, base));
      await this.policies.appendMovements(tx, movements);
    }
    await this.audit.record(tx, {
      actor: { kind: 'system', id: event.source }, action: `death_claim.payment_${outcome}`, target: { type: 'death_claim', id: found.claimId }, requestId: null,
      details: { webhookId: event.id, paymentId: found.id, beneficiaryId: found.beneficiaryId, capitalAmount: found.capitalAmount, interestAmount: found.interestAmount, rejectionReason: reason },
    });
    if (outcome === 'paid') {
      await this.events.publish(tx, { type: 'death_claim.paid', distributorId: claim.distributorId, resource: { claimId: found.claimId, paymentId: found.id } }, now);
      await this.closeIfSettled(tx, claim, event, now);
    }
    const payload = {
      claimId: found.claimId, policyId: found.policyId, paymentId: found.id, capital: formatMoney(found.capitalAmount, found.currency),
      interest: formatMoney(found.interestAmount, found.currency), total: formatMoney(found.capitalAmount + found.interestAmount, found.currency),
      daysLate: found.daysLate, iban: maskIban(found.iban), rejectionReason: reason,
    };
    const sender = { kind: found.sentByKind, id: found.sentById };
    const mail = outcome === 'paid' ? { template: 'death_claim_paid' } : { template: 'death_claim_payment_rejected' };
    for (const recipient of await this.claims.claimDeskOf(tx, claim.distributorId, sender)) {
      await this.outbox.enqueue(tx, { recipientUserId: recipient, channel: 'email', ...mail, payload }, now);
    }
  }

  /**
   * The last part paid closes the claim and ends its policy, in the paying webhook's transaction (the
   * claim's row is locked). A beneficiary still searched for, a clause to identify or a rejected payment
   * not sent again keeps it open.
   */
  private async closeIfSettled(tx: Queryable, claim: OwnedDeathClaim, event: WebhookEvent, now: Date): Promise<void> {
    const lines = (await this.beneficiaries.ofClaims(tx, [claim.id])).get(claim.id) ?? [];
    const payments = await this.store.ofClaims([claim.id], tx);
    if (!everyPartPaid(claim.valueAmount, lines, payments)) return;
    if (!(await this.claims.close(tx, claim.id, now))) return;
    const actor = { kind: 'system' as const, id: event.source };
    await this.policyEnd.endByDeathBenefit(tx, { policyId: claim.policyId, claimId: claim.id, by: actor });
    const paid = payments.filter((p) => p.status === 'paid');
    await this.audit.record(tx, {
      actor, action: 'death_claim.closed', target: { type: 'death_claim', id: claim.id }, requestId: null,
      details: {
        webhookId: event.id, policyId: claim.policyId, policyStatus: 'closed', paymentIds: paid.map((p) => p.id),
        capitalAmount: paid.reduce((sum, p) => sum + p.capitalAmount, 0), interestAmount: paid.reduce((sum, p) => sum + p.interestAmount, 0), currency: claim.valueCurrency,
      },
    });
    await this.events.publish(tx, { type: 'death_claim.closed', distributorId: claim.distributorId, resource: { claimId: claim.id } }, now);
  }

  /** A claim's payments: back-office, or a broker / partner platform of the insured's distributor. */
  async payments(viewer: Viewer, claimId: string): Promise<DeathClaimPayment[]> {
    const claim = await this.reachableClaim(viewer, claimId);
    return this.store.ofClaims([claim.id]);
  }

  async payment(viewer: Viewer, claimId: string, paymentId: string): Promise<DeathClaimPayment> {
    const claim = await this.reachableClaim(viewer, claimId);
    const payment = await this.store.byId(paymentId);
    if (!payment || payment.claimId !== claim.id) throw notFound('death_claim_payment');
    return payment;
  }

  /**
   * Claims still open (some beneficiary to pay), with their clocks as of today: all for back-office, the
   * distributor's customers' for a broker or partner platform, never a subscriber. `overdue`: only those
   * with a beneficiary past the due date and not paid.
   */
  async openClaims(viewer: Viewer, opts: { overdue: boolean }, first: number, after: string | null): Promise<ClaimClocksPage> {
    if (viewer.kind === 'subscriber') throw insufficientRoles();
    checkPageSize(first);
    const start = after === null ? null : decodeCursor(after, 1)[0];
    if (viewer.kind !== 'backoffice' && viewer.distributorId === null) return { rows: [], hasNextPage: false };
    const scope = viewer.kind === 'backoffice' ? {} : { distributorId: viewer.distributorId! };
    const now = this.clock.now();
    const ids = await this.store.openClaimIds(scope, { overdue: opts.overdue, today: parisDate(now) }, first, start);
    const page = ids.slice(0, first);
    const [lines, payments, rates] = await Promise.all([this.beneficiaries.ofClaims(this.db, page), this.store.ofClaims(page), this.store.rates()]);
    const rows: ClaimWithClocks[] = [];
    for (const id of page) {
      const claim = (await this.claims.claim(id))!;
      rows.push({ claim, clocks: claimClocks(claim.valueAmount, lines.get(id) ?? [], payments.filter((p) => p.claimId === id), rates, now) });
    }
    return { rows, hasNextPage: ids.length > first };
  }

  /** The clocks of one claim (the `clocks` field of a claim). */
  async clocksOf(claim: OwnedDeathClaim): Promise<ClaimClocks> {
    const [lines, payments, rates] = await Promise.all([this.beneficiaries.ofClaims(this.db, [claim.id]), this.store.ofClaims([claim.id]), this.store.rates()]);
    return claimClocks(claim.valueAmount, lines.get(claim.id) ?? [], payments, rates, this.clock.now());
  }

  static cursorOf(row: ClaimWithClocks): string {
    return encodeCursor([row.claim.id]);
  }

  /** The legal interest rates loaded (back-office). */
  async rates(viewer: Viewer): Promise<LegalInterestRate[]> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    return this.store.rates();
  }

  /**
   * Loads one half-year's legal rate (back-office), as the arrêté publishes it: a half-year (1 January or
   * 1 July to the end of June or December) not yet loaded for that category. 409 when it is.
   */
  async addRate({ viewer, requestId }: Acting, input: LegalInterestRate & { source: string }): Promise<LegalInterestRate> {
    if (viewer.kind !== 'backoffice') throw insufficientRoles();
    const problems: Array<{ field: string; reason: string }> = [];
    if (!(LEGAL_RATE_CATEGORIES as readonly string[]).includes(input.category)) problems.push({ field: 'category', reason: 'LEGAL_RATE_CATEGORY_UNKNOWN' });
    const halfYearEnd = HALF_YEAR_END[input.validFrom.slice(5)];
    if (halfYearEnd === undefined) problems.push({ field: 'validFrom', reason: 'NOT_A_HALF_YEAR_START' });
    else if (input.validTo !== `${input.validFrom.slice(0, 4)}-${halfYearEnd}`) problems.push({ field: 'validTo', reason: 'NOT_THE_HALF_YEAR_END' });
    if (!Number.isInteger(input.rateBasisPoints) || input.rateBasisPoints < 0 || input.rateBasisPoints > 10_000) problems.push({ field: 'rateBasisPoints', reason: 'RATE_OUT_OF_RANGE' });
    const source = input.source.trim();
    if (source === '') problems.push({ field: 'source', reason: 'REQUIRED_FIELD_MISSING' });
    else if (source.length > MAX_SOURCE) problems.push({ field: 'source', reason: 'TOO_LONG' });
    if (problems.length) throw invalidFields(problems);
    const now = this.clock.now();
    const rate: LegalInterestRate = { category: input.category, validFrom: input.validFrom, validTo: input.validTo, rateBasisPoints: input.rateBasisPoints };
    return this.db.transaction(async (tx) => {
      if (!(await this.store.addRate(tx, { ...rate, source, loadedByKind: viewer.kind, loadedById: viewer.id, loadedAt: now }))) throw new AppError('conflict', 'LEGAL_RATE_ALREADY_LOADED');
      await this.audit.record(tx, { actor: viewer, action: 'legal_interest_rate.loaded', target: { type: 'legal_interest_rate', id: `${rate.category}:${rate.validFrom}` }, requestId, details: { ...rate, source } });
      return rate;
    });
  }

  private async reachableClaim(viewer: Viewer, claimId: string): Promise<OwnedDeathClaim> {
    if (viewer.kind === 'subscriber') throw insufficientRoles();
    const claim = await this.claims.claim(claimId);
    if (!claim || !canReachSubscriber(viewer, claim)) throw notFound('death_claim');
    return claim;
  }
}

/** The two half-years of the arrêtés: their first day (MM-DD) and last day. */
const HALF_YEAR_END: Readonly<Record<string, string>> = { '01-01': '06-30', '07-01': '12-31' };
