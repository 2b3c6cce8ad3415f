import { partnerHeaders } from '../support/actors';
import { EACH_DATABASE } from '../support/databases';
import { tinyPdf } from '../support/files';
import { call, login, type Answer } from '../support/http';
import { DEMO_IDS } from '../support/ids';
import { startTestServer, type TestServer } from '../support/server';

type Body = Record<string, any>;
type Caller = Record<string, string>;

const BOB = DEMO_IDS.subscribers.bob;
const BOB_AV = DEMO_IDS.policies.bobAv;
const BOB_PER = DEMO_IDS.policies.bobPer;
const person = (firstName: string, rank: number, share: number) => ({ firstName, lastName: 'Durand', birthDate: '1990-05-01', address: { line1: '5 quai Saint-Antoine', postalCode: '69002', city: 'Lyon', country: 'FR' }, rank, shareBasisPoints: share });
const failure = (answer: Answer) => [answer.status, answer.json?.errors?.[0]?.code, answer.json?.errors?.[0]?.reason];
const FORBIDDEN = [403, 'forbidden', undefined];

/**
 * Issue 14, items 2 and 3: the beneficiaries found (class clause resolved, renunciations, searches) and a
 * file per beneficiary whose completion starts the payment clock. Bob dies on 1 December 2026, aged 70:
 * his assurance-vie holds premiums paid before and after his 70th birthday, his PER follows his age at death.
 */
describe.each(EACH_DATABASE)('death claim beneficiaries on %s', (_name, database) => {
  let server: TestServer;
  const as: Record<string, Caller> = {};
  const send = (who: string, method: string, path: string, json?: unknown, headers: Caller = {}): Promise<Answer> =>
    call(`${server.url}${path}`, { method, headers: { ...as[who], ...headers }, ...(json !== undefined ? { json } : {}) });
  const signIn = async () => {
    for (const [i, who] of ['alice', 'bob', 'broker', 'backoffice'].entries()) as[who] = { authorization: `Bearer ${(await login(server.url, `${who}@demo.test`, `10.67.0.${i + 1}`)).token}` };
    as.partner = await partnerHeaders(server.url, '10.67.0.9');
  };
  let av: Body;
  let per: Body;
  const line = (claim: Body, firstName: string) => claim.beneficiaries.find((b: Body) => b.firstName === firstName);
  const base = (claim: Body, b: Body) => `/v1/death-claims/${claim.id}/beneficiaries/${b.id}`;
  const upload = async (who: string, claim: Body, b: Body, item: string) => {
    const pdf = await tinyPdf(`${item} ${b.id}`);
    // A RIB names the IBAN it shows.
    const iban = item === 'iban_proof' ? { iban: 'FR76 3000 6000 0112 3456 7890 189' } : {};
    return send(who, 'POST', `${base(claim, b)}/documents`, { item, fileName: `${item}.pdf`, contentType: 'application/pdf', contentBase64: pdf.toString('base64'), ...iban });
  };
  const review = (claim: Body, b: Body, documentId: string, decision: 'accept' | 'refuse', reason?: string) =>
    send('backoffice', 'POST', `${base(claim, b)}/documents/${documentId}/review`, { decision, ...(reason ? { reason } : {}) });

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    server.clock.set('2026-10-01T10:00:00Z');
    await signIn();
    // Bob's assurance-vie names two children on rank 1 and his sister on rank 2; his PER keeps the default clause.
    expect((await send('bob', 'PUT', `/v1/death-settlement/policies/${BOB_AV}/beneficiary-designation`, { beneficiaries: [person('Hugo', 1, 6_000), person('Inès', 1, 4_000), person('Odile', 2, 10_000)] }, { 'if-match': '"0"' })).status).toBe(200);
    // Bob turned 70 on 15 June 2026: one premium before, one after (the ledger's premium lines).
    await server.db.query(`update subscribers set birth_date = '1956-06-15' where id = $1`, [BOB]);
    for (const [cause, at] of [['pay-2020', '2020-03-01T09:00:00Z'], ['pay-2026', '2026-09-01T09:00:00Z']]) {
      await server.db.query(`insert into policy_money_movements (policy_id, kind, amount, currency, cause_type, cause_id, at) values ($1, 'premium', 100000, 'EUR', 'payment', $2, $3)`, [BOB_AV, cause, at]);
    }
    server.clock.set('2026-12-02T10:00:00Z');
    await signIn();
    const notice = await send('backoffice', 'POST', '/v1/death-claims', { subscriberId: BOB, dateOfDeath: '2026-12-01', source: 'backoffice', deathCertificateReference: 'ACTE-DC-2026-2001' });
    expect(notice.status).toBe(201);
    av = notice.json.claims.find((c: Body) => c.policyId === BOB_AV);
    per = notice.json.claims.find((c: Body) => c.policyId === BOB_PER);
  });
  afterAll(() => server?.close());

  it('finds the named beneficiaries rank by rank, each with its id, and the first rank takes the capital', () => {
    expect(av.beneficiaries.map((b: Body) => [b.firstName, b.rank, b.status, b.shareBasisPoints, b.shareOfClaimBasisPoints])).toEqual([
      ['Hugo', 1, 'found', 6_000, 6_000], ['Inès', 1, 'found', 4_000, 4_000], ['Odile', 2, 'found', 10_000, null],
    ]);
    expect(new Set(av.beneficiaries.map((b: Body) => b.id)).size).toBe(3);
  });

  it('resolves a class clause into two children with equal shares; only back-office may, once', async () => {
    const clause = per.beneficiaries[0];
    expect(clause).toMatchObject({ kind: 'class_clause', status: 'to_identify', shareOfClaimBasisPoints: null });
    const children = { persons: [
      { firstName: 'Léa', lastName: 'Durand', birthDate: '1995-02-10', relationship: 'child' },
      { firstName: 'Marc', lastName: 'Durand', birthDate: '1998-07-21', relationship: 'child' },
    ] };
    const path = `${base(per, clause)}/identification`;
    expect(failure(await send('broker', 'POST', path, children))).toEqual(FORBIDDEN);
    expect(failure(await send('partner', 'POST', path, children))).toEqual(FORBIDDEN);
    expect(failure(await send('bob', 'POST', path, children))).toEqual(FORBIDDEN);
    expect(failure(await send('backoffice', 'POST', path, { persons: [{ ...children.persons[0], shareBasisPoints: 7_000 }, children.persons[1]] }))).toEqual([400, 'parameter_invalid', 'SHARES_ALL_OR_NONE']);
    expect(failure(await send('backoffice', 'POST', `${base(av, line(av, 'Hugo'))}/identification`, children))).toEqual([409, 'conflict', 'NOT_A_CLASS_CLAUSE']);
    const answer = await send('backoffice', 'POST', path, children);
    expect(answer.status).toBe(200);
    per = answer.json;
    expect(per.beneficiaries.map((b: Body) => [b.kind, b.status, b.firstName, b.relationship, b.rank, b.shareBasisPoints, b.shareOfClaimBasisPoints, b.clauseLineId])).toEqual([
      ['class_clause', 'identified', null, null, 1, null, null, null],
      ['named', 'found', 'Léa', 'child', 1, 5_000, 5_000, clause.id],
      ['named', 'found', 'Marc', 'child', 1, 5_000, 5_000, clause.id],
    ]);
    expect(failure(await send('backoffice', 'POST', path, children))).toEqual([409, 'conflict', 'CLAUSE_ALREADY_IDENTIFIED']);
    expect((await send('broker', 'GET', `/v1/death-claims/${per.id}`)).json).toEqual(per);
  });

  it('keeps a beneficiary who cannot be found open, searching, with every step of the search', async () => {
    const odile = line(av, 'Odile');
    const path = `${base(av, odile)}/search-steps`;
    expect(failure(await send('broker', 'POST', path, { kind: 'agira_query_sent', happenedOn: '2026-12-02' }))).toEqual(FORBIDDEN);
    expect(failure(await send('backoffice', 'POST', path, { kind: 'letter_sent', happenedOn: '2026-12-03' }))).toEqual([422, 'unprocessable_content', 'SEARCH_STEP_IN_FUTURE']);
    const steps = [
      { kind: 'agira_query_sent', happenedOn: '2026-12-02', note: 'Requête AGIRA n° 4471' },
      { kind: 'registry_search', happenedOn: '2026-12-02' },
      { kind: 'letter_sent', happenedOn: '2026-12-02', note: 'Dernière adresse connue, Lyon' },
      { kind: 'not_found', happenedOn: '2026-12-02' },
    ];
    for (const [i, step] of steps.entries()) {
      server.clock.set(`2026-12-02T10:0${i + 1}:00Z`);
      const answer = await send('backoffice', 'POST', path, step);
      expect([answer.status, answer.json.kind, answer.json.recordedByKind]).toEqual([201, step.kind, 'backoffice']);
    }
    const claim = (await send('partner', 'GET', `/v1/death-claims/${av.id}`)).json;
    const found = line(claim, 'Odile');
    expect(found.status).toBe('searching');
    expect(found.searchSteps.map((s: Body) => [s.kind, s.happenedOn, s.note ?? null])).toEqual(steps.map((s) => [s.kind, s.happenedOn, s.note ?? null]));
    av = claim;
  });

  it('passes a renouncing first-rank beneficiary\'s share to the rank\'s other, then to the second rank when none is left', async () => {
    const hugo = line(av, 'Hugo');
    const inès = line(av, 'Inès');
    expect(failure(await send('broker', 'POST', `${base(av, hugo)}/renunciation`, { renouncedOn: '2026-12-02' }))).toEqual(FORBIDDEN);
    expect(failure(await send('backoffice', 'POST', `${base(av, hugo)}/renunciation`, { renouncedOn: '2026-11-30' }))).toEqual([422, 'unprocessable_content', 'RENUNCIATION_BEFORE_DEATH']);
    const first = await send('backoffice', 'POST', `${base(av, hugo)}/renunciation`, { renouncedOn: '2026-12-02', documentReference: 'RENONCIATION-HUGO' });
    expect(first.status).toBe(200);
    expect(first.json.beneficiaries.map((b: Body) => [b.firstName, b.status, b.renouncedOn, b.shareOfClaimBasisPoints])).toEqual([
      ['Hugo', 'renounced', '2026-12-02', null], ['Inès', 'found', null, 10_000], ['Odile', 'searching', null, null],
    ]);
    expect(failure(await send('backoffice', 'POST', `${base(av, hugo)}/renunciation`, { renouncedOn: '2026-12-02' }))).toEqual([409, 'conflict', 'BENEFICIARY_RENOUNCED']);
    const second = await send('backoffice', 'POST', `${base(av, inès)}/renunciation`, { renouncedOn: '2026-12-02' });
    // Rank 1 is empty: rank 2 takes the whole capital, held for Odile while she is searched for.
    expect(second.json.beneficiaries.map((b: Body) => [b.firstName, b.status, b.shareOfClaimBasisPoints])).toEqual([
      ['Hugo', 'renounced', null], ['Inès', 'renounced', null], ['Odile', 'searching', 10_000],
    ]);
    const audit = await server.db.query<{ action: string }>(`select action from audit_log where action = 'death_claim.renounced'`);
    expect(audit).toHaveLength(2);
    av = second.json;
  });

  it('computes the checklist from the premium dates: both tax forms for premiums on both sides of 70, the PER by age at death', async () => {
    const odile = line(av, 'Odile');
    const file = await send('broker', 'GET', `${base(av, odile)}/file`);
    expect(file.status).toBe(200);
    expect(file.json).toMatchObject({ regimes: ['art_990_I', 'art_757_B'], complete: false, completedAt: null, documents: [] });
    expect(file.json.items.map((i: Body) => [i.item, i.status])).toEqual([['identity_document', 'missing'], ['iban_proof', 'missing'], ['tax_990i_statement', 'missing'], ['tax_757b_certificate', 'missing']]);
    // The PER: Bob died at 70, so art. 757 B for the whole benefit.
    const lea = line(per, 'Léa');
    expect((await send('partner', 'GET', `${base(per, lea)}/file`)).json).toMatchObject({ regimes: ['art_757_B'], items: [{ item: 'identity_document' }, { item: 'iban_proof' }, { item: 'tax_757b_certificate' }] });
    expect(failure(await send('alice', 'GET', `${base(per, lea)}/file`))).toEqual(FORBIDDEN);
    expect(failure(await send('backoffice', 'GET', `/v1/death-claims/${per.id}/beneficiaries/00000000-0000-7000-8000-0000000009ff/file`))).toEqual([404, 'resource_not_found', 'DEATH_CLAIM_BENEFICIARY_NOT_FOUND']);
  });

  it('completes a file only when every item is accepted: a refused item keeps it open with the reason; completion dates it, audits, publishes and e-mails', async () => {
    const lea = line(per, 'Léa');
    expect(failure(await upload('bob', per, lea, 'identity_document'))).toEqual(FORBIDDEN);
    // Nor through the generic evidence route: the kind's hook refuses a subscriber.
    const pdf = await tinyPdf('identity');
    expect(failure(await send('bob', 'POST', `/v1/evidence/subscribers/${BOB}/documents`, { kind: 'death_claim_document', subjectId: lea.id, item: 'identity_document', fileName: 'id.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }))).toEqual(FORBIDDEN);
    expect(failure(await upload('broker', per, lea, 'tax_990i_statement'))).toEqual([422, 'unprocessable_content', 'CLAIM_DOCUMENT_NOT_REQUIRED']);
    const identity = await upload('broker', per, lea, 'identity_document');
    expect([identity.status, identity.json.kind, identity.json.subjectId, identity.json.item, identity.json.status]).toEqual([201, 'death_claim_document', lea.id, 'identity_document', 'received']);
    const iban = (await upload('partner', per, lea, 'iban_proof')).json;
    const tax = (await upload('backoffice', per, lea, 'tax_757b_certificate')).json;
    expect(failure(await send('broker', 'POST', `${base(per, lea)}/documents/${identity.json.id}/review`, { decision: 'accept' }))).toEqual(FORBIDDEN);
    expect(failure(await review(per, line(per, 'Marc'), identity.json.id, 'accept'))).toEqual([404, 'resource_not_found', 'DEATH_CLAIM_DOCUMENT_NOT_FOUND']);

    server.clock.set('2026-12-05T09:00:00Z');
    await signIn(); // sessions do not outlive days of business time
    expect((await review(per, lea, identity.json.id, 'accept')).json.complete).toBe(false);
    expect((await review(per, lea, iban.id, 'accept')).json.complete).toBe(false);
    const refused = await review(per, lea, tax.id, 'refuse', 'Certificat illisible');
    expect(refused.json).toMatchObject({ complete: false, completedAt: null });
    expect(refused.json.items.find((i: Body) => i.item === 'tax_757b_certificate')).toEqual({ item: 'tax_757b_certificate', status: 'refused', documentId: tax.id, reviewReason: 'Certificat illisible' });
    expect(line((await send('backoffice', 'GET', `/v1/death-claims/${per.id}`)).json, 'Léa').fileCompletedAt).toBeNull();
    expect(failure(await upload('broker', per, lea, 'identity_document'))).toEqual([409, 'conflict', 'CLAIM_DOCUMENT_ALREADY_ACCEPTED']);

    const again = (await upload('broker', per, lea, 'tax_757b_certificate')).json;
    server.clock.set('2026-12-09T14:30:00Z');
    await signIn();
    const done = await review(per, lea, again.id, 'accept');
    expect(done.json).toMatchObject({ complete: true, completedAt: '2026-12-09T14:30:00.000Z' });
    expect(done.json.items.every((i: Body) => i.status === 'accepted')).toBe(true);
    expect(line((await send('broker', 'GET', `/v1/death-claims/${per.id}`)).json, 'Léa').fileCompletedAt).toBe('2026-12-09T14:30:00.000Z');
    // Marc's file is his own: still open.
    expect(line((await send('broker', 'GET', `/v1/death-claims/${per.id}`)).json, 'Marc').fileCompletedAt).toBeNull();
    expect(failure(await upload('broker', per, lea, 'identity_document'))).toEqual([409, 'conflict', 'BENEFICIARY_FILE_COMPLETE']);

    const events = await server.db.query<{ resource: Body }>(`select resource from outbound_events where type = 'death_claim.file_completed'`);
    expect(events.map((e) => e.resource)).toEqual([{ claimId: per.id, beneficiaryId: lea.id }]);
    const audit = await server.db.query<{ details: Body }>(`select details from audit_log where action = 'death_claim.file_completed'`);
    expect(audit.map((a) => a.details.beneficiaryId)).toEqual([lea.id]);
    const mails = await server.db.query<{ payload: Body }>(`select payload from notification_outbox where template = 'death_claim_file_completed'`);
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(mails[0]!.payload).toMatchObject({ claimId: per.id, beneficiaryId: lea.id, firstName: 'Léa', completedAt: '2026-12-09T14:30:00.000Z' });
  });

  it('answers the file over GraphQL too', async () => {
    const lea = line(per, 'Léa');
    const answer = await send('partner', 'POST', '/graphql', {
      query: 'query($c: ID!, $b: ID!) { deathClaimBeneficiaryFile(claimId: $c, beneficiaryId: $b) { complete completedAt regimes items { item status } } deathClaim(id: $c) { beneficiaries { id status searchSteps { kind } } } }',
      variables: { c: per.id, b: lea.id },
    });
    expect(answer.json.data.deathClaimBeneficiaryFile).toMatchObject({ complete: true, completedAt: '2026-12-09T14:30:00.000Z', regimes: ['art_757_B'] });
    expect(answer.json.data.deathClaim.beneficiaries).toHaveLength(3);
  });
});
