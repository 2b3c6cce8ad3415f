import BigNumber from 'bignumber.js';
import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { OrderService } from '../../domain/investments/order-service';
import { AuditTrail } from '../../domain/shared/audit-trail';
import { AuditStore } from '../../store/audit-store';
import { FundStore } from '../../store/fund-store';
import { OrderStore } from '../../store/order-store';
import { PolicyStore } from '../../store/policy-store';
import { PositionStore } from '../../store/position-store';
import { ValuationStore } from '../../store/valuation-store';
import { EACH_DATABASE } from '../support/databases';
import { call, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { sameInsureeBody, subscriptionBody } from '../support/subscription-inputs';
import { testId } from '../support/ids';
import { B, E, EURO, fetches, partialPath, positionsDesk, positionsPath, sharesBought, sharesOf, sharesSold, W } from '../support/position-fixtures';
import { compartmentRow, freshPolicy, paymentsEvent, PAYMENTS_SECRET, policyStatus, scaledEur as eur } from '../support/surrender-fixtures';

const totalPath = (policyId: string) => `/v1/total-surrender/policies/${policyId}/declarations`;
const failure = (answer: Answer) => [answer.status, answer.json.errors[0].code, answer.json.errors[0].reason, answer.json.errors[0].field];
const ESIGN_SECRET = 'whsec_ZGVtby1lc2lnbi13ZWJob29rLXNlY3JldC0yMDI2';

describe.each(EACH_DATABASE)('position orders: surrenders sell positions, issue buys them, on %s', (_name, database) => {
  let server: TestServer;
  const { send, on, nav, portfolio } = positionsDesk(() => server, ['alice', 'backoffice'], '10.77');
  const ledger = (policyId: string) => server.db.query<{ kind: string; amount: string; compartment_id: string | null }>(`select kind, amount::text as amount, compartment_id from policy_money_movements where policy_id = $1 and kind = 'surrender_payout' order by id`, [policyId]);
  const held = async (policyId: string, compartmentId: string) => {
    const positions = (await send('alice', 'GET', positionsPath(policyId, compartmentId))).json.positions as Array<{ isin: string; shares: { value: number; scale: number } | null; value: { amount: number } }>;
    return new Map(positions.map((p) => [p.isin, p]));
  };

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET], esign: [ESIGN_SECRET] } });
    await on('2026-12-01');
    // Sizing NAVs: E 100, B 150, W 80 -> 10,000 + 7,500 + 16,000 EUR, plus the euro fund's 1,000 EUR.
    for (const [isin, value] of [[E, 1_000_000], [B, 1_500_000], [W, 800_000]] as const) expect((await nav(isin, '2026-12-01', value)).status).toBe(200);
  });
  afterAll(() => server.close());

  it('a partial surrender sells pro rata across three funds and the euro fund, at the next NAVs, and pays exactly what the sale produced', async () => {
    await on('2026-12-02');
    const { policyId, compartmentId } = await portfolio('alice');
    // 10 % of 34,500.00 EUR: each fund gives its share of the amount, by value.
    const declared = await send('alice', 'POST', partialPath(policyId, compartmentId), { amount: eur(345_000), requestedAt: '2026-12-01' });
    expect(declared.status).toBe(201);
    expect(declared.json).toMatchObject({ status: 'received', amount: { amount: 345_000 }, paymentDueBy: expect.any(String), sale: { status: 'pending', proceeds: null } });
    const [order] = declared.json.sale.orders;
    expect(order).toMatchObject({ compartmentId, direction: 'sell', status: 'pending', tradeDate: '2026-12-02', amount: { amount: 345_000 } });
    // The euro fund has no price to wait for: its part is sold at once, at its amount.
    expect(order.execution).toEqual([{ isin: EURO, direction: 'SELL', shares: null, nav: null, valuedOn: '2026-12-02', amount: { amount: 10_000, currency: 'EUR' } }]);
    const pending = (await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json;
    expect(pending.sale.status).toBe('pending');

    // Nothing is paid before the sale: the provider hears 409 and retries.
    const early = await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id });
    expect(early.status).toBe(409);
    expect(early.json.errors[0].reason).toBe('SURRENDER_SALE_PENDING');

    // A NAV dated before the day it was received does not price it, nor one fund of three.
    expect((await nav(E, '2026-12-02', 1_012_345)).status).toBe(200);
    expect((await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json.sale.status).toBe('pending');
    await nav(B, '2026-12-02', 1_498_765);
    await nav(W, '2026-12-02', 801_234);

    const executed = (await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json;
    const soldE = sharesSold(100_000, 1_012_345);
    const soldB = sharesSold(75_000, 1_498_765);
    const soldW = sharesSold(160_000, 801_234);
    const proceeds = fetches(soldE, 1_012_345) + fetches(soldB, 1_498_765) + fetches(soldW, 801_234) + 10_000;
    expect(executed.sale).toMatchObject({ status: 'executed', proceeds: { amount: proceeds, currency: 'EUR' } });
    expect(executed.amount.amount).toBe(proceeds);
    const lines = new Map(executed.sale.orders[0].execution.map((l: { isin: string }) => [l.isin, l]));
    expect(sharesOf((lines.get(E) as { shares: { value: number; scale: number } }).shares).toString()).toBe(soldE.toString());
    expect(lines.get(W)).toMatchObject({ nav: { value: 801_234, scale: 4 }, valuedOn: '2026-12-02', amount: { amount: fetches(soldW, 801_234) } });

    const after = await held(policyId, compartmentId);
    expect(sharesOf(after.get(E)!.shares!).toString()).toBe(new BigNumber(100).minus(soldE).toString());
    expect(sharesOf(after.get(B)!.shares!).toString()).toBe(new BigNumber(50).minus(soldB).toString());
    expect(after.get(EURO)!.value.amount).toBe(90_000);

    const paid = await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id });
    expect(paid.status).toBe(200);
    expect((await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json).toMatchObject({ status: 'paid', paidAmount: { amount: proceeds } });
    expect(await ledger(policyId)).toEqual([{ kind: 'surrender_payout', amount: String(-proceeds), compartment_id: compartmentId }]);
    const audit = await server.db.query<{ action: string }>(`select action from audit_log where target_type = 'position_order' and target_id = $1 order by id`, [order.id]);
    expect(audit.map((a) => a.action)).toEqual(['position_order.placed', 'position_order.executed']);
    const movements = await server.db.query<{ n: number }>(`select count(*)::int as n from position_movements where cause_type = 'position_order' and cause_id = $1`, [order.id]);
    expect(Number(movements[0].n)).toBe(4);
  });

  it('a partial surrender naming funds sells only them; a badly named fund is refused naming its field', async () => {
    await on('2026-12-03');
    const { policyId, compartmentId } = await portfolio('alice');
    const path = partialPath(policyId, compartmentId);
    const body = (funds: unknown[], cents = 200_000) => ({ amount: eur(cents), requestedAt: '2026-12-03', funds });
    expect(failure(await send('alice', 'POST', path, body([{ isin: E, amount: eur(150_000) }, { isin: EURO, amount: eur(40_000) }])))).toEqual([400, 'parameter_invalid', 'FUND_AMOUNTS_NOT_THE_AMOUNT', 'funds']);
    expect(failure(await send('alice', 'POST', path, body([{ isin: E, amount: eur(150_000), basisPoints: 100 }])))).toEqual([400, 'parameter_invalid', 'AMOUNT_XOR_BASIS_POINTS', 'funds[0]']);
    expect(failure(await send('alice', 'POST', path, body([{ isin: E, amount: eur(100_000) }, { isin: B, basisPoints: 5_000 }])))).toEqual([400, 'parameter_invalid', 'FUNDS_MIX_AMOUNTS_AND_BASIS_POINTS', 'funds']);
    expect(failure(await send('alice', 'POST', path, body([{ isin: DEMO_FUNDS.balanced.isin, basisPoints: 10_000 }])))).toEqual([422, 'unprocessable_content', 'SURRENDER_FUND_NOT_HELD', 'funds[0].isin']);
    expect(failure(await send('alice', 'POST', path, body([{ isin: EURO, basisPoints: 10_000 }])))).toEqual([422, 'unprocessable_content', 'SURRENDER_EXCEEDS_FUND_VALUE', 'funds[0].basisPoints']);

    const declared = await send('alice', 'POST', path, body([{ isin: E, amount: eur(150_000) }, { isin: EURO, amount: eur(50_000) }]));
    expect(declared.status).toBe(201);
    expect(declared.json.sale.orders[0].execution).toEqual([expect.objectContaining({ isin: EURO, amount: { amount: 50_000, currency: 'EUR' } })]);
    // Only E waits for a price: its NAV of the day executes the sale.
    await nav(E, '2026-12-03', 1_020_001);
    const executed = (await send('alice', 'GET', `${path}/${declared.json.id}`)).json;
    const soldE = sharesSold(150_000, 1_020_001);
    expect(executed.sale).toMatchObject({ status: 'executed', proceeds: { amount: fetches(soldE, 1_020_001) + 50_000 } });
    const after = await held(policyId, compartmentId);
    expect(sharesOf(after.get(B)!.shares!).toString()).toBe('50');
    expect(sharesOf(after.get(W)!.shares!).toString()).toBe('200');
    expect(sharesOf(after.get(E)!.shares!).toString()).toBe(new BigNumber(100).minus(soldE).toString());
  });

  it('a total surrender sells everything at the next NAVs and pays exactly the proceeds; the policy closes', async () => {
    await on('2026-12-04');
    const { policyId, compartmentId } = await portfolio('alice');
    const declared = await send('alice', 'POST', totalPath(policyId), {});
    expect(declared.status).toBe(201);
    expect(declared.json.sale).toMatchObject({ status: 'pending', orders: [{ compartmentId, amount: null, status: 'pending' }] });
    expect(failure(await paymentsEvent(server, 'surrender.processing', { declaration_id: declared.json.id }))[2]).toBe('SURRENDER_SALE_PENDING');
    const navs = { [E]: 1_030_303, [B]: 1_501_111, [W]: 799_999 };
    for (const [isin, value] of Object.entries(navs)) await nav(isin, '2026-12-04', value);
    const proceeds = fetches(new BigNumber(100), navs[E]) + fetches(new BigNumber(50), navs[B]) + fetches(new BigNumber(200), navs[W]) + 100_000;
    const executed = (await send('alice', 'GET', `${totalPath(policyId)}/${declared.json.id}`)).json;
    expect(executed).toMatchObject({ amount: { amount: proceeds }, sale: { status: 'executed', proceeds: { amount: proceeds } } });
    expect((await held(policyId, compartmentId)).size).toBe(0);

    expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id })).status).toBe(200);
    expect((await send('alice', 'GET', `${totalPath(policyId)}/${declared.json.id}`)).json).toMatchObject({ status: 'paid', paidAmount: { amount: proceeds } });
    expect(await ledger(policyId)).toEqual([{ kind: 'surrender_payout', amount: String(-proceeds), compartment_id: compartmentId }]);
    expect(await policyStatus(server, policyId)).toBe('closed');
  });

  it('a surrender of a compartment holding no positions is unchanged: its recorded amount, no sale, paid at once', async () => {
    await on('2026-12-04');
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av', { MAIN: 1_287_450 });
    const declared = await send('alice', 'POST', partialPath(policyId, compartments.MAIN), { amount: eur(100_000), requestedAt: '2026-12-04' });
    expect(declared.json).toMatchObject({ status: 'received', amount: { amount: 100_000 }, sale: null });
    expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id })).status).toBe(200);
    expect(await compartmentRow(server, compartments.MAIN)).toEqual({ status: 'active', value: 1_187_450 });
    expect(await ledger(policyId)).toEqual([{ kind: 'surrender_payout', amount: '-100000', compartment_id: compartments.MAIN }]);
    // Naming funds where no fund is held is refused.
    expect(failure(await send('alice', 'POST', partialPath(policyId, compartments.MAIN), { amount: eur(60_000), requestedAt: '2026-12-04', funds: [{ isin: E, basisPoints: 10_000 }] }))).toEqual([422, 'unprocessable_content', 'SURRENDER_FUND_NOT_HELD', 'funds[0].isin']);
  });

  it('invest() buys by allocation at the first NAVs on or after the trade date, once, with two runs racing', async () => {
    await on('2026-12-07');
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av', { MAIN: 500_000 });
    const orders = server.app.services.orders;
    const placed = await server.db.transaction((tx) =>
      orders.invest(tx, {
        policyId, amount: 500_001, currency: 'EUR', tradeDate: '2026-12-07', cause: { type: 'premium', id: `prm_${policyId}` },
        allocation: [{ compartmentId: compartments.MAIN, isin: E, basisPoints: 3_333 }, { compartmentId: compartments.MAIN, isin: W, basisPoints: 3_333 }, { compartmentId: compartments.MAIN, isin: EURO, basisPoints: 3_334 }],
      }),
    );
    expect(placed).toHaveLength(1);
    const compartment = await send('alice', 'GET', positionsPath(policyId, compartments.MAIN));
    expect(compartment.json).toMatchObject({ positions: [], value: { amount: 500_000 }, pendingCash: { amount: 500_001 }, pendingOrders: [{ id: placed[0].id, direction: 'buy', status: 'pending', tradeDate: '2026-12-07' }] });
    await expect(server.db.transaction((tx) => orders.invest(tx, { policyId, amount: 1, currency: 'EUR', tradeDate: '2026-12-07', cause: { type: 'premium', id: 'x' }, allocation: [{ compartmentId: compartments.MAIN, isin: E, basisPoints: 9_999 }] }))).rejects.toMatchObject({ reason: 'ALLOCATION_NOT_100_PERCENT' });

    // The NAVs arrive without a load through this replica: two replicas' periodic runs race to price the order.
    await server.db.query(`insert into fund_valuations (isin, valued_on, nav_value, nav_scale, currency, loaded_by_kind, loaded_at) values ($1, '2026-12-07', 1040000, 4, 'EUR', 'test', now()), ($2, '2026-12-07', 810000, 4, 'EUR', 'test', now())`, [E, W]);
    const other = new OrderService(server.db, new OrderStore(server.db), new PositionStore(server.db), new FundStore(server.db), new ValuationStore(server.db), new PolicyStore(server.db), new AuditTrail(new AuditStore(server.db), server.clock), server.clock);
    const runs = await Promise.all([orders.executeDue(), other.executeDue(), orders.executeDue([placed[0].id])]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    const moved = await server.db.query<{ isin: string; shares_value: string | null; shares_scale: number | null; amount: string | null }>(
      `select isin, shares_value::text as shares_value, shares_scale, amount::text as amount from position_movements where cause_id = $1 order by id`, [placed[0].id],
    );
    // 500,001 cents by 3333/3333/3334 bp: 166,650 + 166,650 + 166,700, the cent left over to the first line; shares rounded down.
    expect(moved.map((m) => [m.isin, m.shares_value === null ? null : new BigNumber(m.shares_value).shiftedBy(-m.shares_scale!).toString(), m.amount])).toEqual([
      [E, sharesBought(166_651, 1_040_000).toString(), null],
      [W, sharesBought(166_650, 810_000).toString(), null],
      [EURO, null, '166700'],
    ]);
    const after = (await send('alice', 'GET', positionsPath(policyId, compartments.MAIN))).json;
    expect(after).toMatchObject({ pendingCash: { amount: 0 }, pendingOrders: [] });
    expect(after.positions).toHaveLength(3);
    const executedAudit = await server.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'position_order.executed' and target_id = $1`, [placed[0].id]);
    expect(Number(executedAudit[0].n)).toBe(1);
  });

  it('issue buys positions by the subscription allocation at the first NAVs on or after payment; until then the compartment is worth its recorded amount', async () => {
    await on('2026-12-08');
    const created = async (path: string, json: unknown) => {
      const answer = await send('alice', 'POST', path, json);
      if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${answer.text}`);
      return answer.json.id as string;
    };
    // alice's demo subscriber profile.
    const subscriberId = testId('sbr_alice');
    const insureeId = await created('/v1/subscription/insurees', sameInsureeBody(subscriberId));
    // 1,500.00 EUR, 2 % entry fee: 1,470.00 EUR invested, 60 % euro fund, 40 % E.
    const id = await created(`/v1/subscription/subscribers/${subscriberId}/subscriptions`, subscriptionBody(insureeId));
    expect((await send('alice', 'POST', `/v1/subscription/subscriptions/${id}/documents`)).status).toBe(201);
    const signature = (await send('alice', 'POST', `/v1/subscription/subscriptions/${id}/signing`, { method: 'esign' })).json;
    const page = await call(signature.signingUrl);
    const action = [...page.text.matchAll(/<form[^>]*method="post"[^>]*action="([^"]*)"/gi)].map((m) => m[1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)))).find((a) => /\/sign\?/.test(a))!;
    expect((await call(new URL(action, signature.signingUrl).toString(), { method: 'POST' })).status).toBe(200);
    const policy = (await send('alice', 'GET', `/v1/subscription/subscriptions/${id}`)).json.policy;
    const compartmentId = policy.compartments[0].id;

    const before = (await send('alice', 'GET', positionsPath(policy.id, compartmentId))).json;
    expect(before).toMatchObject({ positions: [], value: { amount: 147_000 }, pendingCash: { amount: 147_000 }, pendingOrders: [{ direction: 'buy', status: 'pending', tradeDate: '2026-12-08', amount: { amount: 147_000 }, causeType: 'issue', causeId: policy.id }] });
    // A NAV dated before payment does not price it.
    await nav(E, '2026-12-07', 1_050_000);
    expect((await send('alice', 'GET', positionsPath(policy.id, compartmentId))).json.pendingOrders).toHaveLength(1);
    await nav(E, '2026-12-08', 1_061_234);

    const after = (await send('alice', 'GET', positionsPath(policy.id, compartmentId))).json;
    expect(after.pendingOrders).toEqual([]);
    const positions = new Map(after.positions.map((p: { isin: string }) => [p.isin, p]));
    const shares = sharesBought(58_800, 1_061_234);
    expect(sharesOf((positions.get(E) as { shares: { value: number; scale: number } }).shares).toString()).toBe(shares.toString());
    expect((positions.get(EURO) as { value: { amount: number } }).value.amount).toBe(88_200);
    expect(after.value.amount).toBe(88_200 + fetches(shares, 1_061_234));
    // The ledger still says what came in: the premium and the fee, nothing more.
    const money = await server.db.query<{ kind: string; amount: string }>(`select kind, amount::text as amount from policy_money_movements where policy_id = $1 order by id`, [policy.id]);
    expect(money).toEqual([{ kind: 'premium', amount: '150000' }, { kind: 'entry_fee', amount: '-3000' }]);
  });

  it('money not yet invested leaves at its recorded amount: the pending buy invests that much less, or nothing after a total surrender', async () => {
    await on('2026-12-09');
    const orders = server.app.services.orders;
    const invest = (policyId: string, compartmentId: string) =>
      server.db.transaction((tx) => orders.invest(tx, { policyId, amount: 500_000, currency: 'EUR', tradeDate: '2026-12-09', cause: { type: 'premium', id: `prm_${policyId}` }, allocation: [{ compartmentId, isin: E, basisPoints: 5_000 }, { compartmentId, isin: EURO, basisPoints: 5_000 }] }));
    const partial = await freshPolicy(server, 'alice', 'av', { MAIN: 500_000 });
    await invest(partial.policyId, partial.compartments.MAIN);
    const declared = await send('alice', 'POST', partialPath(partial.policyId, partial.compartments.MAIN), { amount: eur(100_001), requestedAt: '2026-12-09' });
    expect(declared.json).toMatchObject({ amount: { amount: 100_001 }, sale: null });
    const waiting = (await send('alice', 'GET', positionsPath(partial.policyId, partial.compartments.MAIN))).json.pendingOrders;
    expect(waiting).toMatchObject([{ amount: { amount: 399_999 }, lines: [{ isin: E, amount: { amount: 200_000 } }, { isin: EURO, amount: { amount: 199_999 } }] }]);

    const total = await freshPolicy(server, 'alice', 'av', { MAIN: 500_000 });
    const [buy] = await invest(total.policyId, total.compartments.MAIN);
    expect((await send('alice', 'POST', totalPath(total.policyId), {})).json).toMatchObject({ amount: { amount: 500_000 }, sale: null });
    expect((await server.app.services.orders.ofCompartments([total.compartments.MAIN]))[0]).toMatchObject({ id: buy.id, status: 'cancelled' });

    await nav(E, '2026-12-09', 1_000_000);
    const after = (await send('alice', 'GET', positionsPath(partial.policyId, partial.compartments.MAIN))).json;
    expect(after.pendingOrders).toEqual([]);
    expect(new Map(after.positions.map((p: { isin: string; value: { amount: number } }) => [p.isin, p.value.amount]))).toEqual(new Map([[E, 200_000], [EURO, 199_999]]));
    expect((await send('alice', 'GET', positionsPath(total.policyId, total.compartments.MAIN))).json.positions).toEqual([]);
  });

  it('against positions, an open declaration holds only what its sale has not sold yet', async () => {
    await on('2026-12-10');
    const { policyId, compartmentId } = await portfolio('alice');
    // Worth about 34,500 EUR; the product keeps 1,000 EUR in it. A first surrender of 30,000 EUR sells.
    const first = await send('alice', 'POST', partialPath(policyId, compartmentId), { amount: eur(3_000_000), requestedAt: '2026-12-10' });
    expect(first.status).toBe(201);
    // While it waits, it holds its unsold part: 5,000 EUR more is more than is left.
    expect(failure(await send('alice', 'POST', partialPath(policyId, compartmentId), { amount: eur(500_000), requestedAt: '2026-12-10' }))[2]).toBe('PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE');
    for (const [isin, value] of [[E, 1_000_000], [B, 1_500_000], [W, 800_000]] as const) await nav(isin, '2026-12-10', value);
    expect((await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${first.json.id}`)).json.sale.status).toBe('executed');
    // Sold, it holds nothing of the positions any more: what is left (about 4,500 EUR) is not counted twice.
    const second = await send('alice', 'POST', partialPath(policyId, compartmentId), { amount: eur(300_000), requestedAt: '2026-12-10' });
    expect(second.status).toBe(201);
  });

  it('a sale of the euro fund alone executes as the declaration is made: paid at once, at its amount', async () => {
    await on('2026-12-10');
    const fresh = await freshPolicy(server, 'alice', 'av', { MAIN: 0 });
    await new PositionStore(server.db).append(server.db, [{ compartmentId: fresh.compartments.MAIN, isin: EURO, effectiveOn: '2026-11-30', shares: null, amount: 500_000, causeType: 'opening', causeId: 'test', at: server.clock.now() }]);
    const declared = await send('alice', 'POST', totalPath(fresh.policyId), {});
    expect(declared.json).toMatchObject({ amount: { amount: 500_000 }, sale: { status: 'executed', proceeds: { amount: 500_000 }, orders: [{ status: 'executed' }] } });
    expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.json.id })).status).toBe(200);
    expect(await ledger(fresh.policyId)).toEqual([{ kind: 'surrender_payout', amount: '-500000', compartment_id: fresh.compartments.MAIN }]);
  });
});
