/** A support request as the domain and the API see it (the store maps its table to this). */
export interface SupportRequest {
  id: string;
  /** From a sequence: unique, increasing, the list order and the number in the reference. */
  number: number;
  /** SR-2026-000123. */
  reference: string;
  subscriberId: string;
  category: string;
  subject: string;
  message: string;
  status: string;
  openedByKind: string;
  openedById: string;
  createdAt: Date;
  updatedAt: Date;
}
