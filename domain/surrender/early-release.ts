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
export function perEarlyReleaseCase(reason: string | null | undefined): PerEarlyReleaseCase {
  if (reason === null || reason === undefined || reason.trim() === '') throw new AppError('unprocessable', 'PER_EARLY_RELEASE_CASE_REQUIRED', { field: 'reason' });
  const known = PER_EARLY_RELEASE_CASES.find((c) => c === reason);
  if (!known) throw new AppError('unprocessable', 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', { field: 'reason' });
  return known;
}

/**
 * A main-residence purchase may only take money from C1 and C2: a partial surrender from C3, or a
 * total surrender of a PER with money in C3, is refused (422 `MAIN_RESIDENCE_NOT_FROM_C3`).
 * `sources` are the codes of the compartments the surrender would pay out from.
 */
export function checkEarlyReleaseSources(earlyRelease: PerEarlyReleaseCase, sources: readonly string[]): void {
  if (earlyRelease !== 'main_residence_purchase') return;
  if (sources.some((code) => !MAIN_RESIDENCE_COMPARTMENTS.includes(code))) throw new AppError('unprocessable', 'MAIN_RESIDENCE_NOT_FROM_C3', { field: 'reason' });
}
