import { AppError, invalidFields } from '../../errors/app-error';
import type { Db, Queryable } from '../../store/db';
import type { PolicyStore } from '../../store/policy-store';
import type { PremiumStore, RequestChange } from '../../store/premium-store';
import type { Viewer } from '../auth/viewer';
import type { PolicyService } from '../policy/policy-service';
import type { Actor, AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import { maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { premiumAmount, type PremiumAmount } from './premium-amount';
import type { FundingInput, PremiumFunding } from './premium-funding';
import { presentRequest, unsettledAttempt, type PremiumMethod, type SinglePremiumRequest } from './single-premium';
import { needsFundsOriginProof } from './single-premium-rules';


/** What a client sends to request a single premium. */
export interface SinglePremiumInput extends FundingInput {
  method: PremiumMethod;
  /** `value` x 10^-`scale` units of `currency`; without `scale`, `value` is in minor units (cents). */
  amount: PremiumAmount;
}

type Who = { actor: Actor; requestId: string | null };

const requestNotFound = () => notFound('single_premium_request');

/**
 * Single premiums (README, "Premiums and payers"): a payer of the policy's subscriber pays an amount
 * into the policy by SEPA direct debit from one of the payer's IBANs. Whoever reaches the policy (the
 * subscriber, their distributor's brokers and partner platform, back-office) requests and cancels one;
 * the product's minimum applies, and above its anti-money-laundering threshold the request waits for an
 * accepted proof of the origin of funds before it may be collected. A request can be cancelled until
 * it is collected.
 */
export class SinglePremiumService {
  constructor(
    private readonly db: Db,
    private readonly store: PremiumStore,
    private readonly policies: PolicyService,
    private readonly policyStore: Pick<PolicyStore, 'policy'>,
    private readonly funding: PremiumFunding,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async request({ viewer, requestId }: Acting, input: SinglePremiumInput): Promise<SinglePremiumRequest> {
    // Positive, exact and within the limit: 400 naming amount.value, amount.scale or amount.currency otherwise.
    const { amount, currency } = premiumAmount(input.amount);
    return this.db.transaction(async (tx) => {
      const { policy, product, payer, iban, allocation } = await this.funding.resolve(tx, viewer, input);
      const terms = await this.store.terms(product.id, tx);
      if (!terms) throw new AppError('unprocessable_content', 'SINGLE_PREMIUM_NOT_OFFERED', { field: 'policyId' });
      if (currency !== product.currency) throw invalidFields([{ field: 'amount.currency', reason: 'CURRENCY_NOT_ACCEPTED' }]);
      if (amount < terms.minSinglePremium) throw new AppError('unprocessable_content', 'SINGLE_PREMIUM_BELOW_PRODUCT_MINIMUM', { field: 'amount.value' });

      const now = this.clock.now();
      const proof = needsFundsOriginProof(amount, terms);
      const request: SinglePremiumRequest = {
        id: newUuid(), policyId: policy.id, payerId: payer.id, method: input.method, amount, currency, iban: iban.iban, holderName: iban.holderName, allocation,
        status: proof ? 'awaiting_funds_origin_proof' : 'pending_collection', fundsOriginProofRequired: proof, createdByKind: viewer.kind, createdById: viewer.id,
        createdAt: now, updatedAt: now, cancelledAt: null, ...unsettledAttempt(), dueDate: null,
      };
      await this.store.insert(tx, request);
      await this.audit.record(tx, {
        actor: viewer, action: 'single_premium.requested', target: { type: 'single_premium_request', id: request.id }, requestId,
        details: { policyId: policy.id, payerId: payer.id, relationship: payer.relationship, amount, currency, iban: maskIban(iban.iban), status: request.status },
      });
      return presentRequest(request, viewer);
    });
  }

  /** One request of a policy the viewer reaches; 404 otherwise. */
  async get(viewer: Viewer, id: string): Promise<SinglePremiumRequest> {
    const request = await this.store.request(id);
    if (!request) throw requestNotFound();
    await this.reach(this.db, viewer, request);
    return presentRequest(request, viewer);
  }

  /** The requests of a policy the viewer reaches, oldest first. */
  async ofPolicy(viewer: Viewer, policyId: string): Promise<SinglePremiumRequest[]> {
    const policy = await this.policies.policy(viewer, policyId);
    return (await this.store.ofPolicies([policy.id])).map((r) => presentRequest(r, viewer));
  }

  /**
   * Cancels a request that has not been submitted to the bank (200, also when it already was cancelled:
   * nothing more is recorded; one in an open SEPA batch leaves it when the batch closes); a submitted or
   * collected one is 409.
   */
  async cancel({ viewer, requestId }: Acting, id: string): Promise<SinglePremiumRequest> {
    return this.db.transaction(async (tx) => {
      const request = await this.store.request(id, tx, { forUpdate: true });
      if (!request) throw requestNotFound();
      await this.reach(tx, viewer, request);
      if (request.status === 'cancelled') return presentRequest(request, viewer);
      if (request.status === 'collected') throw new AppError('conflict', 'SINGLE_PREMIUM_ALREADY_COLLECTED');
      // In a closed SEPA batch the file is at the bank (or on its way); a rejected one is over (its retry, if any, is a request of its own).
      if (request.status === 'submitted') throw new AppError('conflict', 'SINGLE_PREMIUM_ALREADY_SUBMITTED');
      if (request.status === 'rejected') throw new AppError('conflict', 'CANNOT_CANCEL_IN_STATE_REJECTED');
      const now = this.clock.now();
      const change: RequestChange = { status: 'cancelled', updatedAt: now, cancelledAt: now };
      await this.store.update(tx, id, change);
      await this.audit.record(tx, { actor: viewer, action: 'single_premium.cancelled', target: { type: 'single_premium_request', id }, requestId, details: { policyId: request.policyId, previousStatus: request.status } });
      return presentRequest({ ...request, ...change }, viewer);
    });
  }

  /** The evidence hook (funds-origin-proof.ts), in the review's transaction: an accepted proof lets a waiting request be collected. */
  async fundsOriginProofAccepted(tx: Queryable, id: string, by: Who): Promise<void> {
    const request = await this.store.request(id, tx, { forUpdate: true });
    if (!request || request.status !== 'awaiting_funds_origin_proof') return;
    await this.store.update(tx, id, { status: 'pending_collection', updatedAt: this.clock.now() });
    await this.audit.record(tx, { ...by, action: 'single_premium.funds_origin_proven', target: { type: 'single_premium_request', id }, details: { policyId: request.policyId } });
  }

  /** The request's subject for the evidence kind: its policy if it belongs to this subscriber. */
  async subjectOf(tx: Queryable, subscriberId: string, id: string): Promise<{ policyId: string } | undefined> {
    const request = await this.store.request(id, tx);
    if (!request) return undefined;
    const policy = await this.policyStore.policy(request.policyId, tx);
    return policy?.subscriberId === subscriberId ? { policyId: policy.id } : undefined;
  }

  /** Someone else's request reads as a missing one (not as a missing policy). */
  private async reach(tx: Queryable, viewer: Viewer, request: SinglePremiumRequest): Promise<void> {
    const policy = await this.policyStore.policy(request.policyId, tx);
    if (!policy || !canReachSubscriber(viewer, policy)) throw requestNotFound();
  }
}
