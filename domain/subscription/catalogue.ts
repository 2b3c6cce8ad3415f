/** A product of the catalogue; amounts in minor units of `currency`, fees in basis points. */
export interface Product {
  id: string;
  kind: 'assurance_vie' | 'per';
  name: string;
  currency: string;
  minimumInitialPayment: number;
  minimumScheduledPayment: number;
  entryFeeBasisPoints: number;
  managementFeeBasisPoints: number;
  minimumInsureeAge: number;
  maximumInsureeAge: number;
  /** Code of the compartment a new policy opens with (`MAIN`, `C1`). */
  initialCompartment: string;
}

/** A fund offered by a product. */
export interface Fund {
  isin: string;
  name: string;
  kind: 'euro' | 'unit_linked';
  riskIndicator: number;
  productId: string;
}

/** A published beneficiary clause. */
export interface StandardClause {
  id: string;
  title: string;
  text: string;
}
