import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { schemaErrors, sepaSchemasAvailable } from '../support/sepa-xsd';
import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';
import { TEST_SEPA_ENV } from '../support/sepa-env';
import { freshPolicy } from '../support/surrender-fixtures';
import { PolicyStore } from '../../store/policy-store';
import { newUuid } from '../../domain/shared/ids';

const IBAN = 'FR7630006000011234567890189';
const IBAN_DE = 'DE89370400440532013000';
const BATCHES = '/v1/premium-scheduling/sepa-batches';

type Body = Record<string, any>;
type Caller = Record<string, string>;

let addressCounter = 0;
const newAddress = () => `10.64.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;
const newKey = () => `key-${randomBytes(9).toString('base64url')}`;

// Every element that may repeat is an array, whatever the number of entries; values stay text (amounts exact).
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['PmtInf', 'DrctDbtTxInf', 'CdtTrfTxInf'].includes(name) });

/** Adds cents given as decimal text ("1234.56") exactly, as the bank would. */
const centsOf = (text: string) => {
  expect(text).toMatch(/^\d+\.\d{2}$/);
  return Number(text.replace('.', ''));
};

describe.each(EACH_DATABASE)('REST SEPA batches on %s', (_name, database) => {
  let server: TestServer;
  let base: string;
  let alice: Caller;
  let bob: Caller;
  let broker: Caller;
  let backoffice: Caller;
  let machine: Caller;
  let payerId: string;
  let policyId: string;

  const bearer = async (email: string): Promise<Caller> => ({ authorization: `Bearer ${(await login(base, email, newAddress())).token}` });
  const post = (caller: Caller, path: string, json?: unknown) => call(`${base}${path}`, { method: 'POST', headers: { ...caller, 'idempotency-key': newKey() }, ...(json !== undefined ? { json } : {}) });
  const get = (caller: Caller, path: string) => call(`${base}${path}`, { headers: caller });
  const ok = async (answer: Promise<Answer>, status = 200): Promise<any> => {
    const done = await answer;
    if (done.status !== status) throw new Error(`expected ${status}, got ${done.status} ${done.text}`);
    return done.json;
  };
  const singlePremium = (amount: number, iban = IBAN) =>
    ok(post(alice, '/v1/premium-scheduling/single-premium-requests', { policyId, payerId, method: 'sepa_direct_debit', amount: { value: amount, currency: 'EUR' }, iban }), 201);
  const run = () => ok(post(backoffice, `${BATCHES}/runs`));
  const entriesOf = async (batchId: string) => (await ok(get(backoffice, `${BATCHES}/${batchId}`))).entries as Body[];
  const notices = () => server.db.query<{ recipient_user_id: string | null; payload: Body }>("select recipient_user_id, payload from notification_outbox where template = 'sepa_pre_notification' order by id");

  /** Sessions last hours: moving the clock by days needs new logins. */
  const signIn = async () => {
    [alice, bob, broker, backoffice] = await Promise.all(['alice@demo.test', 'bob@demo.test', 'broker@demo.test', 'backoffice@demo.test'].map(bearer));
    machine = await partnerHeaders(base, newAddress());
  };

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    base = server.url;
    server.clock.set(new Date('2026-03-10T09:00:00Z'));
    await signIn();
    policyId = (await freshPolicy(server, 'alice', 'av')).policyId;
    payerId = (await ok(post(broker, `/v1/premium-scheduling/subscribers/${DEMO_IDS.subscribers.alice}/payers`, { relationship: 'parent', firstName: 'Jeanne', lastName: 'Martin', birthDate: '1950-04-02', email: 'jeanne.martin@example.test' }), 201)).id;
    await ok(post(broker, `/v1/premium-scheduling/payers/${payerId}/ibans`, { iban: IBAN, holderName: 'Jeanne Martin' }), 201);
    await ok(post(broker, `/v1/premium-scheduling/payers/${payerId}/ibans`, { iban: IBAN_DE, holderName: 'Jeanne Martin-Müller' }), 201);
  });
  afterAll(() => server?.close());

  describe('collections (pain.008)', () => {
    let batch: Body;
    let first: Body;
    let second: Body;
    let scheduled: { id: string; amount: number };

    beforeAll(async () => {
      // A monthly premium due on the 15th, and the day after it the due-date job has produced its collection.
      await ok(post(alice, `/v1/premium-scheduling/policies/${policyId}/schedule`, { payerId, frequency: 'monthly', amount: { value: 12_345, currency: 'EUR' }, dayOfMonth: 15 }), 201);
      server.clock.set(new Date('2026-03-16T09:00:00Z'));
      await signIn();
      await server.app.services.premiumSchedules.runDue();
      const [row] = await server.db.query<{ id: string; amount: string }>("select id, amount from scheduled_premium_collections where policy_id = $1 and due_date = '2026-03-15'", [policyId]);
      scheduled = { id: row.id, amount: Number(row.amount) };
      first = await singlePremium(150_001);
      second = await singlePremium(99_999, IBAN_DE);
    });

    it('puts every pending collection into one batch per requested date, 14 calendar days ahead, under a new mandate (FRST)', async () => {
      const result = await run();
      const collections = result.batches.filter((b: Body) => b.kind === 'collection');
      expect(collections).toHaveLength(1);
      batch = collections[0];
      // 2026-03-16 + 14 days = 2026-03-30, a Monday; the scheduled due date (15th) is earlier.
      expect(batch).toMatchObject({ kind: 'collection', status: 'open', requestedDate: '2026-03-30', closedAt: null, controlSum: { currency: 'EUR' } });
      const entries = await entriesOf(batch.id);
      const mine = (id: string) => entries.find((e) => e.sourceId === id);
      expect(mine(first.id)).toMatchObject({ sourceKind: 'single_premium_request', amount: { amount: 150_001, currency: 'EUR' }, iban: IBAN, partyName: 'Jeanne Martin', sequenceType: 'FRST' });
      expect(mine(second.id)).toMatchObject({ sourceKind: 'single_premium_request', amount: { amount: 99_999, currency: 'EUR' }, iban: IBAN_DE, sequenceType: 'FRST' });
      // Same payer and IBAN as the first request: the same mandate, not its first collection any more.
      expect(mine(scheduled.id)).toMatchObject({ sourceKind: 'scheduled_premium_collection', amount: { amount: scheduled.amount, currency: 'EUR' }, iban: IBAN, sequenceType: 'RCUR' });
      expect(mine(scheduled.id)!.mandateReference).toBe(mine(first.id)!.mandateReference);
      expect(batch.entryCount).toBe(entries.length);
      expect(batch.controlSum.amount).toBe(entries.reduce((sum, e) => sum + e.amount.amount, 0));
    });

    it('creates one mandate per payer IBAN: a UMR of at most 35 SEPA characters, our ICS, the debit day as signature date', async () => {
      const mandates = await ok(get(alice, `/v1/premium-scheduling/payers/${payerId}/sepa-mandates`));
      expect(mandates).toHaveLength(2);
      for (const mandate of mandates) {
        expect(mandate.reference).toMatch(/^[A-Za-z0-9/\-?:().,'+]{1,35}$/);
        expect(mandate).toMatchObject({ payerId, creditorId: TEST_SEPA_ENV.SEPA_CREDITOR_ID, signatureDate: '2026-03-16', nextSequenceType: 'RCUR' });
      }
      expect(mandates.map((m: Body) => m.iban).sort()).toEqual([IBAN_DE, IBAN].sort());
      expect(new Set(mandates.map((m: Body) => m.reference)).size).toBe(2);
      // Brokers reach the payer but see the IBAN masked; another subscriber does not reach it.
      const seen = await ok(get(broker, `/v1/premium-scheduling/payers/${payerId}/sepa-mandates`));
      expect(seen.map((m: Body) => m.iban)).toEqual(expect.arrayContaining(['FR76 **** **** **** **** ***0 189']));
      expect((await get(bob, `/v1/premium-scheduling/payers/${payerId}/sepa-mandates`)).status).toBe(404);
    });

    it('pre-notifies the debtor of each collection, the payer at the address they gave: amount, date, UMR and ICS (French template)', async () => {
      const mandates = await ok(get(alice, `/v1/premium-scheduling/payers/${payerId}/sepa-mandates`));
      const byIban = Object.fromEntries(mandates.map((m: Body) => [m.iban, m.reference]));
      const mine = (await notices()).filter((n) => n.payload.policyId === policyId);
      expect(mine).toHaveLength(3);
      expect(mine.map((n) => n.payload)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ amount: '1500,01', currency: 'EUR', collectionDate: '2026-03-30', mandateReference: byIban[IBAN], creditorId: TEST_SEPA_ENV.SEPA_CREDITOR_ID }),
          expect.objectContaining({ amount: '999,99', collectionDate: '2026-03-30', mandateReference: byIban[IBAN_DE] }),
          expect.objectContaining({ amount: '123,45', collectionDate: '2026-03-30', mandateReference: byIban[IBAN] }),
        ]),
      );
      const [alicesLogin] = await server.db.query<{ user_id: string }>('select user_id from subscribers where id = $1', [DEMO_IDS.subscribers.alice]);
      expect(new Set(mine.map((n) => n.recipient_user_id))).toEqual(new Set([alicesLogin.user_id]));
      // The payer is the debtor: the mail goes to their address (`to`), not to the subscriber's.
      expect(mine.map((n) => n.payload.to)).toEqual(['jeanne.martin@example.test', 'jeanne.martin@example.test', 'jeanne.martin@example.test']);
    });

    it('never adds a collection twice, even with concurrent runs', async () => {
      const again = await Promise.all([run(), run(), run()]);
      expect(again.map((r) => r.collections)).toEqual([0, 0, 0]);
      const third = await singlePremium(50_000);
      const racing = await Promise.all([run(), run()]);
      expect(racing.reduce((sum, r) => sum + r.collections, 0)).toBe(1);
      const [{ count }] = await server.db.query<{ count: string }>("select count(*) from sepa_batch_entries where source_kind = 'single_premium_request' and source_id = $1", [third.id]);
      expect(Number(count)).toBe(1);
      // A request cancelled while its batch is open leaves the batch when it closes.
      await ok(post(alice, `/v1/premium-scheduling/single-premium-requests/${third.id}/cancel`));
    });

    it('answers 409 for the file of an open batch', async () => {
      const answer = await get(backoffice, `${BATCHES}/${batch.id}/file`);
      expect({ status: answer.status, code: answer.json.errors[0].code }).toEqual({ status: 409, code: 'conflict' });
    });

    it('closes the batch: its collections are submitted and can no longer be cancelled', async () => {
      const closed = await ok(post(backoffice, `${BATCHES}/${batch.id}/close`));
      expect(closed).toMatchObject({ id: batch.id, status: 'closed', closedAt: expect.any(String) });
      const entries = await entriesOf(batch.id);
      expect(entries.some((e) => e.amount.amount === 50_000 && e.iban === IBAN && e.sequenceType === 'RCUR')).toBe(false);
      expect(closed.entryCount).toBe(entries.length);
      expect(closed.controlSum.amount).toBe(entries.reduce((sum, e) => sum + e.amount.amount, 0));
      expect((await ok(get(alice, `/v1/premium-scheduling/single-premium-requests/${first.id}`))).status).toBe('submitted');
      const [row] = await server.db.query<{ status: string }>('select status from scheduled_premium_collections where id = $1', [scheduled.id]);
      expect(row.status).toBe('submitted');
      const refused = await post(alice, `/v1/premium-scheduling/single-premium-requests/${first.id}/cancel`);
      expect({ status: refused.status, code: refused.json.errors[0].code }).toEqual({ status: 409, code: 'conflict' });
      // Closing again answers the batch as it is; a new run opens a new batch for what comes next.
      expect(await ok(post(backoffice, `${BATCHES}/${batch.id}/close`))).toEqual(closed);
    });

    it('downloads a pain.008.001.02 file whose group header, blocks and transactions match the entries exactly', async () => {
      const answer = await get(backoffice, `${BATCHES}/${batch.id}/file`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(answer.headers.get('content-disposition')).toContain('.pain.008.001.02.xml');
      expect(XMLValidator.validate(answer.text)).toBe(true);
      if (sepaSchemasAvailable() || process.env.CI) expect(schemaErrors(answer.text, 'pain.008.001.02')).toEqual([]);
      const document = parser.parse(answer.text).Document;
      expect(document['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.008.001.02');
      const initiation = document.CstmrDrctDbtInitn;
      const entries = await entriesOf(batch.id);
      const header = initiation.GrpHdr;
      expect(header.MsgId).toBe(batch.messageId);
      expect(Number(header.NbOfTxs)).toBe(entries.length);
      expect(centsOf(header.CtrlSum)).toBe(entries.reduce((sum, e) => sum + e.amount.amount, 0));
      const transactions: Body[] = [];
      for (const block of initiation.PmtInf) {
        expect(block).toMatchObject({ PmtMtd: 'DD', ReqdColltnDt: '2026-03-30', ChrgBr: 'SLEV', PmtTpInf: { SvcLvl: { Cd: 'SEPA' }, LclInstrm: { Cd: 'CORE' } } });
        expect(block.CdtrAcct.Id.IBAN).toBe(TEST_SEPA_ENV.SEPA_CREDITOR_IBAN);
        expect(block.CdtrSchmeId.Id.PrvtId.Othr).toEqual({ Id: TEST_SEPA_ENV.SEPA_CREDITOR_ID, SchmeNm: { Prtry: 'SEPA' } });
        expect(Number(block.NbOfTxs)).toBe(block.DrctDbtTxInf.length);
        expect(centsOf(block.CtrlSum)).toBe(block.DrctDbtTxInf.reduce((sum: number, t: Body) => sum + centsOf(t.InstdAmt['#text']), 0));
        for (const t of block.DrctDbtTxInf) transactions.push({ ...t, SeqTp: block.PmtTpInf.SeqTp });
      }
      expect(transactions).toHaveLength(entries.length);
      const mandates = await ok(get(backoffice, `/v1/premium-scheduling/payers/${payerId}/sepa-mandates`));
      for (const entry of entries) {
        const t = transactions.find((x) => x.PmtId.EndToEndId === entry.endToEndId)!;
        expect(t.InstdAmt).toEqual({ '#text': (entry.amount.amount / 100).toFixed(2), '@Ccy': 'EUR' });
        expect(t.DbtrAcct.Id.IBAN).toBe(entry.iban);
        expect(t.DrctDbtTx.MndtRltdInf.MndtId).toBe(entry.mandateReference);
        expect(t.SeqTp).toBe(entry.sequenceType);
      }
      const mine = transactions.filter((t) => [IBAN, IBAN_DE].includes(t.DbtrAcct.Id.IBAN));
      expect(mine.map((t) => [t.InstdAmt['#text'], t.SeqTp]).sort()).toEqual([['123.45', 'RCUR'], ['1500.01', 'FRST'], ['999.99', 'FRST']]);
      for (const t of mine) expect(t.DrctDbtTx.MndtRltdInf).toEqual({ MndtId: mandates.find((m: Body) => m.iban === t.DbtrAcct.Id.IBAN).reference, DtOfSgntr: '2026-03-16' });
      // Names go out in the SEPA character set.
      expect(mine.find((t) => t.DbtrAcct.Id.IBAN === IBAN_DE)!.Dbtr.Nm).toBe('Jeanne Martin-Muller');
    });

    it('collects later premiums under the same mandate as RCUR, as early as the product allows', async () => {
      await server.db.query('update premium_terms set pre_notification_days = 5 where product_id = $1', [DEMO_IDS.products.av]);
      try {
        const later = await singlePremium(70_000);
        const result = await run();
        const collection = result.batches.find((b: Body) => b.kind === 'collection');
        // 2026-03-16 + 5 = Saturday 2026-03-21: the next banking day.
        expect(collection).toMatchObject({ requestedDate: '2026-03-23', status: 'open' });
        expect((await entriesOf(collection.id)).find((e) => e.sourceId === later.id)).toMatchObject({ sequenceType: 'RCUR', iban: IBAN });
      } finally {
        await server.db.query('update premium_terms set pre_notification_days = 14 where product_id = $1', [DEMO_IDS.products.av]);
      }
    });
  });

  describe('pay-outs (pain.001)', () => {
    it('puts surrenders sent for payment and withdrawal refunds into a credit-transfer batch for the next banking day', async () => {
      const surrendered = (await freshPolicy(server, 'alice', 'av', { MAIN: 654_321 })).policyId;
      const declaration = await ok(post(backoffice, `/v1/total-surrender/policies/${surrendered}/declarations`, { reason: 'client-request' }), 201);
      const refunded = await freshPolicy(server, 'bob', 'av');
      const [policy] = await server.db.query<{ subscription_id: string }>('select subscription_id from policies where id = $1', [refunded.policyId]);
      const refundId = newUuid();
      await server.db.transaction((tx) => new PolicyStore(server.db).insertRefund(tx, { id: refundId, subscriptionId: policy.subscription_id, amount: 100_050, currency: 'EUR', recordedAt: server.clock.now(), dueBy: server.clock.now() }));

      const result = await run();
      const payout = result.batches.find((b: Body) => b.kind === 'payout');
      // Monday 2026-03-16: executed on Tuesday.
      expect(payout).toMatchObject({ requestedDate: '2026-03-17', status: 'open' });
      const entries = await entriesOf(payout.id);
      const surrenderEntry = entries.find((e) => e.sourceId === declaration.id)!;
      const refundEntry = entries.find((e) => e.sourceId === refundId)!;
      expect(surrenderEntry).toMatchObject({ sourceKind: 'surrender_declaration', policyId: surrendered, amount: { amount: 654_321, currency: 'EUR' }, mandateReference: null, sequenceType: null });
      expect(surrenderEntry.iban).toMatch(/^FR\d{2}[0-9A-Z]{23}$/);
      expect(refundEntry).toMatchObject({ sourceKind: 'withdrawal_refund', policyId: refunded.policyId, amount: { amount: 100_050, currency: 'EUR' } });
      expect((await run()).payouts).toBe(0);

      await ok(post(backoffice, `${BATCHES}/${payout.id}/close`));
      const answer = await get(backoffice, `${BATCHES}/${payout.id}/file`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(XMLValidator.validate(answer.text)).toBe(true);
      if (sepaSchemasAvailable() || process.env.CI) expect(schemaErrors(answer.text, 'pain.001.001.03')).toEqual([]);
      const document = parser.parse(answer.text).Document;
      expect(document['@xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
      const initiation = document.CstmrCdtTrfInitn;
      expect(Number(initiation.GrpHdr.NbOfTxs)).toBe(entries.length);
      expect(centsOf(initiation.GrpHdr.CtrlSum)).toBe(entries.reduce((sum, e) => sum + e.amount.amount, 0));
      const [block] = initiation.PmtInf;
      expect(block).toMatchObject({ PmtMtd: 'TRF', ReqdExctnDt: '2026-03-17', DbtrAcct: { Id: { IBAN: TEST_SEPA_ENV.SEPA_CREDITOR_IBAN } }, ChrgBr: 'SLEV' });
      for (const entry of entries) {
        const t = block.CdtTrfTxInf.find((x: Body) => x.PmtId.EndToEndId === entry.endToEndId);
        expect(t.Amt.InstdAmt).toEqual({ '#text': (entry.amount.amount / 100).toFixed(2), '@Ccy': 'EUR' });
        expect(t.CdtrAcct.Id.IBAN).toBe(entry.iban);
      }
      expect(block.CdtTrfTxInf.find((x: Body) => x.PmtId.EndToEndId === surrenderEntry.endToEndId).Amt.InstdAmt['#text']).toBe('6543.21');
      expect(block.CdtTrfTxInf.find((x: Body) => x.PmtId.EndToEndId === refundEntry.endToEndId).Amt.InstdAmt['#text']).toBe('1000.50');
    });
  });

  describe('access', () => {
    it('keeps batches to back-office: 403 for subscribers, brokers and partner platforms', async () => {
      const [someBatch] = await ok(get(backoffice, BATCHES));
      for (const caller of [alice, broker, machine]) {
        for (const answer of [await get(caller, BATCHES), await get(caller, `${BATCHES}/${someBatch.id}`), await get(caller, `${BATCHES}/${someBatch.id}/file`), await post(caller, `${BATCHES}/runs`), await post(caller, `${BATCHES}/${someBatch.id}/close`)]) {
          expect({ status: answer.status, code: answer.json.errors[0].code }).toEqual({ status: 403, code: 'forbidden' });
        }
      }
      expect((await get({}, BATCHES)).status).toBe(401);
      expect((await get(backoffice, `${BATCHES}/${newUuid()}`)).status).toBe(404);
    });

    it('lists batches newest first, by status and kind', async () => {
      const closed = await ok(get(backoffice, `${BATCHES}?status=closed&kind=collection`));
      expect(closed.length).toBeGreaterThan(0);
      expect(closed.every((b: Body) => b.status === 'closed' && b.kind === 'collection')).toBe(true);
      expect((await get(backoffice, `${BATCHES}?first=0`)).status).toBe(400);
    });
  });
});
