import { AppError, invalidFields } from '../../errors/app-error';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Queryable } from '../../store/db';
import type { PolicyStore } from '../../store/policy-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { OwnedPolicy, PolicyService } from '../policy/policy-service';
import type { Product } from '../subscription/catalogue';
import { findPayerIban, type Payer, type PayerIbanRecord } from './payer';
import { payerNotFound, type PayerService } from './payer-service';
import type { PremiumAllocationLine } from './single-premium';
import type { PolicyFreeze } from '../shared/policy-freeze';
import { checkAllocation, takesPremiums } from './single-premium-rules';

/** Who pays into which policy, from which IBAN, into what: what a premium request or schedule names. */
export interface FundingInput {
  policyId: string;
  payerId: string;
  /** One of the payer's IBANs (electronic or print format, or its id); the payer's default when absent. */
  iban?: string | null;
  /** Absent: the policy's current allocation, into the compartment that takes premiums. */
  allocation?: PremiumAllocationLine[] | null;
}

/** The checked answer: every part found, reachable and fit to take a premium. */
export interface Funding {
  policy: OwnedPolicy;
  product: Product;
  payer: Payer;
  iban: PayerIbanRecord;
  allocation: PremiumAllocationLine[];
}

/**
 * The checks single and scheduled premiums share, inside the caller's transaction: the policy is the
 * viewer's to reach (404) and active (409); the payer is one of its subscriber's (404 payer_not_found,
 * whether missing or another's); the IBAN is one of the payer's; the allocation fits the policy and
 * product, or is the policy's own.
 */
export class PremiumFunding {
  constructor(
    private readonly policies: PolicyService,
    private readonly policyStore: Pick<PolicyStore, 'compartments' | 'lock'>,
    private readonly subscriptions: Pick<SubscriptionStore, 'subscription'>,
    private readonly catalogue: CatalogueStore,
    private readonly payers: PayerService,
    private readonly freeze: PolicyFreeze,
  ) {}

  /**
   * 409 POLICY_UNDER_DEATH_CLAIM: no premium act on a policy whose insured died. The policy row is locked
   * first (as a surrender and a notice of death lock it): a notice being recorded lands wholly before the
   * act (refused here) or after it (and stops what it left pending).
   */
  async notFrozen(tx: Queryable, policyId: string): Promise<string | undefined> {
    const status = await this.lockPolicy(tx, policyId);
    await this.freeze.assertNotFrozen(tx, policyId);
    return status;
  }

  /**
   * Locks the policy row and answers its status as locked: whoever also locks a row of the policy (a
   * schedule) takes this one first, as a notice does.
   */
  async lockPolicy(tx: Queryable, policyId: string): Promise<string | undefined> {
    return this.policyStore.lock(tx, policyId);
  }

  /** The policy the viewer reaches, active (a premium goes into a live contract only). */
  async activePolicy(tx: Queryable, viewer: Viewer, policyId: string): Promise<OwnedPolicy> {
    // Locked as it is read: the status checked is the one the premium acts on.
    const policy = await this.policies.lockedPolicy(viewer, policyId, tx);
    await this.freeze.assertNotFrozen(tx, policy.id);
    if (policy.status !== 'active') throw new AppError('conflict', `CANNOT_PAY_PREMIUM_IN_POLICY_STATE_${policy.status.toUpperCase()}`);
    return policy;
  }

  async resolve(tx: Queryable, viewer: Viewer, input: FundingInput): Promise<Funding> {
    const policy = await this.policies.policy(viewer, input.policyId, tx);
    const { payer, ibans } = await this.payers.forPremium(tx, viewer, input.payerId, 'payerId');
    // A payer of another subscriber is not one of this policy's payers: the same 404 as no payer at all.
    if (payer.subscriberId !== policy.subscriberId) throw payerNotFound('payerId');
    // The status as locked, not as first read: a payment closing the policy meanwhile has committed by now.
    const status = (await this.notFrozen(tx, policy.id)) ?? policy.status;
    if (status !== 'active') throw new AppError('conflict', `CANNOT_PAY_PREMIUM_IN_POLICY_STATE_${status.toUpperCase()}`);
    const product = (await this.catalogue.product(policy.productId, tx))!;

    const iban = input.iban ? findPayerIban(ibans, input.iban) : ibans.find((row) => row.isDefault);
    if (!iban) throw new AppError('unprocessable_content', input.iban ? 'IBAN_NOT_A_PAYER_IBAN' : 'PAYER_HAS_NO_IBAN', { field: 'iban' });

    const compartments = await this.policyStore.compartments([policy.id], tx);
    if (input.allocation) {
      const offered = new Set((await this.catalogue.fundsOf([product.id], tx)).map((f) => f.isin));
      const problems = checkAllocation(input.allocation, compartments, product.kind, offered);
      if (problems.length) throw invalidFields(problems);
      return { policy, product, payer, iban, allocation: input.allocation.map((l) => ({ compartmentId: l.compartmentId, isin: l.isin, basisPoints: l.basisPoints })) };
    }
    // The policy's current allocation is the one signed at subscription; it goes to the compartment that takes premiums.
    const target = compartments.find((c) => takesPremiums(product.kind, c));
    if (!target) throw new AppError('unprocessable_content', 'NO_COMPARTMENT_TAKES_PREMIUMS', { field: 'allocation' });
    const subscription = (await this.subscriptions.subscription(policy.subscriptionId, tx))!;
    return { policy, product, payer, iban, allocation: subscription.allocation.map((l) => ({ compartmentId: target.id, isin: l.isin, basisPoints: l.basisPoints })) };
  }
}
