import type { Route } from '../route';

const PAYERS = '/v1/premium-scheduling/subscribers/{subscriberId}/payers';
const PAYER = '/v1/premium-scheduling/payers/{payerId}';
// `{iban}`: the IBAN in electronic format (print format URL-encoded), or the payer IBAN's id.
const IBAN = `${PAYER}/ibans/{iban}`;
const SINGLE = '/v1/premium-scheduling/single-premium-requests';

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
];
