/**
 * French wording of the ISO 20022 reason codes a SEPA direct debit is most often rejected or returned
 * with, for the mail the subscriber gets; another code is shown as its code alone.
 */
const LABELS: Record<string, string> = {
  AC01: 'IBAN incorrect',
  AC04: 'compte clôturé',
  AC06: 'compte bloqué',
  AG01: 'prélèvement interdit sur ce compte',
  AM04: 'provision insuffisante',
  MD01: 'pas de mandat valide',
  MD06: 'remboursement demandé par le débiteur',
  MD07: 'titulaire du compte décédé',
  MS02: 'refus du débiteur',
  MS03: 'motif non communiqué par la banque',
  SL01: 'service spécifique de la banque du débiteur',
};

export function rejectionLabel(code: string): string | null {
  return LABELS[code] ?? null;
}
