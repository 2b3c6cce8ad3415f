import type { Queryable } from '../../store/db';
import type { Acting } from '../shared/acting';

/** Signed papers about a beneficiary, uploaded as evidence attached to the policy (subject = policy id). */
export type BeneficiaryDocumentKind = 'acceptance_endorsement' | 'beneficiary_consent';

/** What death settlement reads of such a document; `item` names the beneficiary it is about. */
export interface PolicyDocument {
  id: string;
  item: string | null;
  status: 'received' | 'accepted' | 'refused';
}

/** The evidence facility as death settlement uses it (wired in app.ts), inside the caller's transaction. */
export interface PolicyDocuments {
  ofPolicy(tx: Queryable, kind: BeneficiaryDocumentKind, policyId: string): Promise<PolicyDocument[]>;
  /** Accepts a `received` document as part of the caller's act (back-office recording an acceptance). */
  accept(tx: Queryable, acting: Acting, id: string): Promise<void>;
}
