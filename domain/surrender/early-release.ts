import { AppError } from '../../errors/app-error';

/**
 * PER early release (déblocage anticipé), Code monétaire et financier L224-4: the only cases in which
 * a PER pays out before retirement. Disability means category 2 or 3 (Code de la sécurité sociale
 * L341-4); the proof is collected with the file, not here.
 */
export const PER_EARLY_RELEASE_CASES = [
  'death_of_spouse_or_pacs_partner',
  'disability_of_holder',
  'disability_of_child',
  'disability_of_spouse_or_pacs_partner',
  'over_indebtedness',
  'end_of_unemployment_rights',
  'end_of_self_employment_after_liquidation',
  'end_of_company_officer_mandate',
  'main_residence_purchase',
] as const;

export type PerEarlyReleaseCase = (typeof PER_EARLY_RELEASE_CASES)[number];

/** Compartments the main-residence case may draw on: voluntary payments (C1) and employee savings (C2), never C3. */
export const MAIN_RESIDENCE_COMPARTMENTS: readonly string[] = ['C1', 'C2'];

/** The early-release case a PER surrender gives, or 422 naming the rule it breaks. */
export function perEarlyReleaseCase(earlyReleaseCase: string | null | undefined): PerEarlyReleaseCase {
  if (earlyReleaseCase === null || earlyReleaseCase === undefined || earlyReleaseCase.trim() === '') throw new AppError('unprocessable_content', 'PER_EARLY_RELEASE_CASE_REQUIRED', { field: 'earlyReleaseCase' });
  const known = PER_EARLY_RELEASE_CASES.find((c) => c === earlyReleaseCase);
  if (!known) throw new AppError('unprocessable_content', 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', { field: 'earlyReleaseCase' });
  return known;
}

/**
 * A main-residence purchase may only take money from C1 and C2: a partial surrender from C3, or a
 * total surrender of a PER with money in C3, is refused (422 `MAIN_RESIDENCE_NOT_FROM_C3`).
 * `sources` are the codes of the compartments the surrender would pay out from.
 */
export function checkEarlyReleaseSources(earlyRelease: PerEarlyReleaseCase, sources: readonly string[]): void {
  if (earlyRelease !== 'main_residence_purchase') return;
  if (sources.some((code) => !MAIN_RESIDENCE_COMPARTMENTS.includes(code))) throw new AppError('unprocessable_content', 'MAIN_RESIDENCE_NOT_FROM_C3', { field: 'earlyReleaseCase' });
}

/** One supporting document an early-release case needs: `item` names it on the upload (evidence `item`). */
export interface RequiredDocument {
  item: string;
  description: string;
}

const DISABILITY_DECISION: RequiredDocument = {
  item: 'disability_decision',
  description: 'Decision of the CDAPH (commission des droits et de l’autonomie des personnes handicapées) or of the social security classing the disability in category 2 or 3',
};
const MARRIAGE_OR_PACS: RequiredDocument = { item: 'marriage_or_pacs_certificate', description: 'Marriage certificate, family record book or PACS certificate naming the holder and their spouse or partner' };

/**
 * What the insurer must hold before paying an early release, per L224-4 case: the file is complete
 * when back-office has accepted one document for every item. Data, so a case's list changes here only.
 */
export const EARLY_RELEASE_DOCUMENTS: Readonly<Record<PerEarlyReleaseCase, readonly RequiredDocument[]>> = {
  death_of_spouse_or_pacs_partner: [
    { item: 'death_certificate', description: 'Death certificate of the spouse or PACS partner' },
    MARRIAGE_OR_PACS,
  ],
  disability_of_holder: [DISABILITY_DECISION],
  disability_of_child: [DISABILITY_DECISION, { item: 'family_record_book', description: 'Family record book or birth certificate showing the child’s parentage' }],
  disability_of_spouse_or_pacs_partner: [DISABILITY_DECISION, MARRIAGE_OR_PACS],
  over_indebtedness: [{ item: 'over_indebtedness_decision', description: 'Decision of the over-indebtedness commission (commission de surendettement) or the judge, asking for the release' }],
  end_of_unemployment_rights: [{ item: 'unemployment_rights_end_notice', description: 'France Travail (formerly Pôle emploi) notice that unemployment rights have ended' }],
  end_of_self_employment_after_liquidation: [{ item: 'liquidation_judgment', description: 'Court judgment closing the liquidation of the holder’s business' }],
  end_of_company_officer_mandate: [{ item: 'mandate_end_proof', description: 'Proof of the non-renewal or revocation of the company officer’s mandate' }],
  main_residence_purchase: [{ item: 'purchase_agreement_or_deed', description: 'Signed purchase agreement (compromis de vente) or notarial deed of the main residence' }],
};

/** Where one required document stands: `missing` until something is uploaded for it. */
export type RequiredDocumentStatus = 'missing' | 'received' | 'accepted' | 'refused';

export interface RequiredDocumentState extends RequiredDocument {
  status: RequiredDocumentStatus;
}

/** A proof uploaded for a declaration, as far as the checklist is concerned. */
export interface UploadedProof {
  item: string | null;
  status: 'received' | 'accepted' | 'refused';
}

/**
 * The checklist of a case against what was uploaded: an item is `accepted` once any proof of it is,
 * else `received` while one awaits review, else `refused` when every proof of it was refused.
 */
export function earlyReleaseChecklist(earlyRelease: PerEarlyReleaseCase, proofs: readonly UploadedProof[]): RequiredDocumentState[] {
  return EARLY_RELEASE_DOCUMENTS[earlyRelease].map((doc) => {
    const mine = proofs.filter((p) => p.item === doc.item);
    const status: RequiredDocumentStatus = mine.some((p) => p.status === 'accepted')
      ? 'accepted'
      : mine.some((p) => p.status === 'received')
        ? 'received'
        : mine.length > 0
          ? 'refused'
          : 'missing';
    return { ...doc, status };
  });
}

/** The file is complete when every required document is accepted. */
export const isFileComplete = (checklist: readonly RequiredDocumentState[]): boolean => checklist.every((d) => d.status === 'accepted');

/** The case a stored declaration names, if it is a PER early release. */
export function storedEarlyReleaseCase(value: string | null): PerEarlyReleaseCase | null {
  return PER_EARLY_RELEASE_CASES.find((c) => c === value) ?? null;
}
