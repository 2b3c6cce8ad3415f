import type { Viewer } from '../auth/viewer';
import { seesFullIban } from '../shared/access';
import { maskIban } from '../shared/iban';

/** `collection`: a pain.008 file of SEPA Core direct debits; `payout`: a pain.001 file of credit transfers. */
export type SepaBatchKind = 'collection' | 'payout';
/** Open: runs add entries to it. Closed: no more entries; its file is what goes to the bank. */
export type SepaBatchStatus = 'open' | 'closed';
/** What an entry collects or pays. */
export type SepaSourceKind = 'single_premium_request' | 'scheduled_premium_collection' | 'surrender_declaration' | 'withdrawal_refund' | 'death_claim_payment';
/** FRST: the first collection under a mandate; RCUR: the following ones. */
export type SepaSequenceType = 'FRST' | 'RCUR';

/** A payer's SEPA Core direct-debit mandate for one IBAN. */
export interface SepaMandate {
  id: string;
  payerId: string;
  /** Unique mandate reference (UMR): at most 35 characters of the SEPA set. */
  reference: string;
  /** Electronic format; masked for brokers and partners. */
  iban: string;
  debtorName: string;
  /** The creditor identifier (ICS) the mandate was given to. */
  creditorId: string;
  /** YYYY-MM-DD. */
  signatureDate: string;
  /** The sequence type of the next collection under it. */
  nextSequenceType: SepaSequenceType;
  createdAt: Date;
}

export interface SepaBatch {
  id: string;
  kind: SepaBatchKind;
  /** YYYY-MM-DD: requested collection date (pain.008) or execution date (pain.001). */
  requestedDate: string;
  status: SepaBatchStatus;
  /** The ISO 20022 message id of its file. */
  messageId: string;
  /** Entries and their sum (minor units): so far while open, final once closed. */
  entryCount: number;
  controlSum: number;
  currency: string;
  createdAt: Date;
  closedAt: Date | null;
  closedByKind: string | null;
  closedById: string | null;
}

/** One collection or pay-out of a batch. */
export interface SepaBatchEntry {
  id: string;
  batchId: string;
  sourceKind: SepaSourceKind;
  sourceId: string;
  policyId: string | null;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** The debtor's (collection) or the beneficiary's (pay-out) account, electronic format. */
  iban: string;
  partyName: string;
  mandateId: string | null;
  mandateReference: string | null;
  /** YYYY-MM-DD. */
  mandateSignatureDate: string | null;
  sequenceType: SepaSequenceType | null;
  endToEndId: string;
  remittance: string;
  createdAt: Date;
}

/** A collection a run may put into a pain.008 batch, read with its source row locked. */
export interface DueDebit {
  sourceKind: 'single_premium_request' | 'scheduled_premium_collection';
  sourceId: string;
  policyId: string;
  payerId: string;
  amount: number;
  currency: string;
  iban: string;
  debtorName: string;
  /** Not collected before (YYYY-MM-DD): a scheduled collection's due date, a retry's date; otherwise none. */
  dueDate: string | null;
  /** The product's pre-notification period in calendar days (14 without premium terms). */
  preNotificationDays: number;
  /** The subscriber's login: the pre-notification goes to them when the payer gave no address. */
  recipientUserId: string | null;
  /** The payer's own address (a payer who is not the subscriber), where the pre-notification goes. */
  payerEmail: string | null;
}

/** A pay-out a run may put into a pain.001 batch. */
export interface DuePayout {
  sourceKind: 'surrender_declaration' | 'withdrawal_refund' | 'death_claim_payment';
  sourceId: string;
  policyId: string | null;
  amount: number;
  currency: string;
  iban: string;
  creditorName: string;
  /** A death claim payment's claim, and whether late interest is paid with the capital. */
  claimId?: string;
  withInterest?: boolean;
}

export const presentMandate = (mandate: SepaMandate, viewer: Viewer): SepaMandate => (seesFullIban(viewer) ? mandate : { ...mandate, iban: maskIban(mandate.iban) });
