import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { SepaBatch, SepaBatchEntry, SepaSequenceType } from './sepa-batch';
import { decimalAmount, sepaText } from './sepa-identifiers';

/** Us, as the files name us: creditor of the direct debits, debtor of the pay-outs. */
export interface SepaParty {
  creditorId: string;
  name: string;
  iban: string;
  bic: string | null;
}

export const PAIN_008 = 'urn:iso:std:iso:20022:tech:xsd:pain.008.001.02';
export const PAIN_001 = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03';

/** ISO 20022 ISODateTime, to the second, UTC. */
const isoDateTime = (at: Date) => at.toISOString().slice(0, 19);

const sum = (entries: readonly SepaBatchEntry[]) => entries.reduce((total, e) => total + BigInt(e.amount), 0n);

/** A bank of ours by its BIC, or NOTPROVIDED: IBAN-only SEPA payments need no BIC. */
function agent(parent: XMLBuilder, name: string, bic: string | null): void {
  const institution = parent.ele(name).ele('FinInstnId');
  if (bic) institution.ele('BIC').txt(bic);
  else institution.ele('Othr').ele('Id').txt('NOTPROVIDED');
}

function groupHeader(root: XMLBuilder, batch: SepaBatch, entries: readonly SepaBatchEntry[], us: SepaParty, createdAt: Date): void {
  const header = root.ele('GrpHdr');
  header.ele('MsgId').txt(batch.messageId);
  header.ele('CreDtTm').txt(isoDateTime(createdAt));
  header.ele('NbOfTxs').txt(String(entries.length));
  header.ele('CtrlSum').txt(decimalAmount(sum(entries)));
  header.ele('InitgPty').ele('Nm').txt(sepaText(us.name, 70));
}

/**
 * A closed collection batch as a pain.008.001.02 file (SEPA Core direct debits): one payment
 * information block per sequence type (FRST first, then RCUR), all on the batch's requested date.
 * Amounts are written from integer minor units as decimal text, never through a float.
 */
export function pain008(batch: SepaBatch, entries: readonly SepaBatchEntry[], us: SepaParty, createdAt: Date): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(PAIN_008, 'Document').ele('CstmrDrctDbtInitn');
  groupHeader(root, batch, entries, us, createdAt);
  for (const sequenceType of ['FRST', 'RCUR'] as const satisfies readonly SepaSequenceType[]) {
    const block = entries.filter((e) => e.sequenceType === sequenceType);
    if (block.length === 0) continue;
    const info = root.ele('PmtInf');
    info.ele('PmtInfId').txt(`${batch.messageId}-${sequenceType}`);
    info.ele('PmtMtd').txt('DD');
    info.ele('NbOfTxs').txt(String(block.length));
    info.ele('CtrlSum').txt(decimalAmount(sum(block)));
    const type = info.ele('PmtTpInf');
    type.ele('SvcLvl').ele('Cd').txt('SEPA');
    type.ele('LclInstrm').ele('Cd').txt('CORE');
    type.ele('SeqTp').txt(sequenceType);
    info.ele('ReqdColltnDt').txt(batch.requestedDate);
    info.ele('Cdtr').ele('Nm').txt(sepaText(us.name, 70));
    info.ele('CdtrAcct').ele('Id').ele('IBAN').txt(us.iban);
    agent(info, 'CdtrAgt', us.bic);
    info.ele('ChrgBr').txt('SLEV');
    const scheme = info.ele('CdtrSchmeId').ele('Id').ele('PrvtId').ele('Othr');
    scheme.ele('Id').txt(us.creditorId);
    scheme.ele('SchmeNm').ele('Prtry').txt('SEPA');
    for (const entry of block) {
      const tx = info.ele('DrctDbtTxInf');
      tx.ele('PmtId').ele('EndToEndId').txt(entry.endToEndId);
      tx.ele('InstdAmt', { Ccy: entry.currency }).txt(decimalAmount(entry.amount));
      const mandate = tx.ele('DrctDbtTx').ele('MndtRltdInf');
      mandate.ele('MndtId').txt(entry.mandateReference ?? '');
      mandate.ele('DtOfSgntr').txt(entry.mandateSignatureDate ?? '');
      agent(tx, 'DbtrAgt', null);
      tx.ele('Dbtr').ele('Nm').txt(sepaText(entry.partyName, 70));
      tx.ele('DbtrAcct').ele('Id').ele('IBAN').txt(entry.iban);
      tx.ele('RmtInf').ele('Ustrd').txt(sepaText(entry.remittance, 140));
    }
  }
  return root.end({ prettyPrint: true });
}

/** A closed pay-out batch as a pain.001.001.03 file (SEPA credit transfers) from our account. */
export function pain001(batch: SepaBatch, entries: readonly SepaBatchEntry[], us: SepaParty, createdAt: Date): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(PAIN_001, 'Document').ele('CstmrCdtTrfInitn');
  groupHeader(root, batch, entries, us, createdAt);
  const info = root.ele('PmtInf');
  info.ele('PmtInfId').txt(`${batch.messageId}-TRF`);
  info.ele('PmtMtd').txt('TRF');
  info.ele('NbOfTxs').txt(String(entries.length));
  info.ele('CtrlSum').txt(decimalAmount(sum(entries)));
  info.ele('PmtTpInf').ele('SvcLvl').ele('Cd').txt('SEPA');
  info.ele('ReqdExctnDt').txt(batch.requestedDate);
  info.ele('Dbtr').ele('Nm').txt(sepaText(us.name, 70));
  info.ele('DbtrAcct').ele('Id').ele('IBAN').txt(us.iban);
  agent(info, 'DbtrAgt', us.bic);
  info.ele('ChrgBr').txt('SLEV');
  for (const entry of entries) {
    const tx = info.ele('CdtTrfTxInf');
    tx.ele('PmtId').ele('EndToEndId').txt(entry.endToEndId);
    tx.ele('Amt').ele('InstdAmt', { Ccy: entry.currency }).txt(decimalAmount(entry.amount));
    tx.ele('Cdtr').ele('Nm').txt(sepaText(entry.partyName, 70));
    tx.ele('CdtrAcct').ele('Id').ele('IBAN').txt(entry.iban);
    tx.ele('RmtInf').ele('Ustrd').txt(sepaText(entry.remittance, 140));
  }
  return root.end({ prettyPrint: true });
}
