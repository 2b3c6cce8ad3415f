import { toMinorUnits } from '../shared/scaled-money';

/** Premiums are paid in euros: the products' currency. */
const PREMIUM_CURRENCIES = ['EUR'];
/** EUR's minor-unit digits: an amount sent without `scale` counts cents (the money topic's integers). */
const CENTS_SCALE = 2;

/** A premium amount as clients send it: `value` x 10^-`scale` of `currency`, or `value` in cents without `scale`. */
export interface PremiumAmount {
  value: number;
  scale?: number | null;
  currency: string;
}

/** Exact integer minor units: 400 naming amount.value, amount.scale or amount.currency otherwise (scaled-money.ts). */
export function premiumAmount(amount: PremiumAmount): { amount: number; currency: string } {
  return toMinorUnits({ value: amount.value, scale: amount.scale ?? CENTS_SCALE, currency: amount.currency }, PREMIUM_CURRENCIES);
}
