import type { Compartment } from '../policy/policy';
import type { Problem } from '../pay-out/payout-rules';
import type { PremiumAllocationLine, PremiumTerms } from './single-premium';

const BASIS_POINTS_TOTAL = 10_000;

// Only voluntary payments come from a payer: a PER's C1 (C2 and C3 take employee savings and mandatory
// employer contributions), an assurance-vie's one compartment. Compartments winding down take nothing.
const VOLUNTARY_COMPARTMENTS: Record<'assurance_vie' | 'per', readonly string[]> = { assurance_vie: ['MAIN'], per: ['C1'] };
const TAKES_PAYMENTS = new Set(['open', 'active']);

/** Whether a compartment may receive a payer's premium. */
export function takesPremiums(productKind: 'assurance_vie' | 'per', compartment: Compartment): boolean {
  return VOLUNTARY_COMPARTMENTS[productKind].includes(compartment.code) && TAKES_PAYMENTS.has(compartment.status);
}

/**
 * An allocation a client sends: each line a compartment of the policy that takes premiums and a fund
 * the product offers, listed once, shares of 1 to 10000 basis points adding up to exactly 10000.
 */
export function checkAllocation(lines: readonly PremiumAllocationLine[], compartments: readonly Compartment[], productKind: 'assurance_vie' | 'per', offered: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let total = 0;
  lines.forEach((line, i) => {
    const compartment = compartments.find((c) => c.id === line.compartmentId);
    if (!compartment) problems.push({ field: `allocation.${i}.compartmentId`, reason: 'COMPARTMENT_NOT_IN_POLICY' });
    else if (!takesPremiums(productKind, compartment)) problems.push({ field: `allocation.${i}.compartmentId`, reason: 'COMPARTMENT_TAKES_NO_PREMIUMS' });
    if (!offered.has(line.isin)) problems.push({ field: `allocation.${i}.isin`, reason: 'FUND_NOT_IN_PRODUCT' });
    const key = `${line.compartmentId}\u0000${line.isin}`;
    if (seen.has(key)) problems.push({ field: `allocation.${i}.isin`, reason: 'FUND_LISTED_TWICE' });
    seen.add(key);
    if (!Number.isSafeInteger(line.basisPoints) || line.basisPoints < 1 || line.basisPoints > BASIS_POINTS_TOTAL) problems.push({ field: `allocation.${i}.basisPoints`, reason: 'SHARE_OUT_OF_RANGE' });
    else total += line.basisPoints;
  });
  if (lines.length === 0 || (problems.length === 0 && total !== BASIS_POINTS_TOTAL)) problems.push({ field: 'allocation', reason: 'ALLOCATION_NOT_100_PERCENT' });
  return problems;
}

/** Above the threshold (strictly), the premium waits for a proof of the origin of funds. */
export function needsFundsOriginProof(amount: number, terms: PremiumTerms): boolean {
  return amount > terms.fundsOriginProofThreshold;
}
