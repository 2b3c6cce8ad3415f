import { BillingStore } from '../../store/billing-store';
import type { Db } from '../../store/db';
import { issueStatement, type CommissionLineInput, type CommissionType } from '../billing/commission-rules';
import { endOf, monthsBefore } from '../billing/period';
import type { Clock } from '../shared/clock';
import { DEMO, DEMO_PORTFOLIO, DEMO_PRODUCTS } from './demo-data';
import { DEMO_IDS } from './demo-ids';

const DEMO_BROKER_ID = DEMO.users.find((u) => u.kind === 'broker')!.id;

/** Commission rates of the demo distribution agreement, per product: product data, not code. */
const RATE_BASIS_POINTS: Readonly<Record<string, number>> = { [DEMO_IDS.products.av]: 250, [DEMO_IDS.products.per]: 300 };

/** Monthly scheduled premiums (minor units) of the demo policies; 12 345 shows the rounding of commissions. */
const MONTHLY_PREMIUM: Readonly<Record<string, number>> = {
  [DEMO_IDS.policies.aliceAv]: 20_000,
  [DEMO_IDS.policies.alicePer]: 15_000,
  [DEMO_IDS.policies.bobAv]: 30_000,
  [DEMO_IDS.policies.bobPer]: 12_345,
};

/** A one-off top-up in one month of the year, so statements differ from month to month. */
const TOP_UP = { policyId: DEMO_IDS.policies.aliceAv, monthIndex: 6, amount: 250_000 } as const;

/**
 * A year of monthly commission statements for broker@demo.test: the 12 months before the clock's
 * month (quarter ends are inducements, the other months business commissions), one line per demo
 * policy (alice's and bob's). Once: does nothing when the broker already has statements or is not
 * there. Call after `seedDemoPortfolio`.
 */
export async function seedDemoBilling(db: Db, clock: Clock): Promise<boolean> {
  const store = new BillingStore(db);
  if (!(await store.broker(DEMO_BROKER_ID)) || (await store.hasStatements(DEMO_BROKER_ID))) return false;
  const months = monthsBefore(clock.now(), 12);
  await db.transaction(async (tx) => {
    for (const [monthIndex, period] of months.entries()) {
      const issued = issueStatement(DEMO_BROKER_ID, period, 'EUR', endOf(period), demoLines(monthIndex), demoType(period));
      await store.insertStatement(tx, issued.statement, issued.lines);
    }
  });
  return true;
}

/** Quarter-end months pay the quarterly inducement, the others the monthly business commission: both types, fixed by the period. */
function demoType(period: string): CommissionType {
  return Number(period.slice(5)) % 3 === 0 ? 'inducement' : 'business-commission';
}

function demoLines(monthIndex: number): CommissionLineInput[] {
  return DEMO_PORTFOLIO.flatMap(({ person, policies }) =>
    policies.map((policy) => {
      const product = DEMO_PRODUCTS.find((p) => p.product.id === policy.productId)!.product;
      const topUp = policy.policyId === TOP_UP.policyId && monthIndex === TOP_UP.monthIndex ? TOP_UP.amount : 0;
      return {
        policyId: policy.policyId,
        policyLabel: `${person.firstName} ${person.lastName} - ${product.name}`,
        premium: MONTHLY_PREMIUM[policy.policyId] + topUp,
        rateBasisPoints: RATE_BASIS_POINTS[product.id],
      };
    }),
  );
}
