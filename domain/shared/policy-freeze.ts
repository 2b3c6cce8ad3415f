import { AppError } from '../../errors/app-error';
import type { Queryable } from '../../store/db';

/**
 * The one check every act that changes a policy's money or beneficiaries makes (surrender, switch,
 * premium, designation): a policy under a death claim is frozen from the notice on. Called inside the
 * act's transaction, after the policy is reached (so a stranger still gets 404, not 409).
 */
export interface PolicyFreeze {
  /** 409 `conflict` POLICY_UNDER_DEATH_CLAIM when the policy has a death claim. */
  assertNotFrozen(tx: Queryable, policyId: string): Promise<void>;
}

export const policyUnderDeathClaim = (): AppError => new AppError('conflict', 'POLICY_UNDER_DEATH_CLAIM');
