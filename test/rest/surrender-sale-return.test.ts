import BigNumber from 'bignumber.js';
import { DEMO_IDS } from '../../domain/demo/demo-ids';
import { EACH_DATABASE } from '../support/databases';
import { B, E, EURO, fetches, partialPath, positionsDesk, positionsPath, sharesBought, sharesOf, sharesSold, W } from '../support/position-fixtures';
import { startTestServer, type TestServer } from '../support/server';
import { paymentsEvent, PAYMENTS_SECRET, scaledEur as eur } from '../support/surrender-fixtures';

interface Held {
  value: number;
  pendingCash: number;
  positions: Map<string, { shares: { value: number; scale: number } | null; value: { amount: number } }>;
}

describe.each(EACH_DATABASE)('a rejected surrender gives its sale back to the compartment, on %s', (_name, database) => {
  let server: TestServer;
  const { send, on, nav, portfolio } = positionsDesk(() => server, ['alice', 'bob', 'backoffice'], '10.78');
  async function held(who: string, policyId: string, compartmentId: string): Promise<Held> {
    const json = (await send(who, 'GET', positionsPath(policyId, compartmentId))).json;
    return { value: json.value.amount, pendingCash: json.pendingCash.amount, positions: new Map((json.positions as Array<{ isin: string } & Held['positions'] extends Map<string, infer P> ? P & { isin: string } : never>).map((p) => [p.isin, p])) };
  }
  const shares = (h: Held) => Object.fromEntries([E, B, W].map((isin) => [isin, sharesOf(h.positions.get(isin)!.shares!).toString()]));
  const orderRow = (id: string) => server.db.query<{ status: string; cancelled_reason: string | null }>(`select status, cancelled_reason from position_orders where id = $1`, [id]);
  const euroMovements = (orderId: string) => server.db.query<{ amount: string }>(`select amount::text as amount from position_movements where cause_type = 'position_order' and cause_id = $1 and isin = $2 order by id`, [orderId, EURO]);
  const auditOf = async (orderId: string) => (await server.db.query<{ action: string }>(`select action from audit_log where target_type = 'position_order' and target_id = $1 order by id`, [orderId])).map((a) => a.action);

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    await on('2026-12-01');
    for (const [isin, value] of [[E, 1_000_000], [B, 1_500_000], [W, 800_000]] as const) expect((await nav(isin, '2026-12-01', value)).status).toBe(200);
  });
  afterAll(() => server.close());

  it('rejected before its NAV: the sale is cancelled, the euro fund gets its amount back, nothing executes at the next NAV', async () => {
    await on('2026-12-02');
    const { policyId, compartmentId } = await portfolio('alice');
    const before = await held('alice', policyId, compartmentId);
    expect(before.value).toBe(3_450_000);
    const declared = await send('alice', 'POST', partialPath(policyId, compartmentId), { amount: eur(345_000), requestedAt: '2026-12-02' });
    expect(declared.status).toBe(201);
    const orderId = declared.json.sale.orders[0].id;
    expect((await held('alice', policyId, compartmentId)).positions.get(EURO)!.value.amount).toBe(90_000);

    // The provider may reject while the sale waits: nothing is paid, the sale is undone.
    const rejected = await paymentsEvent(server, 'surrender.rejected', { declaration_id: declared.json.id, reason: 'account closed' });
    expect(rejected.status).toBe(200);
    expect(await orderRow(orderId)).toEqual([{ status: 'cancelled', cancelled_reason: `surrender declaration ${declared.json.id} rejected` }]);
    expect((await euroMovements(orderId)).map((m) => m.amount)).toEqual(['-10000', '10000']);
    expect(await auditOf(orderId)).toEqual(['position_order.placed', 'position_order.cancelled']);
    const after = await held('alice', policyId, compartmentId);
    expect(after.value).toBe(before.value);
    expect(after.positions.get(EURO)!.value.amount).toBe(100_000);
    expect(shares(after)).toEqual(shares(before));

    for (const [isin, value] of [[E, 1_012_345], [B, 1_498_765], [W, 801_234]] as const) await nav(isin, '2026-12-02', value);
    expect(await orderRow(orderId)).toEqual([expect.objectContaining({ status: 'cancelled' })]);
    expect(shares(await held('alice', policyId, compartmentId))).toEqual(shares(before));
    const declaration = (await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json;
    // The sale says what its orders say: cancelled, having produced nothing.
    expect(declaration).toMatchObject({ status: 'rejected', sale: { status: 'cancelled', proceeds: null, orders: [{ id: orderId, status: 'cancelled' }] } });
  });

  it('rejected after the sale executed: the euro part comes back at once, the funds are bought back at the next NAV', async () => {
    await on('2026-12-03');
    const navs: Record<string, number> = { [E]: 1_020_001, [B]: 1_490_009, [W]: 810_101 };
    const { policyId, compartmentId } = await portfolio('alice');
    const declared = await send('alice', 'POST', partialPath(policyId, compartmentId), { amount: eur(345_000), requestedAt: '2026-12-03' });
    const orderId = declared.json.sale.orders[0].id;
    for (const [isin, value] of Object.entries(navs)) await nav(isin, '2026-12-03', value);
    const executed = (await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json;
    expect(executed.sale.status).toBe('executed');
    // What the positions were worth at the NAVs the sale executed at.
    const worth = fetches(new BigNumber(100), navs[E]) + fetches(new BigNumber(50), navs[B]) + fetches(new BigNumber(200), navs[W]) + 100_000;
    // Sized pro rata at the latest NAVs when declared: each line's amount, as the order recorded it.
    const [{ lines }] = await server.db.query<{ lines: Array<{ isin: string; amount: number }> }>(`select lines from position_orders where id = $1`, [orderId]);
    const asked = new Map(lines.map((l) => [l.isin, l.amount]));
    const sold: Record<string, BigNumber> = Object.fromEntries([E, B, W].map((isin) => [isin, sharesSold(asked.get(isin)!, navs[isin])]));
    const fetched = Object.fromEntries(Object.entries(sold).map(([isin, s]) => [isin, fetches(s, navs[isin])]));

    await on('2026-12-04');
    const rejected = await paymentsEvent(server, 'surrender.rejected', { declaration_id: declared.json.id, reason: 'IBAN refused' });
    expect(rejected.status).toBe(200);
    expect((await euroMovements(orderId)).map((m) => m.amount)).toEqual([String(-asked.get(EURO)!), String(asked.get(EURO)!)]);
    expect(await auditOf(orderId)).toEqual(['position_order.placed', 'position_order.executed', 'position_order.sale_returned']);
    const [buy] = await server.db.query<{ id: string; direction: string; status: string; amount: string; trade_date: string; lines: Array<{ isin: string; amount: number }> }>(
      `select id, direction, status, amount::text as amount, trade_date::text as trade_date, lines from position_orders where cause_type = 'surrender_rejected' and cause_id = $1`, [declared.json.id]);
    const proceedsInFunds = fetched[E] + fetched[B] + fetched[W];
    expect(buy).toMatchObject({ direction: 'buy', status: 'pending', amount: String(proceedsInFunds), trade_date: '2026-12-04' });
    expect(buy.lines.map((l) => [l.isin, l.amount])).toEqual([[E, fetched[E]], [B, fetched[B]], [W, fetched[W]]]);
    // Until the NAV, the proceeds are the compartment's pending cash: its value is what it was, but for
    // each position's rounding to the cent.
    const waiting = await held('alice', policyId, compartmentId);
    expect(waiting.pendingCash).toBe(proceedsInFunds);
    expect(Math.abs(waiting.value - worth)).toBeLessThanOrEqual(3);

    for (const [isin, value] of Object.entries(navs)) await nav(isin, '2026-12-04', value);
    const bought = await held('alice', policyId, compartmentId);
    expect(bought.pendingCash).toBe(0);
    for (const [isin, start] of [[E, 100], [B, 50], [W, 200]] as const) {
      expect(sharesOf(bought.positions.get(isin)!.shares!).toString()).toBe(new BigNumber(start).minus(sold[isin]).plus(sharesBought(fetched[isin], navs[isin])).toString());
    }
    // Shares bought are rounded down to 6 decimals: at most a cent per fund below what it was worth.
    expect(bought.value).toBeLessThanOrEqual(worth + 3);
    expect(bought.value).toBeGreaterThanOrEqual(worth - 3);
    expect(await auditOf(buy.id)).toEqual(['position_order.placed', 'position_order.executed']);
    // The sale did happen (its money came back by a buy): it stays executed, with what it produced.
    const declaration = (await send('alice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json;
    expect(declaration).toMatchObject({ status: 'rejected', sale: { status: 'executed', proceeds: executed.sale.proceeds, orders: [{ id: orderId, status: 'executed' }] } });
  });

  it('a notice of death rejects the open surrender and undoes its pending sale, as a rejection does', async () => {
    await on('2026-12-05');
    const { policyId, compartmentId } = await portfolio('bob');
    const before = await held('bob', policyId, compartmentId);
    const declared = await send('bob', 'POST', partialPath(policyId, compartmentId), { amount: eur(200_000), requestedAt: '2026-12-05' });
    expect(declared.status).toBe(201);
    const orderId = declared.json.sale.orders[0].id;
    const notice = await send('backoffice', 'POST', '/v1/death-claims', { subscriberId: DEMO_IDS.subscribers.bob, dateOfDeath: '2026-12-05', source: 'backoffice', deathCertificateReference: 'ACTE-DC-2026-2001' });
    expect(notice.status).toBe(201);
    expect(await orderRow(orderId)).toEqual([{ status: 'cancelled', cancelled_reason: `surrender declaration ${declared.json.id} rejected: INSURED_DECEASED` }]);
    const after = await held('bob', policyId, compartmentId);
    expect(after.value).toBe(before.value);
    expect(after.positions.get(EURO)!.value.amount).toBe(100_000);
    for (const [isin, value] of [[E, 1_000_001], [B, 1_500_001], [W, 800_001]] as const) await nav(isin, '2026-12-05', value);
    expect(shares(await held('bob', policyId, compartmentId))).toEqual(shares(before));
    const [row] = await server.db.query<{ status: string; rejection_reason: string }>(`select status, rejection_reason from surrender_declarations where id = $1`, [declared.json.id]);
    expect(row).toEqual({ status: 'rejected', rejection_reason: 'INSURED_DECEASED' });
    const declaration = (await send('backoffice', 'GET', `${partialPath(policyId, compartmentId)}/${declared.json.id}`)).json;
    expect(declaration).toMatchObject({ status: 'rejected', sale: { status: 'cancelled', proceeds: null, orders: [{ id: orderId, status: 'cancelled' }] } });
  });
});
