/**
 * Data some scenarios need that the public API cannot make yet, written straight into the service's
 * database by the demo's own stores: self-invested policies holding positions. Until issuing a policy
 * opens its positions (issue 12, item 5), only the demo seed opens them, and it opens two (alice's and
 * bob's). run.ts calls this once the service has started and seeded the demo: on PostgreSQL beside the
 * running service, on PGlite (one process at a time) between a stop and a restart of the service.
 */
import { DEMO_IDS } from '../domain/demo/demo-ids';
import { DEMO_FUNDS } from '../domain/demo/demo-investments';
import { sharesFor } from '../domain/investments/decimal';
import { newUuid } from '../domain/shared/ids';
import { parisDate } from '../domain/shared/paris-calendar';
import type { Db } from '../store/db';
import { DemoPortfolioStore } from '../store/demo-store';
import { PositionStore } from '../store/position-store';
import { ValuationStore } from '../store/valuation-store';

/** The unit-linked fund the switch scenario trades against the euro fund. */
export const SWITCH_FUND = DEMO_FUNDS.worldEquity.isin;
const EURO = DEMO_FUNDS.euro.isin;
const SHARE_SCALE = 6;

/** One seeded policy: where its switch requests go. */
export interface SeededCompartment {
  policyId: string;
  compartmentId: string;
}

/**
 * `count` assurance-vie policies of alice's (the bench's login), each compartment holding 100,000 EUR of
 * the euro fund and as much of SWITCH_FUND; and a NAV of SWITCH_FUND dated today (Paris) if it has none,
 * so that a switch is priced as soon as it is asked (forward pricing) and the next one on the compartment
 * is not refused as waiting.
 */
export async function seedSwitchPolicies(db: Db, count: number): Promise<SeededCompartment[]> {
  const now = new Date();
  const today = parisDate(now);
  const valuations = new ValuationStore(db);
  const [latest] = await valuations.latest([SWITCH_FUND]);
  if (!latest) throw new Error(`bench seed: ${SWITCH_FUND} has no valuation (is DEMO_DATA on?)`);
  if (latest.valuedOn < today) {
    await valuations.insert(db, { ...latest, valuedOn: today, loadedAt: now, correctedAt: null, correctionReason: null }, { kind: 'system', id: 'bench' });
  }
  const seeded: SeededCompartment[] = [];
  const amount = 10_000_000;
  await db.transaction(async (tx) => {
    const portfolio = new DemoPortfolioStore();
    const positions = new PositionStore(tx);
    for (let i = 0; i < count; i += 1) {
      const policyId = newUuid();
      const compartmentId = newUuid();
      await portfolio.insertPolicy(
        tx,
        { subscriberId: DEMO_IDS.subscribers.alice, subscriptionId: newUuid(), policyId, productId: DEMO_IDS.products.av, signedAt: new Date('2025-12-01T10:00:00Z'), initialPayment: 2 * amount, compartments: [{ id: compartmentId, code: 'MAIN', value: 2 * amount }] },
        'FR7630006000011234567890189',
        'Alice Martin',
        new Date('2025-12-31T23:00:00Z'),
      );
      const base = { compartmentId, effectiveOn: latest.valuedOn, causeType: 'opening', causeId: compartmentId, at: now };
      await positions.append(tx, [
        { ...base, isin: EURO, shares: null, amount },
        { ...base, isin: SWITCH_FUND, shares: sharesFor(amount, latest.nav, 2, SHARE_SCALE), amount: null },
      ]);
      seeded.push({ policyId, compartmentId });
    }
  });
  return seeded;
}
