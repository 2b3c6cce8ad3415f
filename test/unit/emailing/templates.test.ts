import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailTemplates, TemplateError } from '../../../domain/emailing/mail-templates';
import { SURRENDER_PAYMENT_EVENTS } from '../../../domain/surrender/payment-events';

/** Where outbox messages are written: the domain services, and the outbox's own lanes (a disabled webhook endpoint). */
const WRITERS = [join(__dirname, '../../../domain'), join(__dirname, '../../../outbox')];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(directory, entry.name)) : entry.name.endsWith('.ts') ? [join(directory, entry.name)] : [],
  );
}

/** Every template name the domain writes to the outbox: `template: '...'` and the services' `notify(tx, subscriber, '...')`. */
function templatesWritten(): Set<string> {
  const names = new Set<string>();
  for (const file of WRITERS.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const [, name] of text.matchAll(/template: '(\w+)'/g)) names.add(name);
    for (const [, name] of text.matchAll(/notify\(tx, subscriber, '(\w+)'/g)) names.add(name);
    // surrender-payments.ts: `surrender_${to}` for each outcome a payment event reports.
    if (text.includes('template: `surrender_${to}`')) for (const [, outcome] of SURRENDER_PAYMENT_EVENTS) names.add(`surrender_${outcome}`);
  }
  return names;
}

/** The payload each template gets, with the keys its enqueue call writes (values made up). */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  signature_otp: { to: '+33612345678', code: '123456', subscriptionId: 's', signatureId: 'g' },
  signature_link: { to: 'a@b.test', signingUrl: 'https://x.test/esign/1?t=a&b=<c>', subscriptionId: 's', signatureId: 'g' },
  policy_issued: { subscriptionId: 's', policyId: 'p', withdrawalDeadline: '2026-04-01T21:59:59.999Z' },
  withdrawal_confirmed: { subscriptionId: 's', refund: 150000, currency: 'EUR' },
  payout_iban_confirmation_code: { to: '+33612345678', code: '123456', subscriberId: 'x', payoutIbanId: 'i', iban: 'FR76 **** 0189', registeredBy: 'broker' },
  payout_iban_registered: { to: 'a@b.test', subscriberId: 'x', payoutIbanId: 'i', iban: 'FR76 **** 0189', status: 'pending_confirmation', registeredBy: 'broker' },
  payout_iban_status_changed: { to: 'a@b.test', subscriberId: 'x', payoutIbanId: 'i', iban: 'FR76 **** 0189', previousStatus: 'pending_review', status: 'refused', reason: null },
  payout_iban_default_changed: { to: 'a@b.test', subscriberId: 'x', payoutIbanId: 'i', iban: 'FR76 **** 0189' },
  support_request_opened: { to: 'a@b.test', subscriberId: 'x', requestId: 'r', reference: 'SR-2026-000001', subject: 'Prélèvement', status: 'open' },
  death_claim_file_completed: { claimId: 'c1', policyId: 'p1', beneficiaryId: 'b1', firstName: 'Léa', lastName: 'Durand', completedAt: '2026-12-20T09:00:00.000Z', items: ['identity_document', 'iban_proof', 'tax_990i_statement'] },
  death_claim_notified: { subscriberId: 'x', dateOfDeath: '2026-12-01', claims: [{ claimId: 'c1', policyId: 'p1' }, { claimId: 'c2', policyId: 'p2' }] },
  support_request_status_changed: { to: 'a@b.test', subscriberId: 'x', requestId: 'r', reference: 'SR-2026-000001', subject: 'Prélèvement', status: 'closed' },
  surrender_declared: { declarationId: 'd', policyId: 'p', kind: 'total', compartmentCode: null, amount: null, currency: 'EUR', payoutIban: 'FR76...', status: 'received', dueBy: null, requiredDocuments: [], declaredBy: 'subscriber' },
  surrender_document_refused: { declarationId: 'd', policyId: 'p', item: 'death_certificate', reason: 'illisible' },
  surrender_documents_complete: { declarationId: 'd', policyId: 'p', kind: 'partial', amount: 100, currency: 'EUR', dueBy: '2026-04-01T00:00:00.000Z' },
  surrender_processing: { declarationId: 'd', policyId: 'p', kind: 'total', paidAmount: null, currency: 'EUR', payoutIban: 'FR76...', rejectionReason: null },
  sepa_pre_notification: {
    policyId: 'p', amount: '1500,01', currency: 'EUR', collectionDate: '2026-03-30', mandateReference: 'QLM0195F5A27C1E7ABC8DEF0123456789AB', creditorId: 'FR72ZZZ123456',
    creditorName: 'Quarzo Life', iban: 'FR76 **** **** **** **** ***0 189', debtorName: 'Jeanne Martin',
  },
  surrender_paid: { declarationId: 'd', policyId: 'p', kind: 'total', paidAmount: 100, currency: 'EUR', payoutIban: 'FR76...', rejectionReason: null },
  surrender_rejected: { declarationId: 'd', policyId: 'p', kind: 'total', paidAmount: null, currency: 'EUR', payoutIban: 'FR76...', rejectionReason: 'compte clos' },
  beneficiary_designation_changed: { policyId: 'p', subscriberId: 'x', version: 2, changedBy: 'subscriber' },
  webhook_endpoint_disabled: { endpointId: 'e', url: 'https://partner.test/hooks', failingSince: '2026-03-01T08:00:00.000Z', disabledAt: '2026-03-06T08:00:00.000Z' },
  beneficiary_acceptance_recorded: { policyId: 'p', subscriberId: 'x', beneficiaryId: 'b', acceptedAt: '2026-03-01', version: 3 },
  premium_rejected: {
    collectionType: 'scheduled_premium_collection', collectionId: 'c', policyId: 'p', amount: 10000, currency: 'EUR', amountText: '100,00 €', payerName: 'Jeanne Martin',
    reasonCode: 'MD01', reasonLabel: 'pas de mandat valide', reason: null, scheduleSuspended: true,
  },
  death_claim_paid: { claimId: 'c', policyId: 'p', paymentId: 'y', capital: '50 000,00 €', interest: '36,55 €', total: '50 036,55 €', daysLate: 1, iban: 'FR76 **** 0189', rejectionReason: null },
  death_claim_payment_rejected: { claimId: 'c', policyId: 'p', paymentId: 'y', capital: '50 000,00 €', interest: '0,00 €', total: '50 000,00 €', daysLate: 0, iban: 'FR76 **** 0189', rejectionReason: 'compte clos' },
  switch_executed: { switchRequestId: 'w', policyId: 'p', compartmentId: 'c', executedOn: '2026-12-02', legs: 3 },
};

describe('mail templates', () => {
  const templates = new MailTemplates();

  it('has a notification template with a French subject for every template the domain writes', () => {
    const written = [...templatesWritten()].sort();
    expect(written.length).toBeGreaterThanOrEqual(18);
    expect(written.filter((name) => !templates.has('notifications', name))).toEqual([]);
    expect(written.filter((name) => !(name in PAYLOADS))).toEqual([]);
  });

  it('renders each with the payload its domain writes: a subject, a text part, never the full IBAN', () => {
    for (const [name, payload] of Object.entries(PAYLOADS)) {
      const mail = templates.render('notifications', name, payload);
      expect({ name, subject: mail.subject.length > 0 && !mail.subject.includes('\n'), text: mail.text.includes('Bonjour') }).toEqual({ name, subject: true, text: true });
      expect(mail.text).not.toContain('FR76...');
    }
    expect(templates.render('notifications', 'signature_otp', PAYLOADS.signature_otp)).toMatchObject({ subject: 'Votre code de signature', text: expect.stringContaining('123456'), html: null });
    expect(templates.render('notifications', 'policy_issued', PAYLOADS.policy_issued).text).toContain('1 avril 2026');
  });

  it('escapes variables in the HTML part only', () => {
    const mail = templates.render('notifications', 'signature_link', PAYLOADS.signature_link);
    expect(mail.text).toContain('https://x.test/esign/1?t=a&b=<c>');
    expect(mail.html).toContain('https://x.test/esign/1?t&#x3D;a&amp;b&#x3D;&lt;c&gt;');
  });

  it('refuses a missing variable and an unknown template, and keeps the two sets apart', () => {
    expect(() => templates.render('messages', 'forgot_password', {}, 'Sujet')).toThrow(TemplateError);
    expect(() => templates.render('messages', 'signature_otp', PAYLOADS.signature_otp, 'Sujet')).toThrow(expect.objectContaining({ kind: 'unknown_template' }));
    expect(templates.names('messages')).toEqual(['forgot_password', 'information']);
    expect(templates.render('messages', 'information', { body: 'Texte' }, 'Sujet')).toEqual({ subject: 'Sujet', text: expect.stringContaining('Texte'), html: null });
  });
});
