import { BeneficiaryStore } from '../../store/beneficiary-store';
import { EACH_DATABASE } from '../support/databases';
import { call, login, type Answer } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { reviewEvidence, uploadEvidence, acceptedEvidence } from '../support/evidence';
import { DEMO_IDS, UUID_V7, testId } from '../support/ids';

const PARTNER = { client_id: 'demo-partner', client_secret: 'demo-partner-secret', serial: '01:23:45:67:89:AB:CD:EF' };

let addressCounter = 0;
/** A distinct client address per login, so the per-address login throttle never interferes. */
const newAddress = () => `10.60.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

type Body = Record<string, any>;

/** A named beneficiary as a REST client sends it. */
function person(firstName: string, rank: number, share: number, overrides: Body = {}): Body {
  return {
    firstName: firstName,
    lastName: 'Martin',
    birthDate: '2001-06-15',
    address: { line1: '3 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' },
    rank,
    shareBasisPoints: share,
    ...overrides,
  };
}

/** What the API returns for a beneficiary it stored from `person(...)`, minus the id. */
const stored = (body: Body) => ({
  firstName: body.firstName,
  lastName: body.lastName,
  birthDate: body.birthDate,
  address: { line2: null, ...body.address },
  rank: body.rank,
  shareBasisPoints: body.shareBasisPoints,
  accepted: body.accepted === true,
  acceptedAt: body.accepted === true ? body.acceptedAt : null,
});

/** Back to the input shape, keeping the id: how a client resends a beneficiary unchanged (an acceptance is never sent). */
const resend = (b: Body): Body => {
  const { accepted: _accepted, acceptedAt: _acceptedAt, address, ...rest } = b;
  return { ...rest, address: { line1: address.line1, line2: address.line2, postalCode: address.postalCode, city: address.city, country: address.country } };
};

describe.each(EACH_DATABASE)('REST death settlement on %s', (_name, database) => {
  let server: TestServer;
  let store: BeneficiaryStore;
  const tokens: Record<string, string> = {};
  let machine: { token: string; headers: Record<string, string> };

  const path = (policyId: string, tail = 'beneficiary-designation') => `${server.url}/v1/death-settlement/policies/${policyId}/${tail}`;
  const auth = (who: string): Record<string, string> => (who === 'machine' ? { authorization: `Bearer ${machine.token}`, ...machine.headers } : { authorization: `Bearer ${tokens[who]}` });
  const get = (who: string, policyId: string, tail?: string) => call(path(policyId, tail), { headers: auth(who) });
  const put = (who: string, policyId: string, body: Body, ifMatch?: string) =>
    call(path(policyId), { method: 'PUT', json: body, headers: { ...auth(who), ...(ifMatch !== undefined ? { 'if-match': ifMatch } : {}) } });
  const first = (answer: Answer) => answer.json?.errors?.[0];
  const count = async (sql: string, params: unknown[]) => Number((await server.db.query<{ n: number }>(sql, params))[0].n);

  beforeAll(async () => {
    server = await startTestServer(database, { demoPortfolio: true });
    store = new BeneficiaryStore(server.db);
    for (const who of ['alice', 'bob', 'broker', 'backoffice']) tokens[who] = (await login(server.url, `${who}@demo.test`, newAddress())).token;
    const issued = await call(`${server.url}/v1/auth/token`, {
      method: 'POST',
      json: { grant_type: 'client_credentials', client_id: PARTNER.client_id, client_secret: PARTNER.client_secret },
      headers: { 'x-client-certificate-serial': PARTNER.serial, 'x-forwarded-for': newAddress() },
    });
    machine = { token: issued.json.access_token, headers: { 'x-client-certificate-serial': PARTNER.serial } };
  });
  afterAll(() => server.close());

  describe('reading', () => {
    it('every policy has a designation: the product default, the first standard clause, at version 0 (ETag "0")', async () => {
      const answer = await get('alice', DEMO_IDS.policies.aliceAv);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('etag')).toBe('"0"');
      expect(answer.json).toEqual({
        policyId: DEMO_IDS.policies.aliceAv,
        version: 0,
        kind: 'standard',
        isDefault: true,
        updatedAt: null,
        standardClause: { id: DEMO_IDS.standardClauses.spouseChildren, title: expect.any(String), text: expect.stringMatching(/^Mon conjoint/) },
        beneficiaries: [],
      });
    });

    it('lists the published standard clauses usable on the policy, the default first', async () => {
      const answer = await get('alice', DEMO_IDS.policies.aliceAv, 'standard-beneficiary-designations');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.json.map((c: { id: string }) => c.id)).toEqual([DEMO_IDS.standardClauses.spouseChildren, DEMO_IDS.standardClauses.children, DEMO_IDS.standardClauses.heirs]);
      expect(answer.json[0]).toEqual({ id: DEMO_IDS.standardClauses.spouseChildren, title: expect.any(String), text: expect.any(String) });
    });
  });

  describe('object-level access (docs/SECURITY.md 13)', () => {
    it.each([
      ['GET the designation', () => get('alice', DEMO_IDS.policies.bobAv)],
      ['GET the standard clauses', () => get('alice', DEMO_IDS.policies.bobAv, 'standard-beneficiary-designations')],
      ['PUT the designation', () => put('alice', DEMO_IDS.policies.bobAv, { standardClauseId: DEMO_IDS.standardClauses.heirs }, '"0"')],
      ['GET an unknown policy', () => get('alice', testId('pol_nobody'))],
    ])("subscriber A gets 404 for B's policy: %s", async (_label, send) => {
      const answer = await send();
      expect(answer.status).toBe(404);
      expect(answer.json.errors).toEqual([{ code: 'resource_not_found', message: expect.any(String), reason: 'POLICY_NOT_FOUND', doc_url: `${server.url}/docs/errors/resource_not_found` }]);
    });

    it("B's designation was not changed by A's attempt", async () => {
      const answer = await get('bob', DEMO_IDS.policies.bobAv);
      expect(answer.json).toMatchObject({ version: 0, isDefault: true });
    });
  });

  describe('If-Match (docs/SECURITY.md 20)', () => {
    it('authentication is checked first: no credentials and no If-Match is 401', async () => {
      const answer = await call(path(DEMO_IDS.policies.aliceAv), { method: 'PUT', json: { standardClauseId: DEMO_IDS.standardClauses.heirs } });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['"*" (names no version)', '*'],
    ])('If-Match %s: 428 precondition_required, nothing written', async (_label, ifMatch) => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.heirs }, ifMatch);
      expect(answer.status).toBe(428);
      expect(first(answer)).toEqual({ code: 'precondition_required', message: expect.any(String), reason: 'IF_MATCH_REQUIRED', doc_url: `${server.url}/docs/errors/precondition_required` });
      expect(await store.current(DEMO_IDS.policies.aliceAv)).toBeUndefined();
    });

    it('428 comes before the body is looked at', async () => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { nonsense: true });
      expect(answer.status).toBe(428);
    });

    it.each([['weak', 'W/"0"'], ['unquoted', '0'], ['a list', '"0", "1"'], ['not a number', '"abc"']])('an If-Match that is none of our ETags (%s) never matches: 412', async (_label, ifMatch) => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.heirs }, ifMatch);
      expect(answer.status).toBe(412);
      expect(first(answer)).toMatchObject({ code: 'precondition_failed', reason: 'ETAG_NOT_MATCHED' });
    });

    it('a PUT with the current ETag succeeds and returns the next ETag; a GET then shows it', async () => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.heirs }, '"0"');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('etag')).toBe('"1"');
      expect(answer.json).toMatchObject({ policyId: DEMO_IDS.policies.aliceAv, version: 1, kind: 'standard', isDefault: false, standardClause: { id: DEMO_IDS.standardClauses.heirs }, beneficiaries: [] });
      expect(answer.json.updatedAt).toBe(server.clock.now().toISOString());
      const read = await get('alice', DEMO_IDS.policies.aliceAv);
      expect(read.headers.get('etag')).toBe('"1"');
      expect(read.json).toEqual(answer.json);
    });

    it('a PUT with a stale ETag is 412 precondition_failed and changes nothing', async () => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.children }, '"0"');
      expect(answer.status).toBe(412);
      expect(first(answer)).toEqual({ code: 'precondition_failed', message: expect.any(String), reason: 'STALE_VERSION', doc_url: `${server.url}/docs/errors/precondition_failed` });
      expect((await get('alice', DEMO_IDS.policies.aliceAv)).json).toMatchObject({ version: 1, standardClause: { id: DEMO_IDS.standardClauses.heirs } });
    });

    it('the version cannot be set through the body', async () => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.children, expectedVersion: 1 }, '"1"');
      expect(answer.status).toBe(400);
      expect(first(answer)).toMatchObject({ code: 'parameter_invalid', reason: 'UNKNOWN_FIELD', field: 'expectedVersion' });
    });

    it.each([
      ['first change (version 0)', 0],
      ['later change (version 1)', 1],
    ])('of 20 concurrent PUTs with the same If-Match exactly one wins, 19 get 412: %s', async (_label, version) => {
      const before = await count(`select count(*)::int as n from audit_log where target_type = 'beneficiary_designation' and target_id = $1`, [DEMO_IDS.policies.bobPer]);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => put('bob', DEMO_IDS.policies.bobPer, { beneficiaries: [person(`Writer${i}`, 1, 10_000)] }, `"${version}"`)),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, ...Array(19).fill(412)]);
      for (const loser of answers.filter((a) => a.status === 412)) expect(first(loser)).toMatchObject({ code: 'precondition_failed', reason: 'STALE_VERSION' });
      const winner = answers.find((a) => a.status === 200)!;
      expect(winner.headers.get('etag')).toBe(`"${version + 1}"`);
      const current = await get('bob', DEMO_IDS.policies.bobPer);
      expect(current.json).toEqual(winner.json);
      // One winner: one history row, one audit entry, one notification for this version.
      expect((await store.versions(DEMO_IDS.policies.bobPer)).map((v) => v.version)).toEqual(Array.from({ length: version + 1 }, (_, i) => i + 1));
      expect(await count(`select count(*)::int as n from audit_log where target_type = 'beneficiary_designation' and target_id = $1`, [DEMO_IDS.policies.bobPer])).toBe(before + 1);
      expect(await count(`select count(*)::int as n from notification_outbox where template = 'beneficiary_designation_changed' and payload->>'policyId' = $1`, [DEMO_IDS.policies.bobPer])).toBe(version + 1);
    });
  });

  describe('custom designations', () => {
    it('names beneficiaries with birth date, address, rank and share; each gets an id', async () => {
      const paul = person('Paul', 1, 6_000);
      const lea = person('Léa', 1, 4_000, { birthDate: '2004-02-29' });
      const heir = person('Jeanne', 2, 10_000, { lastName: 'Durand', address: { line1: '8 avenue Foch', line2: 'Apt 4', postalCode: '75016', city: 'Paris', country: 'FR' } });
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { beneficiaries: [heir, paul, lea] }, '"1"');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('etag')).toBe('"2"');
      expect(answer.json).toMatchObject({ version: 2, kind: 'custom', standardClause: null, isDefault: false });
      // By rank; within a rank, as sent.
      expect(answer.json.beneficiaries.map(({ id, ...rest }: Body) => rest)).toEqual([stored(paul), stored(lea), stored(heir)]);
      for (const b of answer.json.beneficiaries) expect(b.id).toMatch(UUID_V7);
    });

    it('shares of each rank total exactly 100%: otherwise 400 naming the rank', async () => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { beneficiaries: [person('Paul', 1, 5_000), person('Léa', 1, 5_000), person('Jeanne', 2, 6_000), person('Marc', 2, 3_000)] }, '"2"');
      expect(answer.status).toBe(400);
      expect(answer.json.errors).toEqual([{ code: 'parameter_invalid', message: expect.any(String), reason: 'SHARES_OF_RANK_2_NOT_100_PERCENT', field: 'beneficiaries', doc_url: `${server.url}/docs/errors/parameter_invalid` }]);
    });

    it('names every offending field at once, as the client spelled it', async () => {
      const answer = await put(
        'alice',
        DEMO_IDS.policies.aliceAv,
        {
          beneficiaries: [
            person('', 1, 10_000, { birthDate: '2199-01-01' }),
            person('Marc', 3, 0, { address: { line1: '1 rue X', postalCode: '7500', city: 'Paris', country: 'FR' } }),
            person('Zoé', 4, 10_000, { accepted: true }),
          ],
        },
        '"2"',
      );
      expect(answer.status).toBe(400);
      expect(answer.json.errors.map((e: Body) => `${e.field} ${e.reason}`).sort()).toEqual(
        [
          'beneficiaries.0.firstName REQUIRED_FIELD_MISSING',
          'beneficiaries.0.birthDate BIRTH_DATE_IN_FUTURE',
          'beneficiaries.1.address.postalCode POSTAL_CODE_INVALID',
          'beneficiaries.1.shareBasisPoints SHARE_OUT_OF_RANGE',
          'beneficiaries.2.accepted ACCEPTANCE_RECORDED_SEPARATELY',
        ].sort(),
      );
    });

    it('exactly one of a standard clause or beneficiaries; unknown clauses and fields are refused', async () => {
      const both = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.heirs, beneficiaries: [person('Paul', 1, 10_000)] }, '"2"');
      expect(first(both)).toMatchObject({ reason: 'EXACTLY_ONE_OF_STANDARD_CLAUSE_OR_BENEFICIARIES', field: 'standardClauseId' });
      const unknown = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: testId('clause_neighbours') }, '"2"');
      expect(first(unknown)).toMatchObject({ reason: 'UNKNOWN_STANDARD_CLAUSE', field: 'standardClauseId' });
      const extra = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.heirs, status: 'accepted' }, '"2"');
      expect(extra.status).toBe(400);
      expect(first(extra)).toMatchObject({ reason: 'UNKNOWN_FIELD', field: 'status' });
      expect((await get('alice', DEMO_IDS.policies.aliceAv)).json.version).toBe(2);
    });
  });

  describe('accepted beneficiaries (L132-9)', () => {
    let designation: Body;
    let endorsementId: string;
    const accepted = () => designation.beneficiaries.find((b: Body) => b.accepted);
    const others = () => designation.beneficiaries.filter((b: Body) => !b.accepted);
    const acceptances = (policyId: string) => path(policyId, 'beneficiary-acceptances');
    const record = (who: string, body: Body, policyId = DEMO_IDS.policies.aliceAv) => call(acceptances(policyId), { method: 'POST', json: body, headers: auth(who) });
    const endorsement = async (item?: string) => (await uploadEvidence(server, auth('alice'), DEMO_IDS.subscribers.alice, { kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.aliceAv, item })).json.id as string;
    const consentFor = (beneficiaryId: string) => uploadEvidence(server, auth('alice'), DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: DEMO_IDS.policies.aliceAv, item: beneficiaryId });

    it('the designation PUT cannot set an acceptance: 400 naming the field, nothing written', async () => {
      const current = (await get('backoffice', DEMO_IDS.policies.aliceAv)).json;
      const [paul, ...rest] = current.beneficiaries.map(resend);
      const answer = await put('backoffice', DEMO_IDS.policies.aliceAv, { beneficiaries: [{ ...paul, accepted: true, acceptedAt: '2025-11-03' }, ...rest] }, `"${current.version}"`);
      expect(answer.status).toBe(400);
      expect(answer.json.errors.map((e: Body) => `${e.field} ${e.reason}`)).toEqual(['beneficiaries.0.accepted ACCEPTANCE_RECORDED_SEPARATELY', 'beneficiaries.0.acceptedAt ACCEPTANCE_RECORDED_SEPARATELY']);
      expect((await get('alice', DEMO_IDS.policies.aliceAv)).json).toEqual(current);
      designation = current;
    });

    it.each([['the subscriber', 'alice'], ['the broker', 'broker'], ['the partner platform', 'machine']])('%s may not record an acceptance (403)', async (_label, who) => {
      const answer = await record(who, { beneficiaryId: designation.beneficiaries[0].id, acceptedAt: '2025-11-03', endorsementId: testId('evd_x') });
      expect(answer.status).toBe(403);
      expect(first(answer)).toMatchObject({ code: 'forbidden', message: 'INSUFFICIENT_ROLES' });
    });

    it('needs the signed endorsement of this policy, not refused, about this beneficiary (422 naming endorsement_id)', async () => {
      const paul = designation.beneficiaries[0].id;
      const unknown = await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-11-03', endorsementId: testId('evd_nobody') });
      expect(first(unknown)).toMatchObject({ code: 'unprocessable_content', reason: 'ACCEPTANCE_ENDORSEMENT_NOT_FOUND', field: 'endorsementId' });
      // An endorsement of another policy, or another kind of document, is not this one's.
      const otherPolicy = (await uploadEvidence(server, auth('alice'), DEMO_IDS.subscribers.alice, { kind: 'acceptance_endorsement', subjectId: DEMO_IDS.policies.alicePer })).json.id;
      expect(first(await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-11-03', endorsementId: otherPolicy }))).toMatchObject({ reason: 'ACCEPTANCE_ENDORSEMENT_NOT_FOUND' });
      const refused = await endorsement(paul);
      expect((await reviewEvidence(server, auth('backoffice'), refused, 'refuse', 'unsigned')).status).toBe(200);
      expect(first(await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-11-03', endorsementId: refused }))).toMatchObject({ reason: 'ACCEPTANCE_ENDORSEMENT_REFUSED', field: 'endorsementId' });
      const aboutLea = await endorsement(designation.beneficiaries[1].id);
      expect(first(await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-11-03', endorsementId: aboutLea }))).toMatchObject({ reason: 'ACCEPTANCE_ENDORSEMENT_NAMES_ANOTHER_BENEFICIARY' });
      expect(first(await record('backoffice', { beneficiaryId: testId('bnf_nobody'), acceptedAt: '2025-11-03', endorsementId: aboutLea }))).toMatchObject({ reason: 'UNKNOWN_BENEFICIARY', field: 'beneficiaryId' });
      expect((await get('alice', DEMO_IDS.policies.aliceAv)).json).toEqual(designation);
    });

    it('the date is at least 30 days after the contract’s conclusion (issued 14 March 2025) and not in the future (422)', async () => {
      const paul = designation.beneficiaries[0].id;
      endorsementId = await endorsement(paul);
      const early = await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-04-12', endorsementId: endorsementId });
      expect(first(early)).toMatchObject({ code: 'unprocessable_content', reason: 'ACCEPTANCE_BEFORE_END_OF_WITHDRAWAL_PERIOD', field: 'acceptedAt' });
      const tomorrow = new Date(server.clock.now().getTime() + 2 * 24 * 3600_000).toISOString().slice(0, 10);
      expect(first(await record('backoffice', { beneficiaryId: paul, acceptedAt: tomorrow, endorsementId: endorsementId }))).toMatchObject({ reason: 'ACCEPTANCE_DATE_IN_FUTURE', field: 'acceptedAt' });
    });

    it('back-office records it: the endorsement is accepted by the act, the designation moves on a version, audited and notified', async () => {
      const paul = designation.beneficiaries[0].id;
      const answer = await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-04-13', endorsementId: endorsementId });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('etag')).toBe(`"${designation.version + 1}"`);
      expect(answer.json.version).toBe(designation.version + 1);
      expect(answer.json.beneficiaries[0]).toEqual({ ...designation.beneficiaries[0], accepted: true, acceptedAt: '2025-04-13' });
      expect(answer.json.beneficiaries.slice(1)).toEqual(designation.beneficiaries.slice(1));
      expect((await call(`${server.url}/v1/evidence/documents/${endorsementId}`, { headers: auth('backoffice') })).json).toMatchObject({ status: 'accepted' });
      const last = (await store.versions(DEMO_IDS.policies.aliceAv)).at(-1)!;
      expect(last).toMatchObject({ version: answer.json.version, actorKind: 'backoffice', actorId: DEMO_IDS.users.backoffice, consents: [] });
      const [entry] = (await server.app.services.audit.history('beneficiary_designation', DEMO_IDS.policies.aliceAv)).filter((e) => e.action === 'beneficiary_acceptance.recorded');
      expect(entry).toMatchObject({ actorKind: 'backoffice', details: { beneficiaryId: paul, acceptedAt: '2025-04-13', endorsementId, toVersion: answer.json.version } });
      const [notice] = await server.db.query<{ recipient_user_id: string; payload: Body }>(`select recipient_user_id, payload from notification_outbox where template = 'beneficiary_acceptance_recorded' and payload->>'policyId' = '${DEMO_IDS.policies.aliceAv}'`);
      expect(notice).toEqual({ recipient_user_id: DEMO_IDS.users.alice, payload: { policyId: DEMO_IDS.policies.aliceAv, subscriberId: DEMO_IDS.subscribers.alice, beneficiaryId: paul, acceptedAt: '2025-04-13', version: answer.json.version } });
      // Once is enough.
      expect(first(await record('backoffice', { beneficiaryId: paul, acceptedAt: '2025-04-13', endorsementId: endorsementId }))).toMatchObject({ code: 'conflict', reason: 'BENEFICIARY_ALREADY_ACCEPTED' });
      designation = answer.json;
    });

    it.each([
      ['removes them', () => ({ beneficiaries: others().map(resend).map((b: Body) => (b.rank === 1 ? { ...b, shareBasisPoints: 10_000 } : b)) })],
      ['changes their share', () => ({ beneficiaries: [{ ...resend(accepted()), shareBasisPoints: 5_000 }, { ...resend(others()[0]), shareBasisPoints: 5_000 }, resend(others()[1])] })],
      ['changes their address', () => ({ beneficiaries: [{ ...resend(accepted()), address: { line1: '1 place Bellecour', postalCode: '69002', city: 'Lyon', country: 'FR' } }, ...others().map(resend)] })],
      ['sends them again without their id (a new person to us)', () => ({ beneficiaries: [{ ...resend(accepted()), id: undefined }, ...others().map(resend)] })],
      ['replaces the clause by a standard one', () => ({ standardClauseId: DEMO_IDS.standardClauses.children })],
    ])('a PUT that %s is 409 without their consent', async (_label, body) => {
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, body(), `"${designation.version}"`);
      expect(answer.status).toBe(409);
      expect(answer.json.errors).toEqual([{ code: 'conflict', message: expect.any(String), reason: 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED', field: 'consents', doc_url: `${server.url}/docs/errors/conflict` }]);
      expect((await get('alice', DEMO_IDS.policies.aliceAv)).json).toEqual(designation);
    });

    it('other beneficiaries may change while the accepted one is kept (by its id: the acceptance stays)', async () => {
      const [lea, jeanne] = others().map(resend);
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { beneficiaries: [resend(accepted()), lea, { ...jeanne, address: { ...jeanne.address, line2: null, line1: '10 avenue Foch' } }] }, `"${designation.version}"`);
      expect(answer.status).toBe(200);
      expect(answer.json.beneficiaries.find((b: Body) => b.id === accepted().id)).toEqual(accepted());
      designation = answer.json;
    });

    it('a consent names an accepted beneficiary and a consent document of theirs that back-office accepted (never used before)', async () => {
      const paul = accepted().id;
      const notAccepted = others()[0].id;
      const change = (consents: Body[]) => put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.children, consents }, `"${designation.version}"`);
      expect(first(await change([{ beneficiaryId: notAccepted, evidenceId: testId('evd_x') }]))).toMatchObject({ code: 'parameter_invalid', reason: 'NOT_AN_ACCEPTED_BENEFICIARY', field: 'consents.0.beneficiaryId' });
      // Only an accepted beneficiary gives a consent; it names them.
      expect(first(await consentFor(notAccepted))).toMatchObject({ code: 'unprocessable_content', reason: 'NOT_AN_ACCEPTED_BENEFICIARY', field: 'item' });
      const pending = (await consentFor(paul)).json.id;
      expect(first(await change([{ beneficiaryId: paul, evidenceId: pending }]))).toMatchObject({ code: 'unprocessable_content', reason: 'CONSENT_DOCUMENT_NOT_ACCEPTED', field: 'consents.0.evidenceId' });
      expect(first(await change([{ beneficiaryId: paul, evidenceId: endorsementId }]))).toMatchObject({ reason: 'CONSENT_DOCUMENT_NOT_FOUND' });
      // The old free-text consent (a date) is gone.
      expect(first(await change([{ beneficiaryId: paul, consented_at: '2026-01-05' }]))).toMatchObject({ code: 'parameter_invalid' });
      expect((await get('alice', DEMO_IDS.policies.aliceAv)).json).toEqual(designation);
    });

    it("with the accepted beneficiary's consent on file, the change goes through, the consent is kept in the history and cannot be used again", async () => {
      const paul = accepted().id;
      const consent = await acceptedEvidence(server, auth('alice'), auth('backoffice'), DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: DEMO_IDS.policies.aliceAv, item: paul });
      const answer = await put('alice', DEMO_IDS.policies.aliceAv, { standardClauseId: DEMO_IDS.standardClauses.children, consents: [{ beneficiaryId: paul, evidenceId: consent }] }, `"${designation.version}"`);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ kind: 'standard', standardClause: { id: DEMO_IDS.standardClauses.children }, beneficiaries: [] });
      const last = (await store.versions(DEMO_IDS.policies.aliceAv)).at(-1)!;
      expect(last).toMatchObject({ version: answer.json.version, kind: 'standard', standardClauseId: DEMO_IDS.standardClauses.children, consents: [{ beneficiaryId: paul, evidenceId: consent }], actorKind: 'subscriber', actorId: DEMO_IDS.users.alice });
      expect(await count('select count(*)::int as n from beneficiary_consent_uses where evidence_id = $1', [consent])).toBe(1);
    });
  });

  describe('who may write, and what each change leaves behind', () => {
    it.each([['the broker of its distributor', 'broker'], ['back-office', 'backoffice'], ['the partner platform of its distributor', 'machine'], ['its subscriber', 'alice']])(
      '%s may change it',
      async (_label, who) => {
        const { version } = (await get(who, DEMO_IDS.policies.alicePer)).json;
        const answer = await put(who, DEMO_IDS.policies.alicePer, { standardClauseId: version % 2 ? DEMO_IDS.standardClauses.heirs : DEMO_IDS.standardClauses.children }, `"${version}"`);
        expect(answer.status).toBe(200);
        expect(answer.json.version).toBe(version + 1);
      },
    );

    it('another subscriber may not (404)', async () => {
      const answer = await put('bob', DEMO_IDS.policies.alicePer, { standardClauseId: DEMO_IDS.standardClauses.heirs }, '"4"');
      expect(answer.status).toBe(404);
    });

    it('every change keeps a version in the history, with who made it', async () => {
      const versions = await store.versions(DEMO_IDS.policies.alicePer);
      expect(versions.map((v) => [v.version, v.actorKind, v.actorId])).toEqual([
        [1, 'broker', DEMO_IDS.users.broker],
        [2, 'backoffice', DEMO_IDS.users.backoffice],
        [3, 'machine', 'demo-partner'],
        [4, 'subscriber', DEMO_IDS.users.alice],
      ]);
      expect(versions.every((v) => typeof v.requestId === 'string' && v.requestId.length > 0)).toBe(true);
    });

    it('every change is audited: who, from and to which version, names only (no birth dates or addresses)', async () => {
      const entries = await server.app.services.audit.history('beneficiary_designation', DEMO_IDS.policies.aliceAv);
      expect(entries.map((e) => [e.actorKind, e.details.fromVersion, e.details.toVersion])).toEqual([
        ['subscriber', 0, 1],
        ['subscriber', 1, 2],
        ['backoffice', 2, 3],
        ['subscriber', 3, 4],
        ['subscriber', 4, 5],
      ]);
      expect(entries[1]).toMatchObject({ action: 'beneficiary_designation.changed', actorId: DEMO_IDS.users.alice, details: { kind: 'custom', beneficiaries: ['Paul Martin', 'Léa Martin', 'Jeanne Durand'] } });
      expect(entries.every((e) => typeof e.requestId === 'string')).toBe(true);
      const text = JSON.stringify(entries);
      for (const personal of ['2001-06-15', '2004-02-29', 'rue des Lilas', 'avenue Foch', '69003']) expect(text).not.toContain(personal);
    });

    it('every change notifies the subscriber, whoever made it', async () => {
      const rows = await server.db.query<{ recipient_user_id: string; channel: string; payload: Body }>(
        `select recipient_user_id, channel, payload from notification_outbox where template = 'beneficiary_designation_changed' and payload->>'policyId' = '${DEMO_IDS.policies.alicePer}' order by id`,
      );
      expect(rows).toEqual(
        ['broker', 'backoffice', 'machine', 'subscriber'].map((changedBy, i) => ({
          recipient_user_id: DEMO_IDS.users.alice,
          channel: 'email',
          payload: { policyId: DEMO_IDS.policies.alicePer, subscriberId: DEMO_IDS.subscribers.alice, version: i + 1, changedBy },
        })),
      );
    });

    it('history is append-only', async () => {
      await expect(server.db.query(`update beneficiary_designation_versions set actor_id = 'x' where policy_id = '${DEMO_IDS.policies.alicePer}'`)).rejects.toThrow(/append-only/);
      await expect(server.db.query(`delete from beneficiary_designation_versions where policy_id = '${DEMO_IDS.policies.alicePer}'`)).rejects.toThrow(/append-only/);
    });

    it('a policy that is no longer active keeps its designation readable but refuses changes (409)', async () => {
      await server.db.query(`update policies set status = 'withdrawn' where id = '${DEMO_IDS.policies.bobAv}'`);
      try {
        const answer = await put('bob', DEMO_IDS.policies.bobAv, { standardClauseId: DEMO_IDS.standardClauses.heirs }, '"0"');
        expect(answer.status).toBe(409);
        expect(first(answer)).toMatchObject({ code: 'conflict', reason: 'CANNOT_DESIGNATE_BENEFICIARIES_IN_POLICY_STATE_WITHDRAWN' });
        expect((await get('bob', DEMO_IDS.policies.bobAv)).status).toBe(200);
      } finally {
        await server.db.query(`update policies set status = 'active' where id = '${DEMO_IDS.policies.bobAv}'`);
      }
    });
  });

  describe('OpenAPI', () => {
    it('documents If-Match with 412 and 428 on the PUT, and the ETag header on GET and PUT', async () => {
      const doc = (await call(`${server.url}/v1/openapi.json`)).json;
      const item = doc.paths['/v1/death-settlement/policies/{policyId}/beneficiary-designation'];
      expect(item.put.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header', required: true })]));
      expect(Object.keys(item.put.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '412', '428']));
      expect(item.get.responses['200'].headers.ETag).toBeDefined();
      expect(item.put.responses['200'].headers.ETag).toBeDefined();
      expect(item.get.parameters.map((p: Body) => p.name)).toEqual(['policyId']);
      const body = item.put.requestBody.content['application/json'].schema.$ref.split('/').pop();
      expect(Object.keys(doc.components.schemas[body].properties).sort()).toEqual(['beneficiaries', 'consents', 'standardClauseId']);
    });
  });
});
