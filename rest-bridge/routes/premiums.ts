import type { Route } from '../route';

const PAYERS = '/v1/premium-scheduling/subscribers/{subscriberId}/payers';
const PAYER = '/v1/premium-scheduling/payers/{payerId}';
// `{iban}`: the IBAN in electronic format (print format URL-encoded), or the payer IBAN's id.
const IBAN = `${PAYER}/ibans/{iban}`;
const SINGLE = '/v1/premium-scheduling/single-premium-requests';
const SCHEDULE = '/v1/premium-scheduling/policies/{policyId}/schedule';

export const PREMIUMS_ROUTES: Route[] = [
  { method: 'GET', path: PAYERS, operation: 'ListPayers', auth: 'required', status: 200, tag: 'premium-scheduling', summary: "A subscriber's payers and their IBANs (404 payer_subscriber_not_found for a subscriber you do not reach)" },
  {
    method: 'POST',
    path: PAYERS,
    operation: 'CreatePayer',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'premium-scheduling',
    summary: 'Create a payer: { relationship, firstName, lastName, birthDate } for a person, { relationship: company, companyName }, or { relationship: self }',
  },
  { method: 'GET', path: PAYER, operation: 'GetPayer', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'One payer and its IBANs (404 payer_not_found)' },
  { method: 'POST', path: `${PAYER}/ibans`, operation: 'AddPayerIban', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'premium-scheduling', summary: "Register a payer's personal IBAN { iban, holderName }; the first one becomes the default" },
  { method: 'PATCH', path: `${IBAN}/make-default`, operation: 'MakePayerIbanDefault', auth: 'required', status: 200, tag: 'premium-scheduling', summary: "Make one of the payer's IBANs its default" },
  { method: 'DELETE', path: IBAN, operation: 'DeletePayerIban', auth: 'required', status: 204, tag: 'premium-scheduling', summary: "Delete one of the payer's IBANs; 409 delete_payer_personal_iban_default_iban for the default" },

  {
    method: 'POST',
    path: SINGLE,
    operation: 'CreateSinglePremiumRequest',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'premium-scheduling',
    summary: 'Request a single premium { policyId, payerId, method: sepa_direct_debit, amount: { value, scale?, currency }, iban?, allocation? }',
  },
  { method: 'GET', path: `${SINGLE}/{requestId}`, operation: 'GetSinglePremiumRequest', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'One single-premium request' },
  { method: 'POST', path: `${SINGLE}/{requestId}/cancel`, operation: 'CancelSinglePremiumRequest', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Cancel a request not yet collected (200); 409 conflict once collected' },

  { method: 'GET', path: SCHEDULE, operation: 'GetPremiumSchedule', auth: 'required', status: 200, tag: 'premium-scheduling', summary: "The policy's premium schedule and the collections its due dates produced" },
  {
    method: 'POST',
    path: SCHEDULE,
    operation: 'CreatePremiumSchedule',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'premium-scheduling',
    summary: 'Set up the schedule { payerId, frequency: monthly | quarterly | annual, amount, dayOfMonth: 1-28, iban?, allocation?, startDate? }',
  },
  { method: 'PATCH', path: SCHEDULE, operation: 'ChangePremiumSchedule', auth: 'required', status: 200, body: ['json'], bodyVariable: 'input', tag: 'premium-scheduling', summary: 'Change the schedule: only the fields sent' },
  { method: 'POST', path: `${SCHEDULE}/suspend`, operation: 'SuspendPremiumSchedule', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Suspend the schedule (409 when suspended)' },
  { method: 'POST', path: `${SCHEDULE}/resume`, operation: 'ResumePremiumSchedule', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Resume the schedule from the first due day after today (409 when active)' },
];
