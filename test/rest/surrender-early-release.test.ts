import { EACH_DATABASE } from '../support/databases';
import { login } from '../support/http';
import type { TestServer } from '../support/server';
import { acceptedBeneficiary, reviewEvidence, uploadEvidence } from '../support/evidence';
import { surrenderPaymentDueBy } from '../../domain/surrender/payment-deadline';
import { auditOf, compartmentRow, freshPolicy, notificationsOf, paymentsEvent, parisToday, scaledEur } from '../support/surrender-fixtures';
import { surrenderSuite, ISO_INSTANT, newAddress, totalPath, partialPath, eur, expectError, expectRule } from '../support/surrender-suite';
import { DEMO_IDS } from '../support/ids';

// ---- helper builders -------------------------------------------------------------------------------

describe.each(EACH_DATABASE)('surrender declarations over REST on %s', (_name, database) => {
  const suite = surrenderSuite(database);
  const { as, post, get, declaredCount } = suite;
  let server: TestServer;
  beforeAll(() => void ({ server } = suite.state()));
  describe('PER early release (L224-4 CMF)', () => {
    it('needs one of the listed cases (earlyReleaseCase): any other is a 422 PER_EARLY_RELEASE_CASE_NOT_ALLOWED', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 'PER_EARLY_RELEASE_CASE_REQUIRED', 'earlyReleaseCase');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'holiday' }), 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', 'earlyReleaseCase');
      expectRule(await post(as.alice, totalPath(policyId), { reason: 'client-request', earlyReleaseCase: 'retirement_is_far' }), 'PER_EARLY_RELEASE_CASE_NOT_ALLOWED', 'earlyReleaseCase');
      expectRule(await post(as.alice, totalPath(policyId), {}), 'PER_EARLY_RELEASE_CASE_REQUIRED', 'earlyReleaseCase');
      expect(await declaredCount(policyId)).toBe(0);
    });

    it.each([['death_of_spouse_or_pacs_partner'], ['disability_of_child'], ['end_of_unemployment_rights'], ['end_of_company_officer_mandate']])('%s may release C3 money', async (earlyReleaseCase) => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const declared = await post(as.alice, partialPath(policyId, compartments.C3), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({ earlyReleaseCase, reason: 'client-request' });
    });

    it('main residence purchase: from C1 and C2, never from C3 (422 MAIN_RESIDENCE_NOT_FROM_C3)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C3), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' }), 'MAIN_RESIDENCE_NOT_FROM_C3', 'earlyReleaseCase');
      expect((await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' })).status).toBe(201);
      expect((await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'main_residence_purchase' })).status).toBe(201);
    });

    it('a total surrender of a PER holding C3 money is refused for a main residence, allowed without C3 money', async () => {
      const withC3 = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, totalPath(withC3.policyId), { earlyReleaseCase: 'main_residence_purchase' }), 'MAIN_RESIDENCE_NOT_FROM_C3', 'earlyReleaseCase');
      expect(await declaredCount(withC3.policyId)).toBe(0);
      const withoutC3 = await freshPolicy(server, 'alice', 'per', { C1: 842_300, C2: 356_120, C3: 0 });
      expect((await post(as.alice, totalPath(withoutC3.policyId), { earlyReleaseCase: 'main_residence_purchase' })).status).toBe(201);
    });

    it('uses the PER product’s own terms (minimum 300.00 EUR)', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(29_999), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 'PARTIAL_SURRENDER_BELOW_PRODUCT_MINIMUM', 'amount.value');
      expect((await post(as.alice, partialPath(policyId, compartments.C2), { amount: scaledEur(30_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' })).status).toBe(201);
    });
  });

  describe('PER early release: nothing is paid before its supporting documents are accepted', () => {
    it('a broker’s declaration awaits its documents: a checklist for its case, no payment deadline, and payment events do not move it', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const declared = await post(as.broker, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'death_of_spouse_or_pacs_partner' });
      expect(declared.status).toBe(201);
      expect(declared.json).toMatchObject({
        status: 'awaiting_documents',
        paymentDueBy: null,
        requiredDocuments: [
          { item: 'death_certificate', description: expect.any(String), status: 'missing' },
          { item: 'marriage_or_pacs_certificate', description: expect.any(String), status: 'missing' },
        ],
        history: [{ fromStatus: null, toStatus: 'awaiting_documents', actorKind: 'broker' }],
      });
      expect((await notificationsOf(server, declared.json.id)).map((n) => [n.template, n.payload.status, n.payload.dueBy, n.payload.requiredDocuments])).toEqual([
        ['surrender_declared', 'awaiting_documents', null, ['death_certificate', 'marriage_or_pacs_certificate']],
      ]);
      // The provider never received it: its events change nothing, and nothing leaves the compartment.
      for (const type of ['surrender.processing', 'surrender.paid']) expect((await paymentsEvent(server, type, { declaration_id: declared.json.id })).status).toBe(200);
      const read = await get(as.alice, `${partialPath(policyId, compartments.C1)}/${declared.json.id}`);
      expect(read.json).toMatchObject({ status: 'awaiting_documents', paidAmount: null, paidAt: null, paymentDueBy: null });
      expect(await compartmentRow(server, compartments.C1)).toEqual({ status: 'active', value: 842_300 });
      expect((await auditOf(server, declared.json.id)).map((a) => a.action)).toEqual(['surrender.partial_declared']);
    });

    it('each proof names a required item of its case; the file completes when back-office accepts the last one, and the deadline runs from then', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const path = (id: string) => `${partialPath(policyId, compartments.C3)}/${id}`;
      const declared = (await post(as.alice, partialPath(policyId, compartments.C3), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'death_of_spouse_or_pacs_partner' })).json;
      const proof = (item?: string) => uploadEvidence(server, as.broker, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item });
      expectError(await proof(), 400, 'parameter_invalid', 'DOCUMENT_ITEM_REQUIRED', 'item');
      expectRule(await proof('purchase_agreement_or_deed'), 'DOCUMENT_ITEM_NOT_REQUIRED_FOR_CASE', 'item');

      const certificate = await proof('death_certificate');
      expect(certificate.status).toBe(201);
      expect(certificate.json).toMatchObject({ kind: 'early_release_proof', subjectId: declared.id, item: 'death_certificate', policyId: policyId, status: 'received' });
      expect((await get(as.alice, path(declared.id))).json.requiredDocuments.map((d: { status: string }) => d.status)).toEqual(['received', 'missing']);
      expect((await reviewEvidence(server, as.backoffice, certificate.json.id, 'accept')).status).toBe(200);
      const family = await proof('marriage_or_pacs_certificate');
      expect((await reviewEvidence(server, as.backoffice, family.json.id, 'refuse', 'illegible')).status).toBe(200);
      expect((await get(as.alice, path(declared.id))).json).toMatchObject({ status: 'awaiting_documents', paymentDueBy: null });
      expect((await get(as.alice, path(declared.id))).json.requiredDocuments.map((d: { status: string }) => d.status)).toEqual(['accepted', 'refused']);

      // Forty days later the last proof arrives and is accepted: two months run from that day, not from the declaration.
      const start = server.clock.now();
      try {
        server.clock.set(new Date(start.getTime() + 40 * 24 * 3600_000));
        const backoffice = { authorization: `Bearer ${(await login(server.url, 'backoffice@demo.test', newAddress())).token}` };
        const alice = { authorization: `Bearer ${(await login(server.url, 'alice@demo.test', newAddress())).token}` };
        const again = await uploadEvidence(server, alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item: 'marriage_or_pacs_certificate' });
        expect((await reviewEvidence(server, backoffice, again.json.id, 'accept')).status).toBe(200);
        const complete = (await get(alice, path(declared.id))).json;
        expect(complete).toMatchObject({ status: 'received', requestedAt: declared.requestedAt, paymentDueBy: surrenderPaymentDueBy(server.clock.now()).toISOString() });
        expect(complete.requiredDocuments.map((d: { status: string }) => d.status)).toEqual(['accepted', 'accepted']);
        expect(complete.history.at(-1)).toEqual({ at: server.clock.now().toISOString(), fromStatus: 'awaiting_documents', toStatus: 'received', actorKind: 'backoffice', note: 'supporting documents accepted' });
        expect((await notificationsOf(server, declared.id)).map((n) => [n.recipient_user_id, n.template, n.payload.dueBy ?? n.payload.reason ?? null])).toEqual([
          [DEMO_IDS.users.alice, 'surrender_declared', null],
          [DEMO_IDS.users.alice, 'surrender_document_refused', 'illegible'],
          [DEMO_IDS.users.alice, 'surrender_documents_complete', complete.paymentDueBy],
        ]);
        expect((await auditOf(server, declared.id)).map((a) => [a.action, a.actor_kind])).toEqual([['surrender.partial_declared', 'subscriber'], ['surrender.documents_complete', 'backoffice']]);
        // Complete: no more proofs, and now the provider's events apply.
        expectError(await uploadEvidence(server, alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item: 'death_certificate' }), 409, 'conflict', 'SURRENDER_NOT_AWAITING_DOCUMENTS');
        expect((await paymentsEvent(server, 'surrender.paid', { declaration_id: declared.id })).status).toBe(200);
        expect((await get(alice, path(declared.id))).json).toMatchObject({ status: 'paid', paidAmount: eur(60_000) });
        expect(await compartmentRow(server, compartments.C3)).toEqual({ status: 'active', value: 421_900 - 60_000 });
      } finally {
        server.clock.set(start);
      }
    });

    it('the last two proofs accepted at the same time complete the file exactly once', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      const declared = (await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_spouse_or_pacs_partner' })).json;
      const proofs = await Promise.all(declared.requiredDocuments.map(({ item }: { item: string }) => uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.id, item })));
      const reviews = await Promise.all(proofs.map((p) => reviewEvidence(server, as.backoffice, p.json.id, 'accept')));
      expect(reviews.map((r) => r.status)).toEqual([200, 200]);
      const read = (await get(as.alice, `${partialPath(policyId, compartments.C1)}/${declared.id}`)).json;
      expect(read.status).toBe('received');
      expect(read.history.map((h: { toStatus: string }) => h.toStatus)).toEqual(['awaiting_documents', 'received']);
      expect((await notificationsOf(server, declared.id)).map((n) => n.template)).toEqual(['surrender_declared', 'surrender_documents_complete']);
    });

    it('a declaration awaiting documents still holds: its amount stays reserved, and a total surrender stays the only one', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'per');
      expect((await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(700_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' })).json.status).toBe('awaiting_documents');
      expectRule(await post(as.alice, partialPath(policyId, compartments.C1), { amount: scaledEur(200_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' }), 'PARTIAL_SURRENDER_EXCEEDS_COMPARTMENT_VALUE', 'amount.value');
      const other = await freshPolicy(server, 'alice', 'per');
      expect((await post(as.alice, totalPath(other.policyId), { earlyReleaseCase: 'disability_of_holder' })).json.status).toBe('awaiting_documents');
      expectError(await post(as.alice, totalPath(other.policyId), { earlyReleaseCase: 'disability_of_holder' }), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
      expectError(await post(as.alice, partialPath(other.policyId, other.compartments.C1), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'disability_of_holder' }), 409, 'conflict', 'TOTAL_SURRENDER_ALREADY_OPEN');
    });

    it('an assurance-vie surrender needs no documents: received at once, with its deadline; an early-release case there is a 422', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      expectRule(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock), earlyReleaseCase: 'over_indebtedness' }), 'EARLY_RELEASE_ONLY_FOR_PER', 'earlyReleaseCase');
      expectRule(await post(as.alice, totalPath(policyId), { earlyReleaseCase: 'over_indebtedness' }), 'EARLY_RELEASE_ONLY_FOR_PER', 'earlyReleaseCase');
      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expect(declared.json).toMatchObject({ status: 'received', paymentDueBy: expect.stringMatching(ISO_INSTANT), requiredDocuments: [] });
      expect((await uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'early_release_proof', subjectId: declared.json.id, item: 'over_indebtedness_decision' })).json.errors[0]).toMatchObject({ reason: 'NOT_AN_EARLY_RELEASE_DECLARATION' });
    });
  });

  describe('an accepted beneficiary (L132-9 I): no surrender without their written consent', () => {
    it.each([
      ['the subscriber, partial', 'alice', 'partial'],
      ['the broker, total', 'broker', 'total'],
      ['back-office, partial', 'backoffice', 'partial'],
      ['the partner platform, total', 'partner', 'total'],
    ] as const)('%s: 409 ACCEPTED_BENEFICIARY_CONSENT_REQUIRED, and nothing is declared', async (_label, who, kind) => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      await acceptedBeneficiary(server, as.alice, as.backoffice, DEMO_IDS.subscribers.alice, policyId);
      const answer = kind === 'total' ? await post(as[who], totalPath(policyId), {}) : await post(as[who], partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expectError(answer, 409, 'conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED');
      expect(await declaredCount(policyId)).toBe(0);
    });

    it('with their consent on file, accepted by back-office, one surrender goes through; the consent is spent', async () => {
      const { policyId, compartments } = await freshPolicy(server, 'alice', 'av');
      const beneficiaryId = await acceptedBeneficiary(server, as.alice, as.backoffice, DEMO_IDS.subscribers.alice, policyId);
      // A consent awaiting review, or naming nobody, is not enough.
      const pending = await uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: policyId, item: beneficiaryId });
      expect(pending.status).toBe(201);
      expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 409, 'conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED');
      expectError(await uploadEvidence(server, as.alice, DEMO_IDS.subscribers.alice, { kind: 'beneficiary_consent', subjectId: policyId }), 400, 'parameter_invalid', 'CONSENT_MUST_NAME_BENEFICIARY', 'item');
      expect((await reviewEvidence(server, as.backoffice, pending.json.id, 'accept')).status).toBe(200);

      const declared = await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) });
      expect(declared.status).toBe(201);
      expect((await auditOf(server, declared.json.id))[0].details).toMatchObject({ beneficiaryConsents: [pending.json.id] });
      expectError(await post(as.alice, partialPath(policyId, compartments.MAIN), { amount: scaledEur(60_000), requestedAt: parisToday(server.clock) }), 409, 'conflict', 'ACCEPTED_BENEFICIARY_CONSENT_REQUIRED');
    });
  });
});
