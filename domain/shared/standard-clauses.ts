/**
 * Ids of the published standard beneficiary clauses: reference data every database holds (migrations
 * 003 and 012 wrote them, 019 gave them these UUIDs). Fixed so code and contracts can name them; their
 * order by id is the order they have always been listed in.
 */
export const STANDARD_CLAUSE_IDS = {
  /** Children, then heirs. */
  children: '00000000-0000-7000-8000-000000000c01',
  /** Heirs. */
  heirs: '00000000-0000-7000-8000-000000000c02',
  /** Spouse or PACS partner, then children, then heirs: the products' default. */
  spouseChildren: '00000000-0000-7000-8000-000000000c03',
} as const;
