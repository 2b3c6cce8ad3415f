import { randomBytes } from 'node:crypto';
import { issueStatement, type CommissionLineInput } from '../../domain/billing/commission-rules';
import { BillingStore } from '../../store/billing-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { insertBroker, partnerHeaders } from '../support/actors';
import { startTestServer, type TestServer } from '../support/server';
import { parse } from 'csv-parse/sync';
import { restReason } from '../support/errors';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

/** Rows of our CSV as a spreadsheet reads them: RFC 4180, records ended by CRLF only (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text, { record_delimiter: '\r\n' });

const LIST = '/v1/billing/commissions';
const download = (id: string, query = '') => `/v1/billing/commissions/${id}/download${query}`;
const DEMO_POLICIES = [DEMO_IDS.policies.aliceAv, DEMO_IDS.policies.alicePer, DEMO_IDS.policies.bobAv, DEMO_IDS.policies.bobPer];
const CSV_HEADER = ['statement_id', 'period', 'line', 'policy_id', 'policy_label', 'premium', 'commission_rate_bp', 'commission', 'currency'];

/** YYYY-MM, `back` months before the month of `now` (UTC). */
function monthAgo(now: Date, back: number): string {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A download read as bytes (the `call` helper decodes text). */
async function fetchFile(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Labels a spreadsheet would run as formulas, and one that needs RFC 4180 quoting. */
const TRICKY_LINES: CommissionLineInput[] = [
  { policyId: DEMO_IDS.policies.aliceAv, policyLabel: '=HYPERLINK("http://evil.example","clic")', premium: 10_000, rateBasisPoints: 250 },
  { policyId: DEMO_IDS.policies.alicePer, policyLabel: '+33 6 12 34 56 78', premium: 12_345, rateBasisPoints: 300 },
  { policyId: DEMO_IDS.policies.bobAv, policyLabel: '-1+1', premium: 100, rateBasisPoints: 250 },
  { policyId: DEMO_IDS.policies.bobPer, policyLabel: '@SUM(A1:A2)', premium: 5, rateBasisPoints: 100 },
  { policyId: DEMO_IDS.policies.bobPer, policyLabel: '\tTabulé', premium: 0, rateBasisPoints: 100 },
  { policyId: DEMO_IDS.policies.bobPer, policyLabel: '\rRetour', premium: 1, rateBasisPoints: 100 },
  { policyId: DEMO_IDS.policies.aliceAv, policyLabel: 'Dupont, "Jean"', premium: 123_456, rateBasisPoints: 250 },
  // A clawback: negative amounts stay numbers, with no quote in front.
  { policyId: DEMO_IDS.policies.aliceAv, policyLabel: 'Reprise Zoé Martin', premium: -20_000, rateBasisPoints: 250 },
];

describe.each(EACH_DATABASE)('REST billing commissions on %s', (_name, database) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};
  const get = (who: string, path: string, extra: Record<string, string> = {}): Promise<Answer> => call(`${server.url}${path}`, { headers: { ...headers[who], ...extra } });
  let months: string[];
  let otherBrokerId: string;
  let otherStatementId: string;
  let trickyStatementId: string;
  let trickyPeriod: string;
  let demoStatements: Array<Record<string, any>>;

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    const now = server.clock.now();
    months = Array.from({ length: 12 }, (_, i) => monthAgo(now, 12 - i));
    for (const [i, who] of ['alice', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.61.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.61.0.9');

    // A broker of another distributor, with a statement of its own for last month.
    otherBrokerId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, now, { userId: otherBrokerId, distributorId: testId('dst_other_billing') });
    headers.other = { authorization: `Bearer ${(await login(server.url, `${otherBrokerId}@other.test`, '10.61.0.5')).token}` };
    const store = new BillingStore(server.db);
    const other = issueStatement(otherBrokerId, months[11], 'EUR', now, [{ policyId: testId('pol_other_1'), policyLabel: 'Carole Petit - Démo Vie', premium: 50_000, rateBasisPoints: 200 }]);
    // The demo broker's statement of three years ago holds labels that look like formulas.
    trickyPeriod = monthAgo(now, 36);
    const tricky = issueStatement(DEMO_IDS.users.broker, trickyPeriod, 'EUR', now, TRICKY_LINES);
    await server.db.transaction(async (tx) => {
      await store.insertStatement(tx, other.statement, other.lines);
      await store.insertStatement(tx, tricky.statement, tricky.lines);
    });
    otherStatementId = other.statement.id;
    trickyStatementId = tricky.statement.id;
    const all = await get('broker', `${LIST}?first=100`);
    demoStatements = all.json.items.filter((s: { period: string }) => s.period !== trickyPeriod);
  });
  afterAll(() => server?.close());

  it('answers 401 before anything else without credentials', async () => {
    for (const path of [LIST, `${LIST}?first=1000`, download(otherStatementId), download(testId('cst_nothing'), '?format=xml')]) {
      const answer = await call(`${server.url}${path}`);
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0]).toMatchObject({ code: 'unauthorized', message: 'NO_SESSION' });
    }
  });

  it('a subscriber gets 403 on every billing route, whatever it asks; so does a partner platform', async () => {
    const paths = [LIST, `${LIST}?brokerId=${DEMO_IDS.users.broker}`, `${LIST}?from=${months[0]}`, download(trickyStatementId), download(trickyStatementId, '?format=csv'), download(trickyStatementId, '?format=pdf'), download(testId('cst_nothing'))];
    for (const who of ['alice', 'partner']) {
      for (const path of paths) {
        const answer = await get(who, path, { accept: 'text/csv' });
        expect(answer.status).toBe(403);
        expect(answer.json.errors).toEqual([expect.objectContaining({ code: 'forbidden', message: 'INSUFFICIENT_ROLES' })]);
        expect(answer.text).not.toMatch(/commission_total|premium/);
      }
    }
  });

  it('lists the demo broker’s year of monthly statements, newest first, one line per policy, totals in minor units', async () => {
    expect(demoStatements.map((s) => s.period)).toEqual([...months].reverse());
    for (const s of demoStatements) {
      expect(s).toEqual({
        id: expect.stringMatching(UUID_V7),
        brokerId: DEMO_IDS.users.broker,
        // The demo's quarter-end months are inducements, the others business commissions.
        type: Number(s.period.slice(5)) % 3 === 0 ? 'inducement' : 'business-commission',
        period: expect.stringMatching(/^\d{4}-\d{2}$/),
        premiumTotal: { amount: expect.any(Number), currency: 'EUR' },
        commissionTotal: { amount: expect.any(Number), currency: 'EUR' },
        lineCount: 4,
        issuedAt: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00(\.000)?Z$/),
        lines: expect.any(Array),
      });
      expect(s.lines.map((l: { policyId: string }) => l.policyId)).toEqual(DEMO_POLICIES);
      for (const line of s.lines) {
        expect(Number.isInteger(line.premium.amount)).toBe(true);
        // Half up to the cent, computed exactly.
        expect(line.commission.amount).toBe(Math.round((line.premium.amount * line.rateBasisPoints) / 10_000));
        expect(line.policyLabel).toMatch(/^(Alice Martin|Bob Durand) - Démo/);
      }
      expect(s.premiumTotal.amount).toBe(s.lines.reduce((sum: number, l: { premium: { amount: number } }) => sum + l.premium.amount, 0));
      expect(s.commissionTotal.amount).toBe(s.lines.reduce((sum: number, l: { commission: { amount: number } }) => sum + l.commission.amount, 0));
    }
    const bobPer = demoStatements[0].lines.find((l: { policyId: string }) => l.policyId === DEMO_IDS.policies.bobPer);
    expect(bobPer).toEqual({ policyId: DEMO_IDS.policies.bobPer, policyLabel: 'Bob Durand - Démo Retraite PER', premium: { amount: 12_345, currency: 'EUR' }, rateBasisPoints: 300, commission: { amount: 370, currency: 'EUR' } });
  });

  it('pages with an opaque cursor: { items, page_info: { has_next_page, end_cursor }, page, per_page }', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const answer: Answer = await get('broker', `${LIST}?first=5${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.json).sort()).toEqual(['items', 'page', 'pageInfo', 'perPage']);
      // After a cursor the page number is unknown.
      expect(answer.json).toMatchObject({ page: after ? null : 1, perPage: 5 });
      expect(Object.keys(answer.json.pageInfo).sort()).toEqual(['endCursor', 'hasNextPage']);
      seen.push(...answer.json.items.map((s: { id: string }) => s.id));
      if (!answer.json.pageInfo.hasNextPage) break;
      expect(answer.json.items).toHaveLength(5);
      after = answer.json.pageInfo.endCursor;
    }
    // 12 demo months and the old tricky statement, each once, in the list order.
    expect(seen).toEqual([...demoStatements.map((s) => s.id), trickyStatementId]);
    const empty = await get('broker', `${LIST}?from=2999-01`);
    expect(empty.json).toEqual({ items: [], pageInfo: { hasNextPage: false, endCursor: null }, page: 1, perPage: 20 });
  });

  it('pages by number as the public docs say: page from 1, perPage 1-100 (default 20), with page and per_page in the answer', async () => {
    const all = [...demoStatements.map((s) => s.id), trickyStatementId];
    const seen: string[] = [];
    for (let page = 1; page <= 3; page += 1) {
      const answer = await get('broker', `${LIST}?page=${page}&perPage=5`);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ page, perPage: 5, pageInfo: { hasNextPage: page < 3 } });
      expect(answer.json.items).toHaveLength(page < 3 ? 5 : 3);
      seen.push(...answer.json.items.map((s: { id: string }) => s.id));
    }
    expect(seen).toEqual(all);
    // Defaults: page 1, 20 a page; past the end is an empty page.
    expect((await get('broker', `${LIST}?page=1`)).json).toMatchObject({ page: 1, perPage: 20, pageInfo: { hasNextPage: false } });
    expect((await get('broker', `${LIST}?page=2&perPage=4`)).json.items.map((s: { id: string }) => s.id)).toEqual(all.slice(4, 8));
    expect((await get('broker', `${LIST}?page=9`)).json).toMatchObject({ items: [], page: 9, pageInfo: { hasNextPage: false } });
    expect((await get('broker', `${LIST}?perPage=100`)).status).toBe(200);
    // Filters apply before paging.
    const filtered = await get('broker', `${LIST}?from=${months[2]}&to=${months[9]}&page=2&perPage=3`);
    expect(filtered.json.items.map((s: { period: string }) => s.period)).toEqual(months.slice(2, 10).reverse().slice(3, 6));
  });

  it('refuses a bad page, perPage or type with a 400 naming the parameter, and page together with a cursor', async () => {
    for (const [query, field, reason] of [
      ['page=0', 'page', 'INVALID_PAGE'],
      ['page=-2', 'page', 'INVALID_PAGE'],
      ['page=abc', 'page', undefined],
      ['page=1.5', 'page', undefined],
      ['perPage=0', 'perPage', 'PAGE_SIZE_OUT_OF_RANGE'],
      ['perPage=101', 'perPage', 'PAGE_SIZE_OUT_OF_RANGE'],
      ['perPage=many', 'perPage', undefined],
      ['type=commission', 'type', undefined],
      ['type=INDUCEMENT', 'type', undefined],
      ['type=', 'type', undefined],
      ['page=', 'page', undefined],
      ['page=99999999999', 'page', undefined],
      ['perPage=-1', 'perPage', 'PAGE_SIZE_OUT_OF_RANGE'],
      ['perPage=1e2', 'perPage', undefined],
      ['perPage=', 'perPage', undefined],
      ['type=inducement%20', 'type', undefined],
      ['type=inducement,business-commission', 'type', undefined],
      [`page=2&after=${demoStatements[0].id}`, 'page', 'PAGE_WITH_CURSOR'],
    ] as Array<[string, string, string | undefined]>) {
      const answer = await get('broker', `${LIST}?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field, ...(reason ? { reason } : {}) });
    }
  });

  it('answers the docs\' example, page=2&perPage=50&type=inducement: the second page of 50 inducements (empty here)', async () => {
    const answer = await get('broker', `${LIST}?page=2&perPage=50&type=inducement`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ items: [], page: 2, perPage: 50, pageInfo: { hasNextPage: false } });
    const first = await get('broker', `${LIST}?page=1&perPage=1&type=inducement`);
    expect(first.json).toMatchObject({ page: 1, perPage: 1, pageInfo: { hasNextPage: true } });
    expect(first.json.items).toHaveLength(1);
    expect(first.json.items[0].type).toBe('inducement');
  });

  it('filters by type: inducement or business-commission, as the docs spell them', async () => {
    const inducements = await get('broker', `${LIST}?type=inducement`);
    expect(inducements.status).toBe(200);
    expect(inducements.json.items.map((s: { id: string }) => s.id)).toEqual(demoStatements.filter((s) => s.type === 'inducement').map((s) => s.id));
    expect(inducements.json.items).toHaveLength(4);
    const business = await get('broker', `${LIST}?type=business-commission&page=1&perPage=100`);
    expect(business.json.items.map((s: { id: string }) => s.id)).toEqual([...demoStatements.filter((s) => s.type === 'business-commission').map((s) => s.id), trickyStatementId]);
    expect(business.json.items.every((s: { type: string }) => s.type === 'business-commission')).toBe(true);
    const inducementPage2 = await get('broker', `${LIST}?type=inducement&page=2&perPage=3`);
    expect(inducementPage2.json).toMatchObject({ page: 2, perPage: 3, pageInfo: { hasNextPage: false } });
    expect(inducementPage2.json.items).toHaveLength(1);
  });

  it('caps the page size at 100 (400), and refuses malformed sizes and cursors', async () => {
    expect((await get('broker', `${LIST}?first=100`)).status).toBe(200);
    for (const first of ['101', '1000', '0', '-1']) {
      const answer = await get('broker', `${LIST}?first=${first}`);
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', reason: 'PAGE_SIZE_OUT_OF_RANGE', field: 'first' });
    }
    expect((await get('broker', `${LIST}?first=ten`)).json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'first' });
    for (const after of ['not-a-cursor!', Buffer.from(`2026-13\u001fcst_x`).toString('base64url'), 'AAAA']) {
      const answer = await get('broker', `${LIST}?after=${encodeURIComponent(after)}`);
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ reason: 'INVALID_CURSOR', field: 'after' });
    }
  });

  it('filters by period: from and to are YYYY-MM months, both included', async () => {
    const between = await get('broker', `${LIST}?from=${months[3]}&to=${months[5]}`);
    expect(between.json.items.map((s: { period: string }) => s.period)).toEqual([months[5], months[4], months[3]]);
    const since = await get('broker', `${LIST}?from=${months[10]}`);
    expect(since.json.items.map((s: { period: string }) => s.period)).toEqual([months[11], months[10]]);
    const until = await get('broker', `${LIST}?to=${months[0]}`);
    expect(until.json.items.map((s: { period: string }) => s.period)).toEqual([months[0], trickyPeriod]);
    const one = await get('broker', `${LIST}?from=${months[7]}&to=${months[7]}&first=1`);
    expect(one.json).toMatchObject({ items: [{ period: months[7] }], pageInfo: { hasNextPage: false } });
    // Paging inside a filter keeps the filter.
    const page1 = await get('broker', `${LIST}?from=${months[2]}&to=${months[9]}&first=3`);
    const page2 = await get('broker', `${LIST}?from=${months[2]}&to=${months[9]}&first=10&after=${page1.json.pageInfo.endCursor}`);
    expect([...page1.json.items, ...page2.json.items].map((s: { period: string }) => s.period)).toEqual(months.slice(2, 10).reverse());
  });

  it('refuses malformed periods and an inverted range, naming the field', async () => {
    for (const [query, field, reason] of [
      ['from=2026-13', 'from', 'INVALID_PERIOD'],
      ['to=2026-1', 'to', 'INVALID_PERIOD'],
      ['from=202601', 'from', 'INVALID_PERIOD'],
      ['from=2026-01-01', 'from', 'INVALID_PERIOD'],
      [`from=${months[5]}&to=${months[4]}`, 'to', 'PERIOD_BEFORE_FROM'],
    ]) {
      const answer = await get('broker', `${LIST}?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: 'parameter_invalid', ...restReason('parameter_invalid', reason), field });
    }
  });

  it('a broker sees its own statements only: another broker’s is 404, exactly like one that does not exist', async () => {
    const mine = await get('broker', `${LIST}?first=100`);
    expect(mine.json.items.every((s: { brokerId: string }) => s.brokerId === DEMO_IDS.users.broker)).toBe(true);
    expect(mine.json.items.map((s: { id: string }) => s.id)).not.toContain(otherStatementId);
    const theirs = await get('other', `${LIST}?first=100`);
    expect(theirs.json.items.map((s: { id: string }) => s.id)).toEqual([otherStatementId]);

    const stolen = await get('broker', download(otherStatementId));
    const missing = await get('broker', download(testId('cst_does_not_exist')));
    expect(stolen.status).toBe(404);
    expect(stolen.json).toEqual(missing.json);
    expect(stolen.json.errors[0]).toMatchObject({ code: 'resource_not_found', reason: 'COMMISSION_STATEMENT_NOT_FOUND' });
    expect((await get('other', download(trickyStatementId, '?format=csv'))).status).toBe(404);

    // Naming another broker in the filter is the same 404 as naming nobody.
    const otherFilter = await get('broker', `${LIST}?brokerId=${otherBrokerId}`);
    const nobody = await get('broker', `${LIST}?brokerId=${testId('usr_nobody')}`);
    expect(otherFilter.status).toBe(404);
    expect(otherFilter.json).toEqual(nobody.json);
    expect(otherFilter.json.errors[0].reason).toBe('BROKER_NOT_FOUND');
    expect((await get('broker', `${LIST}?brokerId=${DEMO_IDS.users.broker}&first=1`)).json.items[0].brokerId).toBe(DEMO_IDS.users.broker);
  });

  it('back-office reads everyone’s statements, filters by broker_id, and downloads any', async () => {
    const all = await get('backoffice', `${LIST}?first=100`);
    expect(all.json.items.map((s: { id: string }) => s.id).sort()).toEqual([...demoStatements.map((s) => s.id), trickyStatementId, otherStatementId].sort());
    // Newest period first across brokers.
    const periods = all.json.items.map((s: { period: string }) => s.period);
    expect(periods).toEqual([...periods].sort().reverse());
    const theirs = await get('backoffice', `${LIST}?brokerId=${otherBrokerId}`);
    expect(theirs.json.items.map((s: { id: string }) => s.id)).toEqual([otherStatementId]);
    const lastMonth = await get('backoffice', `${LIST}?from=${months[11]}&to=${months[11]}`);
    expect(lastMonth.json.items.map((s: { brokerId: string }) => s.brokerId).sort()).toEqual([DEMO_IDS.users.broker, otherBrokerId].sort());
    expect((await get('backoffice', `${LIST}?brokerId=${DEMO_IDS.users.alice}`)).json.errors[0]).toMatchObject({ code: 'resource_not_found', reason: 'BROKER_NOT_FOUND' });
    const file = await fetchFile(`${server.url}${download(otherStatementId, '?format=csv')}`, headers.backoffice);
    expect(file.status).toBe(200);
    expect(file.bytes.toString('utf8')).toContain('Carole Petit - Démo Vie');
  });

  it('downloads a PDF by default, with its content type and file name; the same bytes every time', async () => {
    const statement = demoStatements[0];
    const first = await fetchFile(`${server.url}${download(statement.id)}`, headers.broker);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    expect(first.headers.get('content-disposition')).toBe(`attachment; filename="commission-statement-${statement.period}.pdf"; filename*=UTF-8''commission-statement-${statement.period}.pdf`);
    expect(first.headers.get('cache-control')).toMatch(/no-store/);
    expect(first.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.bytes.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
    const again = await fetchFile(`${server.url}${download(statement.id)}`, headers.broker);
    expect(again.bytes.equals(first.bytes)).toBe(true);
  });

  it('chooses PDF or CSV by Accept or ?format, the query winning; anything else falls back to PDF', async () => {
    const id = demoStatements[0].id;
    const cases: Array<[string, Record<string, string>, 'pdf' | 'csv']> = [
      ['', { accept: 'text/csv' }, 'csv'],
      ['', { accept: 'application/pdf' }, 'pdf'],
      ['?format=csv', {}, 'csv'],
      ['?format=pdf', {}, 'pdf'],
      ['?format=pdf', { accept: 'text/csv' }, 'pdf'],
      ['?format=csv', { accept: 'application/pdf' }, 'csv'],
      ['', { accept: 'text/csv;q=0.4, application/pdf;q=0.9' }, 'pdf'],
      ['', { accept: 'application/pdf;q=0.5, text/csv' }, 'csv'],
      ['', { accept: 'text/html, text/csv;q=0.8, */*;q=0.1' }, 'csv'],
      ['', { accept: '*/*' }, 'pdf'],
      ['', { accept: 'application/json' }, 'pdf'],
      ['', {}, 'pdf'],
    ];
    for (const [query, extra, expected] of cases) {
      const file = await fetchFile(`${server.url}${download(id, query)}`, { ...headers.broker, ...extra });
      expect({ query, extra, status: file.status, type: file.headers.get('content-type') }).toEqual({ query, extra, status: 200, type: expected === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf' });
      expect(file.headers.get('content-disposition')).toContain(`filename="commission-statement-${demoStatements[0].period}.${expected}"`);
    }
    const bad = await get('broker', download(id, '?format=xml'));
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'format' });
  });

  it('the CSV opens cleanly: UTF-8 with BOM, header row, comma-separated, decimal amounts, CRLF', async () => {
    const statement = demoStatements[0];
    const file = await fetchFile(`${server.url}${download(statement.id, '?format=csv')}`, headers.broker);
    expect(file.headers.get('content-disposition')).toContain(`filename="commission-statement-${statement.period}.csv"`);
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = file.bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows).toHaveLength(1 + 4);
    const byPolicy = Object.fromEntries(rows.slice(1).map((r) => [r[3], r]));
    expect(byPolicy[DEMO_IDS.policies.bobPer]).toEqual([statement.id, statement.period, '4', DEMO_IDS.policies.bobPer, 'Bob Durand - Démo Retraite PER', '123.45', '300', '3.70', 'EUR']);
    for (const row of rows.slice(1)) {
      expect(row[5]).toMatch(/^-?\d+\.\d{2}$/);
      expect(row[7]).toMatch(/^-?\d+\.\d{2}$/);
    }
    // The decimals add up to the statement's totals.
    const cents = (column: number) => rows.slice(1).reduce((sum, r) => sum + Math.round(Number(r[column]) * 100), 0);
    expect(cents(5)).toBe(statement.premiumTotal.amount);
    expect(cents(7)).toBe(statement.commissionTotal.amount);
  });

  it('no cell of the CSV runs as a formula: = + - @ tab and CR get a leading quote; numbers stay numbers', async () => {
    const file = await fetchFile(`${server.url}${download(trickyStatementId, '?format=csv')}`, headers.broker);
    expect(file.headers.get('content-disposition')).toContain(`filename="commission-statement-${trickyPeriod}.csv"`);
    const rows = parseCsv(file.bytes.toString('utf8').replace(/^\ufeff/, ''));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows.slice(1).map((r) => r[4])).toEqual([
      `'=HYPERLINK("http://evil.example","clic")`,
      `'+33 6 12 34 56 78`,
      `'-1+1`,
      `'@SUM(A1:A2)`,
      `'\tTabulé`,
      `'\rRetour`,
      'Dupont, "Jean"',
      'Reprise Zoé Martin',
    ]);
    expect(rows.slice(1).map((r) => [r[5], r[7]])).toEqual([
      ['100.00', '2.50'],
      ['123.45', '3.70'],
      ['1.00', '0.03'],
      ['0.05', '0.00'],
      ['0.00', '0.00'],
      ['0.01', '0.00'],
      ['1234.56', '30.86'],
      ['-200.00', '-5.00'],
    ]);
    for (const cell of rows.slice(1).flat()) {
      const number = /^-?\d+(\.\d+)?$/.test(cell);
      if (!number) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    // The quoting is RFC 4180: the raw text doubles inner quotes inside a quoted field.
    expect(file.bytes.toString('utf8')).toContain(`"'=HYPERLINK(""http://evil.example"",""clic"")"`);
    const pdf = await fetchFile(`${server.url}${download(trickyStatementId)}`, headers.broker);
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
