import { randomBytes } from 'node:crypto';
import { insertBroker, partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { tinyPdf } from '../support/files';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS, testId } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { PAYMENTS_SECRET, paymentsEvent } from '../support/surrender-fixtures';

type Body = Record<string, any>;
type Caller = Record<string, string>;

const BOB_AV = DEMO_IDS.policies.bobAv;
const IBAN = 'FR7630006000011234567890189';
const OTHER_IBAN = 'DE89370400440532013000';
const person = (firstName: string, rank: number, share: number) => ({ firstName, lastName: 'Durand', birthDate: '1990-05-01', address: { line1: '5 quai Saint-Antoine', postalCode: '69002', city: 'Lyon', country: 'FR' }, rank, shareBasisPoints: share });
const failure = (answer: Answer) => [answer.status, answer.json?.errors?.[0]?.code, answer.json?.errors?.[0]?.reason];
// 100,000.01 EUR: three thirds leave one cent over, which goes to the largest dropped fraction (Hugo's 33.34 %).
const VALUE = 10_000_001;

describe.each(EACH_DATABASE)('death claim payments on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<string, Caller> = {};
  const send = (who: string, method: string, path: string, json?: unknown, headers: Caller = {}): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: { ...as[who], ...headers }, ...(json !== undefined ? { json } : {}) });
  let claim: Body;
  const line = (firstName: string) => claim.beneficiaries.find((b: Body) => b.firstName === firstName)!;
  const payPath = () => `/v1/death-claims/${claim.id}/payments`;
  const pay = (who: string, firstName: string, extra: Body = {}) =>
    send(who, 'POST', payPath(), { beneficiaryId: line(firstName).id, iban: IBAN, holderName: `${firstName.toUpperCase()} DURAND`, ...extra }, { 'idempotency-key': `k-${randomBytes(6).toString('hex')}` });
  const completeFile = (firstName: string, at: string) => server.db.query('update death_claim_beneficiaries set file_completed_at = $2 where id = $1', [line(firstName).id, at]);
  // The broker uploads the beneficiary's RIB naming its IBAN; back-office accepts it.
  const acceptRib = async (firstName: string, iban: string): Promise<Answer> => {
    const path = `/v1/death-claims/${claim.id}/beneficiaries/${line(firstName).id}/documents`;
    const pdf = await tinyPdf(`RIB ${firstName} Durand ${iban}`);
    const uploaded = await send('broker', 'POST', path, { item: 'iban_proof', fileName: 'rib.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64'), iban });
    if (uploaded.status !== 201) return uploaded;
    return send('backoffice', 'POST', `${path}/${uploaded.json.id}/review`, { decision: 'accept' });
  };
  const ledger = (causeId: string) => server.db.query<{ kind: string; amount: string | number; cause_type: string }>(`select kind, amount, cause_type from policy_money_movements where cause_id = $1 order by id`, [causeId]);
  const open = async (who: string, query = '') => (await send(who, 'GET', `/v1/death-claims/open${query}`)).json;

  let otherEmail: string;
  // Business time moves by weeks: everyone signs in again at each new date (sessions and tokens expire).
  const at = async (instant: string) => {
    server.clock.set(instant);
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.67.0.${i + 1}`)).token}` };
    as.partner = await partnerHeaders(server.url, '10.67.0.9');
    as.otherBroker = { authorization: `Bearer ${(await login(server.url, otherEmail, '10.67.0.10')).token}` };
  };

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true, webhookSecrets: { payments: [PAYMENTS_SECRET] } });
    server.clock.set('2026-03-02T10:00:00Z');
    otherEmail = await insertBroker(server.db, server.clock.now(), { userId: testId('usr_other_broker'), distributorId: testId('dst_other') });
    await at('2026-03-02T10:00:00Z');
    // Bob's designation: three thirds at rank 1, a fallback at rank 2; the policy worth exactly VALUE.
    expect((await send('bob', 'PUT', `/v1/death-settlement/policies/${BOB_AV}/beneficiary-designation`, { beneficiaries: [person('Hugo', 1, 3_334), person('Inès', 1, 3_333), person('Odile', 1, 3_333), person('Paul', 2, 10_000)] }, { 'if-match': '"0"' })).status).toBe(200);
    const compartments = await server.db.query<{ id: string }>('select id from compartments where policy_id = $1 order by id', [BOB_AV]);
    await server.db.query('update compartments set value = 0 where policy_id = $1', [BOB_AV]);
    await server.db.query('update compartments set value = $2 where id = $1', [compartments[0].id, VALUE]);
    await at('2026-03-10T10:00:00Z');
    const notice = await send('partner', 'POST', '/v1/death-claims', { subscriberId: DEMO_IDS.subscribers.bob, dateOfDeath: '2026-03-09', source: 'partner_platform', deathCertificateReference: 'ACTE-PAY-1' });
    expect(notice.status).toBe(201);
    claim = notice.json.claims.find((c: Body) => c.policyId === BOB_AV);
    expect(claim.value).toEqual({ amount: VALUE, currency: 'EUR' });
    // Hugo's and Inès's files became complete on 1 April (Paris): both due by 1 May.
    await completeFile('Hugo', '2026-04-01T08:00:00Z');
    await completeFile('Inès', '2026-04-01T08:00:00Z');
    expect((await acceptRib('Hugo', IBAN)).status).toBe(200);
    expect((await acceptRib('Inès', OTHER_IBAN)).status).toBe(200);
  });
  afterAll(() => server?.close());

  it('is sent by back-office only, to a beneficiary of the paying rank whose file is complete, to an account in their name', async () => {
    await at('2026-04-20T10:00:00Z');
    expect(failure(await pay('broker', 'Hugo'))).toEqual([403, 'forbidden', undefined]);
    expect(failure(await pay('partner', 'Hugo'))).toEqual([403, 'forbidden', undefined]);
    expect(failure(await pay('bob', 'Hugo'))).toEqual([403, 'forbidden', undefined]);
    expect(failure(await pay('backoffice', 'Odile'))).toEqual([409, 'conflict', 'BENEFICIARY_FILE_INCOMPLETE']);
    expect(failure(await pay('backoffice', 'Paul'))).toEqual([409, 'conflict', 'BENEFICIARY_NOT_IN_PAYING_RANK']);
    // An account of someone else (or a joint one) is refused: every payout goes to an account its owner holds.
    expect(failure(await pay('backoffice', 'Hugo', { holderName: 'Jean Martin' }))).toEqual([422, 'unprocessable_content', 'HOLDER_NOT_BENEFICIARY']);
    expect(failure(await pay('backoffice', 'Hugo', { holderName: 'M. OU MME DURAND HUGO ET INES' }))).toEqual([422, 'unprocessable_content', 'HOLDER_NOT_BENEFICIARY']);
    expect(failure(await pay('backoffice', 'Hugo', { iban: 'FR7630006000011234567890188' }))).toEqual([400, 'parameter_invalid', 'IBAN_CHECKSUM_FAILED']);
    // A valid account in Hugo's name, but not the one his accepted RIB shows: the payment follows the file.
    const notTheRib = await pay('backoffice', 'Hugo', { iban: OTHER_IBAN });
    expect(failure(notTheRib)).toEqual([422, 'unprocessable_content', 'IBAN_NOT_ACCEPTED_RIB']);
    expect(notTheRib.json.errors[0]).toMatchObject({ field: 'iban', message: expect.stringContaining('RIB accepted'), doc_url: expect.any(String) });
    // A RIB names its IBAN: none, or a malformed one, is refused at upload.
    expect(failure(await acceptRib('Odile', ''))).toEqual([400, 'parameter_invalid', 'REQUIRED_FIELD_MISSING']);
    expect(failure(await acceptRib('Odile', 'FR7630006000011234567890188'))).toEqual([400, 'parameter_invalid', 'IBAN_CHECKSUM_FAILED']);
    expect(failure(await send('backoffice', 'POST', `/v1/death-claims/${testId('dcl_none')}/payments`, { beneficiaryId: line('Hugo').id, iban: IBAN, holderName: 'Hugo Durand' }))).toEqual([404, 'resource_not_found', 'DEATH_CLAIM_NOT_FOUND']);
    expect((await server.db.query('select 1 from death_claim_payments')).length).toBe(0);
  });

  it('lists open claims with their clocks; overdue ones only past the due date; brokers and partners their customers, subscribers never', async () => {
    await at('2026-05-01T21:30:00Z'); // 23:30 in Paris, 1 May: still the due day
    const onDueDay = await open('backoffice');
    const row = onDueDay.items.find((r: Body) => r.claim.id === claim.id);
    expect(row).toMatchObject({ today: '2026-05-01', overdue: false, interestAccrued: { amount: 0, currency: 'EUR' } });
    expect(row.beneficiaries.map((b: Body) => [b.firstName, b.capital.amount, b.dueDate, b.daysSinceFileComplete, b.overdue])).toEqual([
      ['Hugo', 3_334_001, '2026-05-01', 30, false],
      ['Inès', 3_333_000, '2026-05-01', 30, false],
      ['Odile', 3_333_000, null, null, false],
    ]);
    expect((await open('backoffice', '?overdue=true')).items).toEqual([]);
    await at('2026-05-02T08:00:00Z');
    const late = await open('backoffice', '?overdue=true');
    expect(late.items.map((r: Body) => r.claim.id)).toEqual([claim.id]);
    // One day at twice 6.67 %: 33,330.00 x 2 x 6.67 % / 365 = 12.18 EUR each for Inès (33,340.01 -> 12.19 for Hugo).
    expect(late.items[0].beneficiaries.map((b: Body) => [b.firstName, b.overdue, b.interestAccrued?.amount])).toEqual([['Hugo', true, 1219], ['Inès', true, 1218], ['Odile', false, 0]]);
    expect(late.items[0].interestAccrued).toEqual({ amount: 2437, currency: 'EUR' });
    expect((await open('broker', '?overdue=true')).items.map((r: Body) => r.claim.id)).toEqual([claim.id]);
    expect((await open('partner')).items.map((r: Body) => r.claim.id)).toContain(claim.id);
    expect((await open('otherBroker')).items).toEqual([]);
    expect(failure(await send('bob', 'GET', '/v1/death-claims/open'))).toEqual([403, 'forbidden', undefined]);
    expect(failure(await send('alice', 'GET', '/v1/death-claims/open?overdue=true'))).toEqual([403, 'forbidden', undefined]);
  });

  it('pays on day 30 without interest, and on day 31 with one day of doubled legal interest, capital and interest together', async () => {
    await at('2026-05-01T21:30:00Z');
    const onTime = await pay('backoffice', 'Hugo');
    expect(onTime.status).toBe(201);
    expect(onTime.json).toMatchObject({ status: 'sent', capital: { amount: 3_334_001 }, interest: { amount: 0 }, total: { amount: 3_334_001 }, dueDate: '2026-05-01', interestTo: '2026-05-01', daysLate: 0, interestSegments: [], iban: IBAN });
    expect(failure(await pay('backoffice', 'Hugo'))).toEqual([409, 'conflict', 'BENEFICIARY_PAYMENT_UNDER_WAY']);
    await at('2026-05-02T08:00:00Z');
    const late = await pay('backoffice', 'Inès', { holderName: 'Mme Ines Durand', iban: OTHER_IBAN });
    expect(late.status).toBe(201);
    expect(late.json).toMatchObject({
      capital: { amount: 3_333_000 }, interest: { amount: 1218 }, total: { amount: 3_334_218 }, daysLate: 1, rateCategory: 'consumer',
      interestSegments: [{ from: '2026-05-02', to: '2026-05-02', days: 1, rateBasisPoints: 667, multiplier: 2, yearDays: 365 }],
    });
    // A broker reads it masked; a subscriber never.
    const read = await send('broker', 'GET', `/v1/death-claims/${claim.id}/payments/${late.json.id}`);
    expect([read.status, read.json.iban]).toEqual([200, 'DE89 **** **** **** **30 00']);
    expect(failure(await send('bob', 'GET', `/v1/death-claims/${claim.id}/payments`))).toEqual([403, 'forbidden', undefined]);
    expect(failure(await send('otherBroker', 'GET', `/v1/death-claims/${claim.id}/payments/${late.json.id}`))).toEqual([404, 'resource_not_found', 'DEATH_CLAIM_NOT_FOUND']);
    // Sent is not paid: the clocks show the payments on their way and the claim is no longer overdue.
    expect((await open('backoffice', '?overdue=true')).items).toEqual([]);
  });

  it('is paid once by the payments webhook: the ledger gets the capital and the interest once, whatever is replayed', async () => {
    const [hugo, ines] = (await send('backoffice', 'GET', `/v1/death-claims/${claim.id}/payments`)).json;
    const webhookId = `msg_dc_${randomBytes(4).toString('hex')}`;
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: ines.id }, webhookId)).json).toEqual({ received: true, duplicate: false });
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: ines.id }, webhookId)).json).toEqual({ received: true, duplicate: true });
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: ines.id })).status).toBe(200);
    expect((await paymentsEvent(server, 'death_claim_payment.rejected', { payment_id: ines.id, reason: 'too late' })).status).toBe(200);
    expect((await paymentsEvent(server, 'death_claim_payment.paid', { payment_id: hugo.id })).status).toBe(200);
    expect((await ledger(ines.id)).map((m) => [m.kind, Number(m.amount), m.cause_type])).toEqual([['death_benefit_payout', -3_333_000, 'death_claim_payment'], ['late_interest', -1218, 'death_claim_payment']]);
    expect((await ledger(hugo.id)).map((m) => [m.kind, Number(m.amount)])).toEqual([['death_benefit_payout', -3_334_001]]);
    const paid = await send('partner', 'GET', `/v1/death-claims/${claim.id}/payments/${ines.id}`);
    expect(paid.json).toMatchObject({ status: 'paid', paidAt: expect.any(String), rejectedAt: null });
    const events = await server.db.query<{ resource: Body }>(`select resource from outbound_events where type = 'death_claim.paid' order by created_at, id`);
    expect(events.map((e) => e.resource)).toEqual(expect.arrayContaining([{ claimId: claim.id, paymentId: ines.id }, { claimId: claim.id, paymentId: hugo.id }]));
    expect(events.length).toBe(2);
    const mails = await server.db.query<{ recipient_user_id: string; payload: Body }>(`select recipient_user_id, payload from notification_outbox where template = 'death_claim_paid' and payload->>'paymentId' = $1`, [ines.id]);
    expect(mails.map((m) => m.recipient_user_id).sort()).toEqual([DEMO_IDS.users.backoffice, DEMO_IDS.users.broker].sort());
    expect(mails[0].payload).toMatchObject({ interest: expect.stringContaining('12,18'), daysLate: 1 });
    const audit = await server.db.query<{ action: string }>(`select action from audit_log where target_type = 'death_claim' and target_id = $1 order by id`, [claim.id]);
    expect(audit.map((a) => a.action)).toEqual(['death_claim.payment_sent', 'death_claim.payment_sent', 'death_claim.payment_paid', 'death_claim.payment_paid']);
    expect(failure(await pay('backoffice', 'Inès'))).toEqual([409, 'conflict', 'BENEFICIARY_ALREADY_PAID']);
  });

  it('a rejected payment may be sent again, with the interest run to the new day: into the tripled months and across the half-year', async () => {
    await completeFile('Odile', '2026-03-31T10:00:00Z'); // due 30 April (no 31st)
    expect((await acceptRib('Odile', IBAN)).status).toBe(200);
    await at('2026-05-05T10:00:00Z');
    const first = await pay('backoffice', 'Odile');
    expect(first.json).toMatchObject({ dueDate: '2026-04-30', daysLate: 5 });
    expect((await paymentsEvent(server, 'death_claim_payment.rejected', { payment_id: first.json.id, reason: 'compte clos' })).status).toBe(200);
    expect((await send('backoffice', 'GET', `/v1/death-claims/${claim.id}/payments/${first.json.id}`)).json).toMatchObject({ status: 'rejected', rejectionReason: 'compte clos' });
    expect(await ledger(first.json.id)).toEqual([]);
    // Doubled 1 May to 30 June (61 days), then tripled from 1 July: the second half of 2026 has no rate loaded yet.
    await at('2026-07-02T10:00:00Z');
    expect(failure(await pay('backoffice', 'Odile'))).toEqual([409, 'conflict', 'LEGAL_INTEREST_RATE_MISSING']);
    const clocks = (await open('backoffice', '?overdue=true')).items.find((r: Body) => r.claim.id === claim.id);
    expect([clocks.interestAccrued, clocks.beneficiaries.find((b: Body) => b.firstName === 'Odile').interestAccrued]).toEqual([null, null]);
    expect(failure(await send('broker', 'POST', '/v1/legal-interest-rates', { category: 'consumer', validFrom: '2026-07-01', validTo: '2026-12-31', rateBasisPoints: 700, source: 'test' }))).toEqual([403, 'forbidden', undefined]);
    expect(failure(await send('backoffice', 'POST', '/v1/legal-interest-rates', { category: 'consumer', validFrom: '2026-07-02', validTo: '2026-12-31', rateBasisPoints: 700, source: 'test' }))).toEqual([400, 'parameter_invalid', 'NOT_A_HALF_YEAR_START']);
    // A made-up rate for a half-year not published in this test's world: 7.00 %.
    const loaded = await send('backoffice', 'POST', '/v1/legal-interest-rates', { category: 'consumer', validFrom: '2026-07-01', validTo: '2026-12-31', rateBasisPoints: 700, source: 'test rate' }, { 'idempotency-key': 'rate-2026-2' });
    expect([loaded.status, loaded.json]).toEqual([201, { category: 'consumer', validFrom: '2026-07-01', validTo: '2026-12-31', rateBasisPoints: 700 }]);
    expect(failure(await send('backoffice', 'POST', '/v1/legal-interest-rates', { category: 'consumer', validFrom: '2026-07-01', validTo: '2026-12-31', rateBasisPoints: 701, source: 'x' }))).toEqual([409, 'conflict', 'LEGAL_RATE_ALREADY_LOADED']);
    const second = await pay('backoffice', 'Odile');
    expect(second.status).toBe(201);
    expect(second.json.interestSegments.map((s: Body) => [s.from, s.to, s.days, s.rateBasisPoints, s.multiplier])).toEqual([
      ['2026-05-01', '2026-06-30', 61, 667, 2],
      ['2026-07-01', '2026-07-02', 2, 700, 3],
    ]);
    // 3,333,000 x (61 x 667 x 2 + 2 x 700 x 3) / (10000 x 365) = 3,333,000 x 85,574 / 3,650,000 = 78,141.69 -> 78,142
    expect(second.json).toMatchObject({ daysLate: 63, interest: { amount: 78_142 }, total: { amount: 3_411_142 } });
    expect((await send('backoffice', 'GET', '/v1/legal-interest-rates')).json).toContainEqual({ category: 'consumer', validFrom: '2026-07-01', validTo: '2026-12-31', rateBasisPoints: 700 });
  });
});
