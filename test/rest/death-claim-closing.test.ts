import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { tinyPdf } from '../support/files';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { schemaErrors, sepaSchemasAvailable } from '../support/sepa-xsd';
import { startTestServer, type TestServer } from '../support/server';
import { PAYMENTS_SECRET, paymentsEvent } from '../support/surrender-fixtures';

/**
 * Issue 14, the last links: claim payments go out in the pain.001 pay-out files, each to the IBAN of the
 * beneficiary's accepted RIB, and the claim (and its policy) closes when its last part is paid.
 */
type Body = Record<string, any>;
type Caller = Record<string, string>;

const BOB_AV = DEMO_IDS.policies.bobAv;
const BATCHES = '/v1/premium-scheduling/sepa-batches';
const HUGO_IBAN = 'FR7630006000011234567890189';
const INES_IBAN = 'DE89370400440532013000';
const INES_NEW_IBAN = 'BE68539007547034';
const ODILE_IBAN = 'FR7630001007941234567890185';
// 90,000.00 EUR: half to Hugo, a quarter each to Inès and Odile.
const VALUE = 9_000_000;
const person = (firstName: string, share: number) => ({ firstName, lastName: 'Durand', birthDate: '1990-05-01', address: { line1: '5 quai Saint-Antoine', postalCode: '69002', city: 'Lyon', country: 'FR' }, rank: 1, shareBasisPoints: share });
const failure = (answer: Answer) => [answer.status, answer.json?.errors?.[0]?.code, answer.json?.errors?.[0]?.reason];
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['PmtInf', 'CdtTrfTxInf'].includes(name) });
/** Decimal text ("1234.56") to cents, exactly, as the bank reads it. */
const centsOf = (text: string) => {
  expect(text).toMatch(/^\d+\.\d{2}$/);
  return Number(text.replace('.', ''));
};

describe.each(EACH_DATABASE)('death claims paid through the pay-out files and closed on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<string, Caller> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: { ...as[who], 'idempotency-key': `k-${randomBytes(6).toString('hex')}` }, ...(json !== undefined ? { json } : {}) });
  const ok = async (answer: Promise<Answer>, status = 200): Promise<Body> => {
    const done = await answer;
    if (done.status !== status) throw new Error(`expected ${status}, got ${done.status} ${done.text}`);
    return done.json;
  };
  let claim: Body;
  const line = (firstName: string) => claim.beneficiaries.find((b: Body) => b.firstName === firstName)!;
  const linePath = (firstName: string) => `/v1/death-claims/${claim.id}/beneficiaries/${line(firstName).id}`;
  const pay = (firstName: string, iban: string) => send('backoffice', 'POST', `/v1/death-claims/${claim.id}/payments`, { beneficiaryId: line(firstName).id, iban, holderName: `${firstName} Durand` });
  const completeFile = (firstName: string, at: string) => server.db.query('update death_claim_beneficiaries set file_completed_at = $2 where id = $1', [line(firstName).id, at]);
  const uploadRib = async (firstName: string, iban: string) => {
    const pdf = await tinyPdf(`RIB ${firstName} Durand ${iban}`);
    return send('broker', 'POST', `${linePath(firstName)}/documents`, { item: 'iban_proof', fileName: 'rib.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64'), iban });
  };
  const acceptRib = async (firstName: string, iban: string): Promise<string> => {
    const document = await ok(uploadRib(firstName, iban), 201);
    await ok(send('backoffice', 'POST', `${linePath(firstName)}/documents/${document.id}/review`, { decision: 'accept' }));
    return document.id;
  };
  const readClaim = () => ok(send('partner', 'GET', `/v1/death-claims/${claim.id}`));
  const openIds = async () => (await ok(send('backoffice', 'GET', '/v1/death-claims/open?first=100'))).items.map((r: Body) => r.claim.id);
  const claimEntries = async (batchId: string) => ((await ok(send('backoffice', 'GET', `${BATCHES}/${batchId}`))).entries as Body[]).filter((e) => e.sourceKind === 'death_claim_payment');
  const run = async () => {
    const result = await ok(send('backoffice', 'POST', `${BATCHES}/runs`));
    return result.batches.find((b: Body) => b.kind === 'payout');
  };
  const at = async (instant: string) => {
    server.clock.set(instant);
    for (const [i, who] of ['bob', 'broker', 'backoffice'].entries()) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.68.0.${i + 1}`)).token}` };
    as.partner = await partnerHeaders(server.url, '10.68.0.9');
  };
  const payments: Record<string, Body> = {};

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    await at('2026-03-02T10:00:00Z');
    await ok(call(`${server.url}/v1/death-settlement/policies/${BOB_AV}/beneficiary-designation`, {
      method: 'PUT', headers: { ...as.bob, 'if-match': '"0"' }, json: { beneficiaries: [person('Hugo', 5_000), person('Inès', 2_500), person('Odile', 2_500)] },
    }));
    const compartments = await server.db.query<{ id: string }>('select id from compartments where policy_id = $1 order by id', [BOB_AV]);
    await server.db.query('update compartments set value = 0 where policy_id = $1', [BOB_AV]);
    await server.db.query('update compartments set value = $2 where id = $1', [compartments[0].id, VALUE]);
    await at('2026-03-10T10:00:00Z');
    const notice = await ok(send('partner', 'POST', '/v1/death-claims', { subscriberId: DEMO_IDS.subscribers.bob, dateOfDeath: '2026-03-09', source: 'partner_platform', deathCertificateReference: 'ACTE-CLOSE-1' }), 201);
    claim = notice.claims.find((c: Body) => c.policyId === BOB_AV);
    expect(claim).toMatchObject({ status: 'notified', closedAt: null });
    // Hugo's and Inès's files complete on 1 April (due 1 May), each with a RIB naming its IBAN; Odile cannot be found.
    await completeFile('Hugo', '2026-04-01T08:00:00Z');
    await completeFile('Inès', '2026-04-01T08:00:00Z');
    await acceptRib('Hugo', HUGO_IBAN);
    await acceptRib('Inès', INES_IBAN);
    await ok(send('backoffice', 'POST', `${linePath('Odile')}/search-steps`, { kind: 'agira_query_sent', happenedOn: '2026-03-10', note: 'AGIRA query' }), 201);
  });
  afterAll(() => server?.close());

  it('puts the claim payments sent into the next pain.001 batch, capital and late interest to the beneficiary, once; one settled since the run leaves at close', async () => {
    await at('2026-05-04T10:00:00Z'); // Monday, 3 days late
    payments.hugo = await ok(pay('Hugo', HUGO_IBAN), 201);
    payments.ines = await ok(pay('Inès', INES_IBAN), 201);
    expect(payments.hugo.interest.amount).toBeGreaterThan(0);
    const batch = await run();
    expect(batch).toMatchObject({ requestedDate: '2026-05-05', status: 'open' });
    const entries = await claimEntries(batch.id);
    const hex = (id: string) => id.replace(/-/g, '').toUpperCase();
    expect(entries.map((e) => [e.sourceId, e.policyId, e.amount.amount, e.iban, e.partyName, e.endToEndId]).sort()).toEqual([
      [payments.hugo.id, BOB_AV, payments.hugo.total.amount, HUGO_IBAN, 'Hugo Durand', `DC${hex(payments.hugo.id)}`],
      [payments.ines.id, BOB_AV, payments.ines.total.amount, INES_IBAN, 'Inès Durand', `DC${hex(payments.ines.id)}`],
    ].sort());
    // Each payment is in one batch at most: a second run adds nothing.
    expect(await run()).toBeUndefined();
    expect(await server.db.query(`select 1 from sepa_batch_entries where source_kind = 'death_claim_payment'`)).toHaveLength(2);

    // The bank refuses Inès's account before the batch goes out: her payment leaves it (a new one will be sent).
    expect((await paymentsEvent(server, 'death_claim_payment.rejected', { payment_id: payments.ines.id, reason: 'compte clos' })).status).toBe(200);
    const closed = await ok(send('backoffice', 'POST', `${BATCHES}/${batch.id}/close`));
    const answer = await send('backoffice', 'GET', `${BATCHES}/${batch.id}/file`);
    expect(answer.status).toBe(200);
    expect(XMLValidator.validate(answer.text)).toBe(true);
    if (sepaSchemasAvailable() || process.env.CI) expect(schemaErrors(answer.text, 'pain.001.001.03')).toEqual([]);
    const initiation = parser.parse(answer.text).Document.CstmrCdtTrfInitn;
    const [block] = initiation.PmtInf;
    const transfers: Body[] = block.CdtTrfTxInf;
    expect(Number(initiation.GrpHdr.NbOfTxs)).toBe(closed.entryCount);
    expect(transfers.find((t) => t.PmtId.EndToEndId === `DC${hex(payments.ines.id)}`)).toBeUndefined();
    const hugo = transfers.find((t) => t.PmtId.EndToEndId === `DC${hex(payments.hugo.id)}`)!;
    expect(centsOf(hugo.Amt.InstdAmt['#text'])).toBe(payments.hugo.capital.amount + payments.hugo.interest.amount);
    expect(hugo).toMatchObject({ Amt: { InstdAmt: { '@Ccy': 'EUR' } }, Cdtr: { Nm: 'Hugo Durand' }, CdtrAcct: { Id: { IBAN: HUGO_IBAN } }, RmtInf: { Ustrd: `Capital deces et interets de retard sinistre ${claim.id} paiement ${payments.hugo.id}` } });
    expect(centsOf(initiation.GrpHdr.CtrlSum)).toBe(transfers.reduce((sum, t) => sum + centsOf(t.Amt.InstdAmt['#text']), 0));
    expect(await claimEntries(batch.id)).toHaveLength(1);
  });

  it('pays a rejected part again only to the account of a RIB accepted in the file: a new RIB replaces the old until a payment is under way', async () => {
    expect(failure(await pay('Inès', INES_NEW_IBAN))).toEqual([422, 'unprocessable_content', 'IBAN_NOT_ACCEPTED_RIB']);
    const rib = await acceptRib('Inès', INES_NEW_IBAN);
    const file = await ok(send('broker', 'GET', `${linePath('Inès')}/file`));
    expect(file).toMatchObject({ complete: true, completedAt: '2026-04-01T08:00:00.000Z' });
    expect(file.items.find((i: Body) => i.item === 'iban_proof')).toMatchObject({ status: 'accepted', documentId: rib });
    expect(file.paymentIban).toBe('BE68 **** **** 7034');
    expect((await ok(send('backoffice', 'GET', `${linePath('Inès')}/file`))).paymentIban).toBe(INES_NEW_IBAN);
    // The old account is no longer the one to pay.
    expect(failure(await pay('Inès', INES_IBAN))).toEqual([422, 'unprocessable_content', 'IBAN_NOT_ACCEPTED_RIB']);
    payments.ines2 = await ok(pay('Inès', INES_NEW_IBAN), 201);
    expect(payments.ines2).toMatchObject({ iban: INES_NEW_IBAN, daysLate: 3 });
    // The new payment goes out in a new batch (the day's first one is closed), to the new account.
    const batch = await run();
    expect(batch).toMatchObject({ requestedDate: '2026-05-05', status: 'open' });
    expect((await claimEntries(batch.id)).map((e) => [e.sourceId, e.iban])).toEqual([[payments.ines2.id, INES_NEW_IBAN]]);
    // While it is with the payment provider, the file takes no new RIB.
    expect(failure(await uploadRib('Inès', HUGO_IBAN))).toEqual([409, 'conflict', 'BENEFICIARY_FILE_COMPLETE']);
  });

  it('keeps the claim open while a beneficiary is searched for, even with every other part paid', async () => {
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: payments.hugo.id })).status).toBe(200);
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: payments.ines2.id })).status).toBe(200);
    expect(await readClaim()).toMatchObject({ status: 'notified', closedAt: null });
    expect(await openIds()).toContain(claim.id);
    expect(failure(await pay('Odile', HUGO_IBAN))).toEqual([409, 'conflict', 'BENEFICIARY_NOT_PAYABLE']);
    expect((await server.db.query<{ status: string }>('select status from policies where id = $1', [BOB_AV]))[0].status).toBe('active');
  });

  it('closes the claim when the last part is paid: status and date, audit, event in the same transaction, out of the open list, the policy ended', async () => {
    await at('2026-05-11T10:00:00Z');
    await ok(send('backoffice', 'POST', `${linePath('Odile')}/search-steps`, { kind: 'found', happenedOn: '2026-05-08', note: 'Found through the registry' }), 201);
    await completeFile('Odile', '2026-05-11T09:00:00Z');
    await acceptRib('Odile', ODILE_IBAN);
    payments.odile = await ok(pay('Odile', ODILE_IBAN), 201);
    const batch = await run();
    expect((await claimEntries(batch.id)).map((e) => e.sourceId)).toEqual([payments.odile.id]);

    const webhookId = `msg_close_${randomBytes(4).toString('hex')}`;
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: payments.odile.id }, webhookId)).status).toBe(200);
    expect(await readClaim()).toMatchObject({ status: 'closed', closedAt: '2026-05-11T10:00:00.000Z' });
    expect(await openIds()).not.toContain(claim.id);
    const graphql = await ok(send('partner', 'POST', '/graphql', { query: 'query($id: ID!) { deathClaim(id: $id) { status closedAt } }', variables: { id: claim.id } }));
    expect(graphql.data.deathClaim).toEqual({ status: 'closed', closedAt: '2026-05-11T10:00:00.000Z' });
    // French practice: the death benefit paid in full ends the contract; its compartments close at zero.
    expect((await server.db.query<{ status: string }>('select status from policies where id = $1', [BOB_AV]))[0].status).toBe('closed');
    expect((await server.db.query<{ status: string; value: string | number }>('select status, value from compartments where policy_id = $1', [BOB_AV])).every((c) => c.status === 'closed' && Number(c.value) === 0)).toBe(true);
    const closures = await server.db.query<{ reason: string }>('select e.reason from compartment_events e join compartments c on c.id = e.compartment_id where c.policy_id = $1 and e.to_status = $2', [BOB_AV, 'closed']);
    expect(closures.map((c) => c.reason)).toContain(`death claim ${claim.id} paid`);

    // A replay, a late event or a new payment changes nothing.
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: payments.odile.id }, webhookId)).json).toEqual({ received: true, duplicate: true });
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: payments.odile.id })).status).toBe(200);
    expect(failure(await pay('Hugo', HUGO_IBAN))).toEqual([409, 'conflict', 'BENEFICIARY_ALREADY_PAID']);
    const audit = await server.db.query<{ details: Body }>(`select details from audit_log where action = 'death_claim.closed' and target_id = $1`, [claim.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ policyId: BOB_AV, policyStatus: 'closed', capitalAmount: VALUE, webhookId });
    expect(audit[0].details.paymentIds.sort()).toEqual([payments.hugo.id, payments.ines2.id, payments.odile.id].sort());
    const events = await server.db.query<{ resource: Body; distributor_id: string }>(`select resource, distributor_id from outbound_events where type = 'death_claim.closed'`);
    expect(events).toEqual([{ resource: { claimId: claim.id }, distributor_id: DEMO_IDS.distributor }]);
  });
});
