/** What a fund invests in; `guaranteed` is the euro fund's capital-guaranteed book. */
export const ASSET_CLASSES = ['guaranteed', 'money_market', 'bond', 'equity', 'mixed', 'real_estate', 'commodity', 'alternative'] as const;
/** `unclassified`: a fund catalogued before asset classes were recorded (never given to a new one). */
export type AssetClass = (typeof ASSET_CLASSES)[number] | 'unclassified';

/** A fund of the catalogue, identified by its ISIN (ISO 6166). */
export interface CatalogueFund {
  isin: string;
  name: string;
  /** `euro`: the capital-guaranteed euro fund, held as an amount; `unit_linked`: held in shares valued at their NAV. */
  kind: 'euro' | 'unit_linked';
  currency: string;
  assetClass: AssetClass;
  /** SRI (PRIIPs summary risk indicator), 1 lowest to 7. */
  riskIndicator: number;
}

/**
 * An exact decimal: `value` x 10^-`scale` (1234567 at scale 4 is 123.4567). NAVs and numbers of
 * shares are written this way, never as binary floating point.
 */
export interface Decimal {
  value: number;
  scale: number;
}

/** A decimal amount of a currency: the public docs' money shape `{value, scale, currency}`. */
export interface ScaledMoney extends Decimal {
  currency: string;
}

/** The net asset value of one share of a unit-linked fund on a valuation date (YYYY-MM-DD). */
export interface Valuation {
  isin: string;
  valuedOn: string;
  nav: ScaledMoney;
  loadedAt: Date;
  correctedAt: Date | null;
  correctionReason: string | null;
}
