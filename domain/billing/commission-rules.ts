import { basisPointsOf } from '../shared/basis-points';
import { newUuid } from '../shared/ids';
import type { CommissionLine, CommissionStatement } from './commission-statement';

/** A line as the billing run computes it, before it is numbered into a statement. */
export interface CommissionLineInput {
  policyId: string;
  /** The policy as the statement prints it (subscriber and product). */
  policyLabel: string;
  /** Premiums received on the policy in the period, minor units. */
  premium: number;
  /** 1 basis point = 0.01 %. */
  rateBasisPoints: number;
}

/**
 * What a statement pays, spelled as the public docs spell it (REST `type`); GraphQL, whose enum values
 * cannot hold '-', names `business-commission` `business_commission`.
 */
export const COMMISSION_TYPES = ['inducement', 'business-commission'] as const;
export type CommissionType = (typeof COMMISSION_TYPES)[number];

export function isCommissionType(value: string): value is CommissionType {
  return (COMMISSION_TYPES as readonly string[]).includes(value);
}

export interface IssuedStatement {
  statement: Omit<CommissionStatement, 'lineCount'>;
  lines: Array<Omit<CommissionLine, 'statementId'>>;
}

/**
 * Commission on a premium, rounded half up to the minor unit. Exact integers through BigInt, because
 * premium x rate can pass 2^53 for large premiums (money is never a float, docs/DOMAIN.md).
 */
export function commissionOf(premium: number, rateBasisPoints: number): number {
  // Half away from zero, so a clawback (negative premium) mirrors the commission it reverses.
  return basisPointsOf(premium, rateBasisPoints);
}

/** A statement with its numbered lines and totals, each commission computed from its premium and rate. */
export function issueStatement(brokerId: string, period: string, currency: string, issuedAt: Date, inputs: readonly CommissionLineInput[], type: CommissionType = 'business-commission'): IssuedStatement {
  const lines = inputs.map((line, index) => ({
    lineNo: index + 1,
    policyId: line.policyId,
    policyLabel: line.policyLabel,
    premium: line.premium,
    rateBasisPoints: line.rateBasisPoints,
    commission: commissionOf(line.premium, line.rateBasisPoints),
  }));
  return {
    statement: {
      id: newUuid(),
      brokerId,
      type,
      period,
      currency,
      premiumTotal: lines.reduce((sum, l) => sum + l.premium, 0),
      commissionTotal: lines.reduce((sum, l) => sum + l.commission, 0),
      issuedAt,
    },
    lines,
  };
}
