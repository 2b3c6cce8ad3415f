import { DEMO_FUNDS } from '../../domain/demo/demo-investments';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, testId } from '../support/ids';
import { freshPolicy } from '../support/surrender-fixtures';
import { PositionStore } from '../../store/position-store';

const MANDATES = '/v1/investments/mandates';
const delegatePath = (policyId: string, compartmentId: string) => `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartmentId}/delegate`;
const revokePath = (policyId: string, compartmentId: string) => `/v1/compartment-lifecycle/policies/${policyId}/compartments/${compartmentId}/revoke-delegation`;
const E = DEMO_FUNDS.europeEquity.isin;
const B = DEMO_FUNDS.worldBonds.isin;
const W = DEMO_FUNDS.worldEquity.isin;
const EURO = DEMO_FUNDS.euro.isin;
/** Status, documented code, reason and field of the first error. */
const failure = (answer: Answer) => [answer.status, answer.json.errors[0].code, answer.json.errors[0].reason, answer.json.errors[0].field];

describe.each(EACH_DATABASE)('mandates on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> => call(`${server.url}${path}`, { method, headers: headers[who], ...(json !== undefined ? { json } : {}) });
  async function mandate(lines?: Array<{ isin: string; basisPoints: number }>): Promise<string> {
    const created = await send('backoffice', 'POST', MANDATES, { name: 'Équilibre', riskLevel: 4 });
    expect(created.status).toBe(201);
    if (lines) expect((await send('backoffice', 'PUT', `${MANDATES}/${created.json.id}/target-allocation`, { lines })).status).toBe(200);
    return created.json.id;
  }

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    server.clock.set('2026-12-02T10:00:00Z');
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.66.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.66.0.9');
  });
  afterAll(() => server.close());

  it('back-office creates a mandate and sets its target allocation; anyone signed in reads it', async () => {
    const created = await send('backoffice', 'POST', MANDATES, { name: '  Prudent  ', riskLevel: 2 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Prudent', riskLevel: 2, targetAllocation: [] });
    const path = `${MANDATES}/${created.json.id}`;
    const set = await send('backoffice', 'PUT', `${path}/target-allocation`, { lines: [{ isin: B, basisPoints: 3_000 }, { isin: EURO, basisPoints: 7_000 }] });
    expect(set.status).toBe(200);
    expect(set.json.targetAllocation).toEqual([{ isin: EURO, basisPoints: 7_000 }, { isin: B, basisPoints: 3_000 }]);
    expect((await send('alice', 'GET', path)).json).toEqual(set.json);
    expect((await send('partner', 'GET', MANDATES)).json.map((m: { id: string }) => m.id)).toContain(created.json.id);
    expect(failure(await send('alice', 'POST', MANDATES, { name: 'x', riskLevel: 2 }))).toEqual([403, 'forbidden', undefined, undefined]);
    expect(failure(await send('backoffice', 'POST', MANDATES, { name: ' ', riskLevel: 8 }))).toEqual([400, 'parameter_invalid', 'MANDATE_NAME_REQUIRED', 'name']);
    const audit = await server.db.query<{ action: string }>("select action from audit_log where target_type = 'mandate' and target_id = $1 order by id", [created.json.id]);
    expect(audit.map((a) => a.action)).toEqual(['mandate.created', 'mandate.target_allocation_set']);
  });

  it.each([
    ['a fund twice', [{ isin: B, basisPoints: 5_000 }, { isin: B, basisPoints: 5_000 }], [400, 'duplicate_fund_in_target_allocation', 'DUPLICATE_FUND_IN_TARGET_ALLOCATION', 'lines[1].isin']],
    ['a share above 10000 bp', [{ isin: B, basisPoints: 12_500 }], [400, 'invalid_target_allocation', 'TARGET_ALLOCATION_BASIS_POINTS_OUT_OF_RANGE', 'lines[0].basisPoints']],
    ['a share of 0 bp', [{ isin: B, basisPoints: 0 }, { isin: E, basisPoints: 10_000 }], [400, 'invalid_target_allocation', 'TARGET_ALLOCATION_BASIS_POINTS_OUT_OF_RANGE', 'lines[0].basisPoints']],
    ['a total other than 10000 bp', [{ isin: B, basisPoints: 4_000 }, { isin: E, basisPoints: 5_000 }], [400, 'percentage_target_allocation_is_not_10000_basis_points', 'TARGET_ALLOCATION_NOT_10000_BASIS_POINTS', 'lines']],
    ['no line', [], [400, 'percentage_target_allocation_is_not_10000_basis_points', 'TARGET_ALLOCATION_NOT_10000_BASIS_POINTS', 'lines']],
    ['an ISIN that does not verify', [{ isin: 'FR000000000X', basisPoints: 10_000 }], [400, 'parameter_invalid', 'ISIN_INVALID', 'lines[0].isin']],
    ['a fund outside the catalogue', [{ isin: 'US0378331005', basisPoints: 10_000 }], [404, 'resource_not_found', 'FUND_NOT_FOUND', 'lines[0].isin']],
  ])('refuses a target allocation with %s', async (_what, lines, expected) => {
    const id = await mandate();
    expect(failure(await send('backoffice', 'PUT', `${MANDATES}/${id}/target-allocation`, { lines }))).toEqual(expected);
  });

  it('answers mandate_not_found for an unknown mandate', async () => {
    const nobody = testId('mandate_nobody');
    expect(failure(await send('alice', 'GET', `${MANDATES}/${nobody}`))).toEqual([404, 'mandate_not_found', 'MANDATE_NOT_FOUND', 'mandateId']);
    expect(failure(await send('backoffice', 'PUT', `${MANDATES}/${nobody}/target-allocation`, { lines: [{ isin: EURO, basisPoints: 10_000 }] }))[1]).toBe('mandate_not_found');
    expect(failure(await send('alice', 'POST', delegatePath(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain), { mandateId: nobody }))[1]).toBe('mandate_not_found');
  });

  it('refuses to delegate to a mandate without a target allocation (422), an unknown compartment (404), someone else\'s policy (404)', async () => {
    const bare = await mandate();
    expect(failure(await send('alice', 'POST', delegatePath(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain), { mandateId: bare }))).toEqual([422, 'delegate_compartment_to_mandate_mandate_has_no_target_allocation', 'MANDATE_HAS_NO_TARGET_ALLOCATION', 'mandateId']);
    const full = await mandate([{ isin: EURO, basisPoints: 10_000 }]);
    expect(failure(await send('alice', 'POST', delegatePath(DEMO_IDS.policies.aliceAv, testId('cmp_nobody')), { mandateId: full }))[1]).toBe('compartment_not_found');
    expect(failure(await send('alice', 'POST', delegatePath(DEMO_IDS.policies.bobAv, DEMO_IDS.compartments.bobAvMain), { mandateId: full }))[0]).toBe(404);
  });

  it('delegates a self-invested compartment: it becomes managed and a switch rebalances it to the target at forward prices', async () => {
    const id = await mandate([{ isin: E, basisPoints: 6_000 }, { isin: EURO, basisPoints: 4_000 }]);
    const policyId = DEMO_IDS.policies.bobAv;
    const compartmentId = DEMO_IDS.compartments.bobAvMain;
    const held = (await send('bob', 'GET', `/v1/investments/policies/${policyId}/compartments/${compartmentId}/positions`)).json.positions;
    const delegated = await send('broker', 'POST', delegatePath(policyId, compartmentId), { mandateId: id });
    expect(delegated.status).toBe(200);
    expect(delegated.json).toMatchObject({ policyId, compartmentId, mandateId: id, rebalancing: { status: 'requested', receivedOn: '2026-12-02', requestedBy: 'broker' } });
    const legs = delegated.json.rebalancing.legs;
    expect(legs.filter((l: { direction: string }) => l.direction === 'SELL')).toEqual(held.map((p: { isin: string }) => expect.objectContaining({ isin: p.isin, unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 10_000 })));
    expect(legs.filter((l: { direction: string }) => l.direction === 'BUY')).toEqual([expect.objectContaining({ isin: E, basisPoints: 6_000 }), expect.objectContaining({ isin: EURO, basisPoints: 4_000 })]);

    // Managed now: no switch by request, no second delegation.
    expect(failure(await send('bob', 'POST', delegatePath(policyId, compartmentId), { mandateId: id }))).toEqual([409, 'delegate_compartment_to_mandate_compartment_is_not_self_invested', 'COMPARTMENT_ALREADY_MANAGED', undefined]);
    expect(failure(await send('bob', 'POST', `/v1/switches/policies/${policyId}/compartments/${compartmentId}/requests`, { legs: [
      { isin: E, direction: 'SELL', unit: 'BASIS_POINT_OF_CURRENT_POSITION', basisPoints: 5_000 }, { isin: EURO, direction: 'BUY', unit: 'BASIS_POINT_OF_SELL_PROCEED', basisPoints: 10_000 },
    ] }))[1]).toBe('self_investment_switch_compartment_is_not_self_invested');

    // Forward pricing: executed once every unit-linked fund of it has a NAV dated on or after 2026-12-02.
    const unitLinked = [...new Set(legs.map((l: { isin: string }) => l.isin))].filter((isin) => isin !== EURO) as string[];
    for (const isin of unitLinked) expect((await send('partner', 'PUT', `/v1/investments/funds/${isin}/valuations/2026-12-02`, { nav: { value: 1_200_000, scale: 4, currency: 'EUR' } })).status).toBe(200);
    const read = await send('bob', 'GET', `/v1/switches/policies/${policyId}/compartments/${compartmentId}/requests/${delegated.json.rebalancing.id}`);
    expect(read.json.status).toBe('executed');
    const sold = read.json.execution.filter((e: { direction: string }) => e.direction === 'SELL').reduce((s: number, e: { amount: { amount: number } }) => s + e.amount.amount, 0);
    const bought = read.json.execution.filter((e: { direction: string }) => e.direction === 'BUY');
    expect(bought[0].amount.amount + bought[1].amount.amount).toBe(sold);
    const after = (await send('bob', 'GET', `/v1/investments/policies/${policyId}/compartments/${compartmentId}/positions`)).json.positions;
    expect(after.map((p: { isin: string }) => p.isin).sort()).toEqual([E, EURO].sort());
    const audit = await server.db.query<{ action: string }>("select action from audit_log where target_type = 'compartment' and target_id = $1 and action = 'compartment.delegated'", [compartmentId]);
    expect(audit).toHaveLength(1);
    const gql = await send('bob', 'POST', '/graphql', { query: 'query($p: ID!, $c: ID!) { compartment(policyId: $p, id: $c) { mandateId } }', variables: { p: policyId, c: compartmentId } });
    expect(gql.json.data.compartment).toEqual({ mandateId: id });
  });

  it('a compartment holding no position is delegated without a switch', async () => {
    const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
    const id = await mandate([{ isin: EURO, basisPoints: 10_000 }]);
    const delegated = await send('alice', 'POST', delegatePath(policyId, compartments.MAIN), { mandateId: id });
    expect(delegated.status).toBe(200);
    expect(delegated.json).toEqual({ policyId, compartmentId: compartments.MAIN, mandateId: id, rebalancing: null });
  });

  it('back-office renames a mandate or changes its risk level (only the fields sent), audited; anyone else 403', async () => {
    const id = await mandate();
    const path = `${MANDATES}/${id}`;
    const renamed = await send('backoffice', 'PATCH', path, { name: ' Équilibre durable ' });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ id, name: 'Équilibre durable', riskLevel: 4 });
    expect((await send('backoffice', 'PATCH', path, { riskLevel: 5 })).json).toMatchObject({ name: 'Équilibre durable', riskLevel: 5 });
    // The same values again change nothing (no audit entry).
    expect((await send('backoffice', 'PATCH', path, { riskLevel: 5 })).status).toBe(200);
    expect(failure(await send('backoffice', 'PATCH', path, { riskLevel: 8 }))).toEqual([400, 'parameter_invalid', 'RISK_LEVEL_OUT_OF_RANGE', 'riskLevel']);
    expect(failure(await send('backoffice', 'PATCH', path, { name: '  ' }))).toEqual([400, 'parameter_invalid', 'MANDATE_NAME_REQUIRED', 'name']);
    expect(failure(await send('broker', 'PATCH', path, { riskLevel: 3 }))).toEqual([403, 'forbidden', undefined, undefined]);
    expect(failure(await send('backoffice', 'PATCH', `${MANDATES}/${testId('mandate_nobody')}`, { riskLevel: 3 }))[1]).toBe('mandate_not_found');
    const audit = await server.db.query<{ action: string; details: { previous: { riskLevel: number } } }>("select action, details from audit_log where target_type = 'mandate' and target_id = $1 and action = 'mandate.updated' order by id", [id]);
    expect(audit.map((a) => a.details.previous.riskLevel)).toEqual([4, 4]);
  });

  it('a new target allocation rebalances every compartment delegated to the mandate, once; a waiting rebalancing is replaced', async () => {
    // W has no NAV dated 2 December (an earlier test loaded E's): a rebalancing buying it waits.
    const id = await mandate([{ isin: EURO, basisPoints: 10_000 }]);
    // Two compartments holding the euro fund (no NAV needed): their rebalancings execute at once.
    const held = [];
    for (const who of ['alice', 'bob'] as const) {
      const { policyId, compartments } = await freshPolicy(server, who, 'av');
      await server.db.transaction((tx) => new PositionStore(tx).append(tx, [{ compartmentId: compartments.MAIN, isin: EURO, effectiveOn: '2025-12-01', shares: null, amount: 500_000, causeType: 'opening', causeId: compartments.MAIN, at: new Date('2025-12-01T10:00:00Z') }]));
      const delegated = await send('backoffice', 'POST', delegatePath(policyId, compartments.MAIN), { mandateId: id });
      expect(delegated.json.rebalancing.status).toBe('executed');
      held.push({ policyId, compartmentId: compartments.MAIN });
    }
    const switchesOf = async (c: { policyId: string; compartmentId: string }) => (await server.db.query<{ id: string; status: string; stopped_reason: string | null; legs: Array<{ isin: string; direction: string; basisPoints: number }> }>('select id, status, stopped_reason, legs from switch_requests where compartment_id = $1 order by created_at, id', [c.compartmentId]));

    // Half into a unit-linked fund: it waits for a NAV dated on or after today.
    const target = `${MANDATES}/${id}/target-allocation`;
    expect((await send('backoffice', 'PUT', target, { lines: [{ isin: EURO, basisPoints: 5_000 }, { isin: W, basisPoints: 5_000 }] })).status).toBe(200);
    for (const c of held) {
      const all = await switchesOf(c);
      expect(all).toHaveLength(2);
      expect(all[1]).toMatchObject({ status: 'requested' });
      expect(all[1].legs).toEqual([
        expect.objectContaining({ isin: EURO, direction: 'SELL', basisPoints: 10_000 }),
        expect.objectContaining({ isin: EURO, direction: 'BUY', basisPoints: 5_000 }), expect.objectContaining({ isin: W, direction: 'BUY', basisPoints: 5_000 }),
      ]);
    }
    // The same allocation again (a retry): nothing more.
    expect((await send('backoffice', 'PUT', target, { lines: [{ isin: W, basisPoints: 5_000 }, { isin: EURO, basisPoints: 5_000 }] })).status).toBe(200);
    for (const c of held) expect(await switchesOf(c)).toHaveLength(2);
    // Another before the NAV: the waiting rebalancing is stopped and replaced.
    expect((await send('backoffice', 'PUT', target, { lines: [{ isin: EURO, basisPoints: 2_000 }, { isin: W, basisPoints: 8_000 }] })).status).toBe(200);
    for (const c of held) {
      const all = await switchesOf(c);
      expect(all.map((s) => [s.status, s.stopped_reason])).toEqual([['executed', null], ['stopped', 'TARGET_ALLOCATION_CHANGED'], ['requested', null]]);
    }
    const audit = await server.db.query<{ details: { compartments: Array<{ compartmentId: string; rebalancingId: string }> } }>("select details from audit_log where target_type = 'mandate' and target_id = $1 and action = 'mandate.target_allocation_set' order by id", [id]);
    expect(audit).toHaveLength(3);
    expect(audit[2].details.compartments.map((c) => c.compartmentId).sort()).toEqual(held.map((c) => c.compartmentId).sort());

    // Un-delegation: back to self-invested, positions kept, the waiting rebalancing stopped.
    const [first] = held;
    const before = (await send('alice', 'GET', `/v1/investments/policies/${first.policyId}/compartments/${first.compartmentId}/positions`)).json.positions;
    const revoked = await send('broker', 'POST', revokePath(first.policyId, first.compartmentId));
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ policyId: first.policyId, compartmentId: first.compartmentId, mandateId: id, stoppedRebalancing: { status: 'stopped' } });
    expect((await send('alice', 'GET', `/v1/investments/policies/${first.policyId}/compartments/${first.compartmentId}/positions`)).json.positions).toEqual(before);
    expect((await switchesOf(first)).at(-1)).toMatchObject({ status: 'stopped', stopped_reason: 'DELEGATION_REVOKED' });
    const gql = await send('alice', 'POST', '/graphql', { query: 'query($p: ID!, $c: ID!) { compartment(policyId: $p, id: $c) { mandateId } }', variables: { p: first.policyId, c: first.compartmentId } });
    expect(gql.json.data.compartment).toEqual({ mandateId: null });
    expect(failure(await send('alice', 'POST', revokePath(first.policyId, first.compartmentId)))).toEqual([409, 'conflict', 'COMPARTMENT_NOT_MANAGED', undefined]);
    // Self-invested again: the subscriber switches as before, and it no longer follows the mandate.
    expect((await send('backoffice', 'PUT', target, { lines: [{ isin: EURO, basisPoints: 10_000 }] })).status).toBe(200);
    expect(await switchesOf(first)).toHaveLength(3);
    expect((await switchesOf(held[1])).at(-1)).toMatchObject({ status: 'executed' });
    const revokedAudit = await server.db.query<{ details: { mandateId: string } }>("select details from audit_log where action = 'compartment.delegation_revoked' and target_id = $1", [first.compartmentId]);
    expect(revokedAudit.map((a) => a.details.mandateId)).toEqual([id]);
  });

  it('revoking: someone else\'s policy 404, an unknown compartment compartment_not_found, 401 first', async () => {
    expect((await send('bob', 'POST', revokePath(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain))).status).toBe(404);
    expect(failure(await send('alice', 'POST', revokePath(DEMO_IDS.policies.aliceAv, testId('cmp_nobody'))))[1]).toBe('compartment_not_found');
    expect((await call(`${server.url}${revokePath(DEMO_IDS.policies.aliceAv, DEMO_IDS.compartments.aliceAvMain)}`, { method: 'POST' })).status).toBe(401);
  });

  it('GraphQL: the same operations', async () => {
    const gql = (who: string, query: string, variables: Record<string, unknown> = {}) => send(who, 'POST', '/graphql', { query, variables });
    const created = await gql('backoffice', 'mutation { createMandate(input: { name: "Dynamique", riskLevel: 6 }) { id riskLevel } }');
    const id = created.json.data.createMandate.id;
    const set = await gql('backoffice', 'mutation($id: ID!) { setMandateTargetAllocation(id: $id, lines: [{ isin: "FR0000000001", basisPoints: 10000 }]) { targetAllocation { isin basisPoints } } }', { id });
    expect(set.json.data.setMandateTargetAllocation.targetAllocation).toEqual([{ isin: EURO, basisPoints: 10_000 }]);
    expect((await gql('alice', 'query($id: ID!) { mandate(id: $id) { name } }', { id })).json.data.mandate).toEqual({ name: 'Dynamique' });
    const missing = await gql('alice', 'query($id: ID!) { mandate(id: $id) { name } }', { id: testId('mandate_nobody') });
    expect(missing.json.errors[0].extensions.code).toBe('mandate_not_found');
  });
});
