/** One code of the error catalog (errors/catalog.ts). */
export interface CatalogEntry {
  /** HTTP status the code always maps to. */
  status: number;
  /** The HTTP reason phrase of the status, e.g. "Unauthorized". */
  title: string;
  /** One sentence: what the code means. */
  description: string;
  /** Typical causes, one line each. */
  causes: string[];
  /** What the caller should do, one line each. */
  fixes: string[];
  /** A reason typical of this code; the page's example is rendered from it like a real error. */
  exampleReason: string;
  /** The parameter the example names, when its reason is about one. */
  exampleField?: string;
}
