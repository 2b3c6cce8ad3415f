import { AppError, invalidFields } from '../../errors/app-error';

/** One fund's share of a mandate's target allocation, in basis points of the compartment. */
export interface TargetAllocationLine {
  isin: string;
  basisPoints: number;
}

/** An investment profile back-office manages; compartments delegated to it follow its target allocation. */
export interface Mandate {
  id: string;
  name: string;
  /** 1 (prudent) to 7 (dynamic), the funds' SRI scale. */
  riskLevel: number;
  /** Empty until back-office sets it: such a mandate cannot be delegated to. */
  targetAllocation: TargetAllocationLine[];
  createdAt: Date;
  updatedAt: Date;
}

export interface MandateInput {
  name: string;
  riskLevel: number;
}

/** A change of a mandate: only the fields sent. */
export interface MandatePatch {
  name?: string | null;
  riskLevel?: number | null;
}

export const FULL_ALLOCATION = 10_000;

/** The same funds with the same shares, in whatever order. */
export function sameAllocation(a: readonly TargetAllocationLine[], b: readonly TargetAllocationLine[]): boolean {
  const shares = new Map(a.map((l) => [l.isin, l.basisPoints]));
  return a.length === b.length && b.every((l) => shares.get(l.isin) === l.basisPoints);
}

/** The name trimmed and the risk level checked, every bad field at once. */
export function checkMandateInput(input: MandateInput): MandateInput {
  const name = input.name.trim();
  const problems: Array<{ field: string; reason: string }> = [];
  if (name === '' || name.length > 200) problems.push({ field: 'name', reason: 'MANDATE_NAME_REQUIRED' });
  if (!Number.isInteger(input.riskLevel) || input.riskLevel < 1 || input.riskLevel > 7) problems.push({ field: 'riskLevel', reason: 'RISK_LEVEL_OUT_OF_RANGE' });
  if (problems.length) throw invalidFields(problems);
  return { name, riskLevel: input.riskLevel };
}

/**
 * The documented target-allocation rules, in order: each fund once (`duplicate_fund_in_target_allocation`),
 * each share a whole number of basis points from 1 to 10000 (`invalid_target_allocation`),
 * then all of them 10000 (`percentage_target_allocation_is_not_10000_basis_points`). ISINs are checked against the catalogue by the caller.
 */
export function checkTargetAllocation(lines: readonly TargetAllocationLine[]): TargetAllocationLine[] {
  if (lines.length === 0) throw new AppError('percentage_target_allocation_is_not_10000_basis_points', 'TARGET_ALLOCATION_NOT_10000_BASIS_POINTS', { field: 'lines' });
  if (lines.length > 100) throw new AppError('parameter_invalid', 'TOO_MANY_TARGET_ALLOCATION_LINES', { field: 'lines' });
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.isin)) throw new AppError('duplicate_fund_in_target_allocation', 'DUPLICATE_FUND_IN_TARGET_ALLOCATION', { field: `lines[${i}].isin` });
    seen.add(l.isin);
  });
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.basisPoints) || l.basisPoints < 1 || l.basisPoints > FULL_ALLOCATION) {
      throw new AppError('invalid_target_allocation', 'TARGET_ALLOCATION_BASIS_POINTS_OUT_OF_RANGE', { field: `lines[${i}].basisPoints` });
    }
  });
  if (lines.reduce((sum, l) => sum + l.basisPoints, 0) !== FULL_ALLOCATION) throw new AppError('percentage_target_allocation_is_not_10000_basis_points', 'TARGET_ALLOCATION_NOT_10000_BASIS_POINTS', { field: 'lines' });
  return lines.map((l) => ({ isin: l.isin, basisPoints: l.basisPoints }));
}
