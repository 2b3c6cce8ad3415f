import type { CommissionType } from './commission-rules';

/** A broker's issued statement for one month; amounts in minor units of `currency`. */
export interface CommissionStatement {
  id: string;
  brokerId: string;
  type: CommissionType;
  /** YYYY-MM. */
  period: string;
  currency: string;
  premiumTotal: number;
  commissionTotal: number;
  issuedAt: Date;
  lineCount: number;
}

/** One policy's line on a statement; its currency is the statement's. */
export interface CommissionLine {
  statementId: string;
  lineNo: number;
  policyId: string;
  policyLabel: string;
  premium: number;
  /** 1 basis point = 0.01 %. */
  rateBasisPoints: number;
  commission: number;
}

/** The broker a statement belongs to, as printed on it. */
export interface StatementBroker {
  id: string;
  email: string;
  distributorId: string | null;
  distributorName: string | null;
}
