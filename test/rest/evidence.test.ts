import { randomBytes } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { insertBroker, partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { tinyPdf, tinyPng } from '../support/files';
import { call, gql, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

const upload = (subscriberId: string) => `/v1/evidence/subscribers/${subscriberId}/documents`;
const one = (id: string) => `/v1/evidence/documents/${id}`;

describe.each(EACH_DATABASE)('REST evidence documents on %s', (_name, database) => {
  let server: TestServer;
  let pdf: Buffer;
  const headers: Record<string, Record<string, string>> = {};
  const send = (who: string, method: string, path: string, json?: unknown): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: headers[who] ?? {}, ...(json !== undefined ? { json } : {}) });
  const consent = (overrides: Record<string, unknown> = {}) => ({
    kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv, fileName: 'consent.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64'), ...overrides,
  });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    pdf = await tinyPdf('Je consens au changement de clause - Paul Martin');
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) headers[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.64.0.${i + 1}`)).token}` };
    headers.partner = await partnerHeaders(server.url, '10.64.0.9');
    const otherId = testId(`usr_${randomBytes(6).toString('hex')}`);
    await insertBroker(server.db, server.clock.now(), { userId: otherId, distributorId: testId('dst_other_evidence') });
    headers.other = { authorization: `Bearer ${(await login(server.url, `${otherId}@other.test`, '10.64.0.5')).token}` };
  });
  afterAll(() => server?.close());

  it('answers 401 before looking at anything without credentials', async () => {
    for (const [method, path, json] of [['POST', upload(testId('sbr_nobody')), { nonsense: true }], ['GET', one(testId('evd_x')), undefined], ['POST', `${one(testId('evd_x'))}/review`, { decision: 'maybe' }]] as const) {
      const answer = await call(`${server.url}${path}`, { method, ...(json ? { json } : {}) });
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0]).toMatchObject({ code: 'unauthorized', message: 'NO_SESSION' });
    }
  });

  it('the subscriber uploads a PDF: 201 received, the same bytes come back, audited', async () => {
    const answer = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent());
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      id: expect.stringMatching(UUID_V7), subscriberId: DEMO_IDS.subscribers.alice, policyId: DEMO_IDS.policies.aliceAv, kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv,
      fileName: 'consent.pdf', contentType: 'application/pdf', sizeBytes: pdf.length, status: 'received', reviewReason: null, reviewedAt: null, uploadedByKind: 'subscriber',
    });
    const download = await fetch(`${server.url}${one(answer.json.id)}/download`, { headers: headers.alice });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await download.arrayBuffer());
    // A third party's parser reads what we stored: the file is the PDF that was sent.
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
    expect(bytes.equals(pdf)).toBe(true);
    const [audit] = await server.db.query<{ action: string; actor_kind: string }>(`select action, actor_kind from audit_log where target_type = 'evidence' and target_id = $1`, [answer.json.id]);
    expect(audit).toEqual({ action: 'evidence.uploaded', actor_kind: 'subscriber' });
  });

  it('refuses a file whose bytes are not what it declares, and a subject that is not the subscriber\'s', async () => {
    const renamed = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent({ contentBase64: tinyPng().toString('base64') }));
    expect(renamed.status).toBe(400);
    expect(renamed.json.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'contentBase64', reason: 'CONTENT_DOES_NOT_MATCH_TYPE' });
    const bobsPolicy = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent({ subjectId: DEMO_IDS.policies.bobAv }));
    expect(bobsPolicy.status).toBe(404);
    expect(bobsPolicy.json.errors[0]).toMatchObject({ code: 'resource_not_found', reason: 'EVIDENCE_SUBJECT_NOT_FOUND' });
    const unknownKind = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent({ kind: 'selfie' }));
    expect(unknownKind.status).toBe(400);
  });

  it('brokers and partners upload for their distributor\'s subscribers; others find nothing', async () => {
    expect((await send('broker', 'POST', upload(DEMO_IDS.subscribers.alice), consent())).json.uploadedByKind).toBe('broker');
    expect((await send('partner', 'POST', upload(DEMO_IDS.subscribers.alice), consent())).json.uploadedByKind).toBe('machine');
    const mine = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent());
    for (const who of ['bob', 'other']) {
      expect((await send(who, 'POST', upload(DEMO_IDS.subscribers.alice), consent())).status).toBe(404);
      expect((await send(who, 'GET', one(mine.json.id))).status).toBe(404);
      expect((await send(who, 'GET', `${one(mine.json.id)}/download`)).status).toBe(404);
    }
  });

  it('only back-office reviews, once; a refusal needs a reason', async () => {
    const { json: evidence } = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent());
    for (const who of ['alice', 'broker', 'partner']) {
      expect((await send(who, 'POST', `${one(evidence.id)}/review`, { decision: 'accept' })).status).toBe(403);
    }
    const noReason = await send('backoffice', 'POST', `${one(evidence.id)}/review`, { decision: 'refuse' });
    expect(noReason.status).toBe(400);
    expect(noReason.json.errors[0]).toMatchObject({ field: 'reason', reason: 'REFUSAL_REASON_REQUIRED' });
    const refused = await send('backoffice', 'POST', `${one(evidence.id)}/review`, { decision: 'refuse', reason: 'Document illisible' });
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({ status: 'refused', reviewReason: 'Document illisible', reviewedAt: expect.any(String) });
    const again = await send('backoffice', 'POST', `${one(evidence.id)}/review`, { decision: 'accept' });
    expect(again.status).toBe(409);
    expect(again.json.errors[0].reason).toBe('EVIDENCE_ALREADY_REVIEWED');
    expect((await send('alice', 'GET', one(evidence.id))).json.status).toBe('refused');
  });

  it('of concurrent reviews of one proof, exactly one is recorded', async () => {
    const { json: evidence } = await send('alice', 'POST', upload(DEMO_IDS.subscribers.alice), consent());
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send('backoffice', 'POST', `${one(evidence.id)}/review`, i % 2 ? { decision: 'accept' } : { decision: 'refuse', reason: 'non' })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    const audits = await server.db.query(`select 1 from audit_log where target_id = $1 and action in ('evidence.accepted', 'evidence.refused')`, [evidence.id]);
    expect(audits).toHaveLength(1);
  });

  it('lists a subscriber\'s proofs by kind and subject, over REST and GraphQL', async () => {
    const listed = await send('alice', 'GET', `${upload(DEMO_IDS.subscribers.alice)}?kind=acceptance_endorsement&subjectId=${DEMO_IDS.policies.aliceAv}`);
    expect(listed.status).toBe(200);
    expect(listed.json.documents.length).toBeGreaterThan(0);
    expect(listed.json.documents.every((d: { kind: string; subjectId: string }) => d.kind === 'acceptance_endorsement' && d.subjectId === DEMO_IDS.policies.aliceAv)).toBe(true);
    const other = await send('alice', 'GET', `${upload(DEMO_IDS.subscribers.alice)}?kind=iban_proof`);
    expect(other.json.documents).toEqual([]);
    const viaGraphql = await gql(server.url, `{ subscriber(id: "${DEMO_IDS.subscribers.alice}") { evidence(kind: acceptance_endorsement) { id status } } }`, { headers: headers.alice });
    expect(viaGraphql.json.data.subscriber.evidence).toHaveLength(listed.json.documents.length);
  });

  it('caps the proofs of one subject at 20', async () => {
    const bobs = (overrides: Record<string, unknown> = {}) => consent({ subjectId: DEMO_IDS.policies.bobPer, ...overrides });
    for (let i = 0; i < 20; i++) expect((await send('bob', 'POST', upload(DEMO_IDS.subscribers.bob), bobs())).status).toBe(201);
    const over = await send('bob', 'POST', upload(DEMO_IDS.subscribers.bob), bobs());
    expect(over.status).toBe(422);
    expect(over.json.errors[0].reason).toBe('EVIDENCE_LIMIT_REACHED');
  });
});
