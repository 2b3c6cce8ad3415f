import { DEMO_FUNDS, DEMO_VALUATION_RANGE, demoValuationDates } from '../../domain/demo/demo-investments';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { insertBroker, partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';

const FUNDS = '/v1/investments/funds';
const NEW_FUND = { isin: 'FR0010148981', name: 'Carnet Test', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 6 };
const positions = (policyId: string, compartmentId: string) => `/v1/investments/policies/${policyId}/compartments/${compartmentId}/positions`;
const eurNav = (value: number, scale = 4) => ({ value, scale, currency: 'EUR' });
/** The error as the envelope gives it: code, stable reason, field, and the other fields' reasons. */
const failure = (answer: Answer) => {
  const [first, ...rest] = answer.json.errors;
  return [answer.status, first.code, first.reason, first.field, ...rest.map((e: { field: string; reason: string }) => `${e.field}:${e.reason}`)];
};

describe.each(EACH_DATABASE)('investments over REST on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> => call(`${server.url}${path}`, { method, headers: headers[who], ...(json !== undefined ? { json } : {}) });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    // Two days after the demo year's last valuation: valuations up to today may be loaded.
    server.clock.set('2026-12-02T10:00:00Z');
    const other = await insertBroker(server.db, server.clock.now(), { userId: testId('usr_invest_other'), distributorId: testId('dst_invest_other') });
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.61.0.${i + 1}`)).token}` };
    headers.other_broker = { authorization: `Bearer ${(await login(server.url, other, '10.61.0.8')).token}` };
    headers.partner = await partnerHeaders(server.url, '10.61.0.9');
  });
  afterAll(() => server.close());

  it('lists the catalogue to any signed-in caller: the euro fund and five unit-linked funds, each with its latest NAV', async () => {
    const answer = await send('alice', 'GET', FUNDS);
    expect(answer.status).toBe(200);
    expect(answer.json.map((f: { isin: string }) => f.isin).sort()).toEqual(Object.values(DEMO_FUNDS).map((f) => f.isin).sort());
    const equity = answer.json.find((f: { isin: string }) => f.isin === DEMO_FUNDS.europeEquity.isin);
    expect(equity).toMatchObject({ name: 'Actions Europe Démo', kind: 'unit_linked', currency: 'EUR', assetClass: 'equity', riskIndicator: 5, latestValuation: { valuedOn: DEMO_VALUATION_RANGE.to, nav: { scale: 4, currency: 'EUR' } } });
    expect(answer.json.find((f: { isin: string }) => f.isin === DEMO_FUNDS.euro.isin)).toMatchObject({ kind: 'euro', assetClass: 'guaranteed', latestValuation: null });
    expect((await call(`${server.url}${FUNDS}`)).status).toBe(401);
  });

  it('reads one fund and a year of its valuations, exact; refuses a bad ISIN (400) and names an unknown one (404)', async () => {
    const valuations = await send('bob', 'GET', `${FUNDS}/${DEMO_FUNDS.worldBonds.isin}/valuations?from=${DEMO_VALUATION_RANGE.from}&to=${DEMO_VALUATION_RANGE.to}`);
    expect(valuations.status).toBe(200);
    expect(valuations.json.valuations.map((v: { valuedOn: string }) => v.valuedOn)).toEqual(demoValuationDates());
    expect(valuations.json.valuations[0]).toMatchObject({ isin: DEMO_FUNDS.worldBonds.isin, valuedOn: DEMO_VALUATION_RANGE.from, nav: eurNav(1_500_000), correctedAt: null });
    expect(failure(await send('bob', 'GET', `${FUNDS}/FR0010315771`))).toEqual([400, 'parameter_invalid', 'ISIN_INVALID', 'isin']);
    expect(failure(await send('bob', 'GET', `${FUNDS}/US0378331005`))).toEqual([404, 'resource_not_found', 'FUND_NOT_FOUND', undefined]);
    expect(failure(await send('bob', 'GET', `${FUNDS}/${DEMO_FUNDS.worldBonds.isin}/valuations?from=2025-01-01&to=2026-06-01`))).toEqual([400, 'parameter_invalid', 'HISTORY_RANGE_TOO_LONG', 'from']);
    expect(failure(await send('bob', 'GET', `${FUNDS}/${DEMO_FUNDS.worldBonds.isin}/valuations?from=2026-06-02&to=2026-06-01`))).toEqual([400, 'parameter_invalid', 'HISTORY_FROM_AFTER_TO', 'from']);
  });

  it('lets back-office register a fund whose ISIN check digit verifies, once', async () => {
    expect((await send('partner', 'POST', FUNDS, NEW_FUND)).json.errors[0]).toMatchObject({ code: 'forbidden', message: 'INSUFFICIENT_ROLES' });
    const bad = await send('backoffice', 'POST', FUNDS, { ...NEW_FUND, isin: 'FR0010148982', name: ' ', riskIndicator: 8, assetClass: 'guaranteed' });
    expect(failure(bad)).toEqual([400, 'parameter_invalid', 'ISIN_INVALID', 'isin', 'name:FUND_NAME_REQUIRED', 'riskIndicator:RISK_INDICATOR_OUT_OF_RANGE', 'assetClass:ASSET_CLASS_DOES_NOT_MATCH_KIND']);
    const created = await send('backoffice', 'POST', FUNDS, NEW_FUND);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ ...NEW_FUND, latestValuation: null });
    expect(failure(await send('backoffice', 'POST', FUNDS, NEW_FUND))).toEqual([409, 'conflict', 'FUND_ALREADY_CATALOGUED', 'isin']);
  });

  it('loads one valuation idempotently: same NAV (any scale) is a no-op, another is 409 unless corrected with a reason', async () => {
    const path = `${FUNDS}/${NEW_FUND.isin}/valuations/2026-12-01`;
    expect((await send('broker', 'PUT', path, { nav: eurNav(1_234_567) })).status).toBe(403);
    const created = await send('partner', 'PUT', path, { nav: eurNav(1_234_567) });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ outcome: 'created', valuation: { isin: NEW_FUND.isin, valuedOn: '2026-12-01', nav: eurNav(1_234_567), correctedAt: null } });
    const again = await send('backoffice', 'PUT', path, { nav: eurNav(123_456_700, 6) });
    expect(again.json).toMatchObject({ outcome: 'unchanged', valuation: { nav: eurNav(1_234_567) } });
    expect(failure(await send('partner', 'PUT', path, { nav: eurNav(1_234_568) }))).toEqual([409, 'conflict', 'VALUATION_ALREADY_LOADED_WITH_ANOTHER_NAV', 'nav']);
    const corrected = await send('partner', 'PUT', path, { nav: eurNav(1_234_568), correctionReason: 'provider resent the day' });
    expect(corrected.json).toMatchObject({ outcome: 'corrected', valuation: { nav: eurNav(1_234_568), correctionReason: 'provider resent the day', correctedAt: expect.any(String) } });
    const audit = await server.db.query<{ action: string; details: Record<string, unknown> }>(`select action, details from audit_log where target_type = 'fund' and target_id = $1 order by id`, [NEW_FUND.isin]);
    expect(audit.map((a) => a.action)).toEqual(['fund.registered', 'valuation.created', 'valuation.corrected']);
    expect(audit[2].details).toMatchObject({ previousNav: '123.4567', nav: '123.4568', reason: 'provider resent the day' });
  });

  it('refuses bad valuations with 400s naming each field', async () => {
    const path = (isin: string, date = '2026-12-01') => `${FUNDS}/${isin}/valuations/${date}`;
    expect(failure(await send('partner', 'PUT', path(NEW_FUND.isin, '2026-12-03'), { nav: { value: 0, scale: 9, currency: 'USD' } }))).toEqual([
      400, 'parameter_invalid', 'NAV_VALUE_NOT_POSITIVE_INTEGER', 'nav.value', 'nav.scale:NAV_SCALE_OUT_OF_RANGE', 'nav.currency:NAV_CURRENCY_NOT_FUND_CURRENCY', 'valuedOn:VALUATION_DATE_IN_THE_FUTURE',
    ]);
    expect(failure(await send('partner', 'PUT', path(DEMO_FUNDS.euro.isin), { nav: eurNav(1) }))).toEqual([400, 'parameter_invalid', 'EURO_FUND_HAS_NO_NAV', 'isin']);
    expect(failure(await send('partner', 'PUT', path('NOT-AN-ISIN'), { nav: eurNav(1) }))).toEqual([400, 'parameter_invalid', 'ISIN_INVALID', 'isin']);
    expect(failure(await send('partner', 'PUT', path(NEW_FUND.isin), { nav: eurNav(1), correctionReason: '  ' }))).toEqual([400, 'parameter_invalid', 'REASON_REQUIRED', 'correctionReason']);
    expect((await send('partner', 'PUT', path(NEW_FUND.isin, '2026-13-01'), { nav: eurNav(1) })).status).toBe(400);
  });

  it('loads a CSV file all or nothing, counting what each row did', async () => {
    const header = 'isin,valuedOn,nav,currency,correctionReason';
    const loaded = await send('backoffice', 'POST', '/v1/investments/valuation-files', {
      csv: [header, `${NEW_FUND.isin},2026-11-30,120.5,EUR,`, `${NEW_FUND.isin},2026-12-01,123.4568,EUR,`, `${NEW_FUND.isin},2026-11-27,119.00,EUR,`, `${NEW_FUND.isin},2026-11-27,119,EUR,`].join('\n'),
    });
    expect(loaded.status).toBe(200);
    expect(loaded.json).toEqual({ rows: 4, created: 2, unchanged: 2, corrected: 0 });

    const refused = await send('partner', 'POST', '/v1/investments/valuation-files', {
      csv: [header, `${NEW_FUND.isin},2026-11-26,118,EUR,`, `${NEW_FUND.isin},2026-11-30,121,EUR,`].join('\r\n'),
    });
    expect(failure(refused)).toEqual([409, 'conflict', 'VALUATION_ALREADY_LOADED_WITH_ANOTHER_NAV', 'csv.line3.nav']);
    // Nothing of the refused file was kept.
    const kept = await send('partner', 'GET', `${FUNDS}/${NEW_FUND.isin}/valuations?from=2026-11-20&to=2026-12-02`);
    expect(kept.json.valuations.map((v: { valuedOn: string }) => v.valuedOn)).toEqual(['2026-11-27', '2026-11-30', '2026-12-01']);

    const corrected = await send('partner', 'POST', '/v1/investments/valuation-files', { csv: `${header}\n${NEW_FUND.isin},2026-11-30,121,EUR,late print\n` });
    expect(corrected.json).toEqual({ rows: 1, created: 0, unchanged: 0, corrected: 1 });

    const bad = await send('partner', 'POST', '/v1/investments/valuation-files', {
      csv: ['isin,valuedOn,nav,currency', 'FR0010148982,2026-11-30,1,EUR', 'US0378331005,2026-11-30,1,EUR', `${DEMO_FUNDS.euro.isin},2026-11-30,1,EUR`, `${NEW_FUND.isin},2026-11-31,0,USD`, `${NEW_FUND.isin},2026-11-25,5,EUR`, `${NEW_FUND.isin},2026-11-25,6,EUR`].join('\n'),
    });
    expect(failure(bad)).toEqual([
      400, 'parameter_invalid', 'ISIN_INVALID', 'csv.line2.isin', 'csv.line3.isin:FUND_NOT_CATALOGUED', 'csv.line4.isin:EURO_FUND_HAS_NO_NAV',
      'csv.line5.nav:NAV_VALUE_NOT_POSITIVE_INTEGER', 'csv.line5.currency:NAV_CURRENCY_NOT_FUND_CURRENCY', 'csv.line5.valuedOn:VALUATION_DATE_INVALID', 'csv.line7.nav:VALUATION_LISTED_TWICE_WITH_ANOTHER_NAV',
    ]);
    expect(failure(await send('partner', 'POST', '/v1/investments/valuation-files', { csv: 'isin;valuedOn;nav;currency\nX;Y;1;EUR' }))).toEqual([400, 'parameter_invalid', 'CSV_HEADER_INVALID', 'csv']);
    expect((await send('alice', 'POST', '/v1/investments/valuation-files', { csv: header })).status).toBe(403);
  });

  it("values alice's self-invested compartment: three unit-linked funds and the euro fund, summing to the compartment's value", async () => {
    const answer = await send('alice', 'GET', positions(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain));
    expect(answer.status).toBe(200);
    const { value, valuedOn, positions: held, management } = answer.json;
    expect(management).toBe('self_invested');
    expect(value).toEqual({ amount: 1_287_450, currency: 'EUR' });
    expect(valuedOn).toBe(DEMO_VALUATION_RANGE.to);
    expect(held.map((p: { isin: string }) => p.isin)).toEqual([DEMO_FUNDS.europeEquity.isin, DEMO_FUNDS.worldBonds.isin, DEMO_FUNDS.worldEquity.isin, DEMO_FUNDS.euro.isin]);
    expect(held.reduce((sum: number, p: { value: { amount: number } }) => sum + p.value.amount, 0)).toBe(1_287_450);
    expect(held[0]).toMatchObject({ fund: { name: 'Actions Europe Démo', kind: 'unit_linked' }, shares: { scale: 4 }, nav: { scale: 4, currency: 'EUR' }, valuedOn: DEMO_VALUATION_RANGE.to });
    expect(held[3]).toMatchObject({ fund: { kind: 'euro' }, shares: null, nav: null, valuedOn: DEMO_VALUATION_RANGE.from });

    const policy = await send('broker', 'GET', `/v1/investments/policies/${DEMO_IDS.policies.bobAv}/positions`);
    expect(policy.json.value).toEqual({ amount: 1_287_450, currency: 'EUR' });
    expect(policy.json.compartments[0].positions.filter((p: { fund: { kind: string } }) => p.fund.kind === 'unit_linked')).toHaveLength(3);
  });

  it('answers positions to the subscriber, her distributor and back-office only; someone else gets 404', async () => {
    const path = positions(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain);
    for (const who of ['alice', 'broker', 'partner', 'backoffice']) expect([who, (await send(who, 'GET', path)).status]).toEqual([who, 200]);
    for (const who of ['bob', 'other_broker']) expect([who, failure(await send(who, 'GET', path))]).toEqual([who, [404, 'resource_not_found', 'POLICY_NOT_FOUND', undefined]]);
    expect(failure(await send('alice', 'GET', positions(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.bobAvMain)))).toEqual([404, 'compartment_not_found', 'COMPARTMENT_NOT_FOUND', undefined]);
    expect(failure(await send('alice', 'GET', positions(DEMO_IDS.policies.aliceAv, 'main')))).toEqual([400, 'parameter_invalid', 'INVALID_ID', 'compartmentId']);
    expect((await call(`${server.url}${path}`)).status).toBe(401);
  });

  it('tells the value history, one point per valuation date, ending at the current value; a compartment without positions keeps its recorded value', async () => {
    const base = `/v1/investments/policies/${DEMO_IDS.policies.aliceAv}`;
    const history = await send('alice', 'GET', `${base}/compartments/${DEMO_IDS.compartments.aliceAvMain}/value-history?from=2026-11-02&to=2026-11-30`);
    expect(history.status).toBe(200);
    expect(history.json.valueHistory.map((p: { date: string }) => p.date)).toEqual(demoValuationDates().filter((d) => d >= '2026-11-02'));
    expect(history.json.valueHistory.at(-1).value).toEqual({ amount: 1_287_450, currency: 'EUR' });
    const policyHistory = await send('alice', 'GET', `${base}/value-history?from=2026-11-02&to=2026-11-30`);
    expect(policyHistory.json.valueHistory).toEqual(history.json.valueHistory);
    // The PER's compartments hold no positions yet: their value is their record, and they have no history.
    const per = await send('alice', 'GET', `/v1/investments/policies/${DEMO_IDS.policies.alicePer}/positions`);
    expect(per.json.value).toEqual({ amount: 842_300 + 356_120 + 421_900, currency: 'EUR' });
    expect(per.json.compartments.map((c: { positions: unknown[]; valuedOn: string | null }) => [c.positions, c.valuedOn])).toEqual([[[], null], [[], null], [[], null]]);
    expect((await send('alice', 'GET', `/v1/investments/policies/${DEMO_IDS.policies.alicePer}/value-history`)).json.valueHistory).toEqual([]);
  });

  it('revalues positions at the latest NAV as soon as one is loaded', async () => {
    const path = positions(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain);
    const before = (await send('alice', 'GET', path)).json.positions[0];
    const nav = { value: before.nav.value + 10_000, scale: 4, currency: 'EUR' }; // +1.0000 EUR a share
    expect((await send('partner', 'PUT', `${FUNDS}/${DEMO_FUNDS.europeEquity.isin}/valuations/2026-12-01`, { nav })).json.outcome).toBe('created');
    const after = await send('alice', 'GET', path);
    expect(after.json.valuedOn).toBe('2026-12-01');
    expect(after.json.positions[0]).toMatchObject({ nav, valuedOn: '2026-12-01' });
    // shares x 1.0000 more, in cents: the share count at scale 4 divided by 100, rounded half up.
    const gain = Math.round(before.shares.value / 100);
    expect(after.json.value.amount).toBe(1_287_450 + gain);
  });
});
