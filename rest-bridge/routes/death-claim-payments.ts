import type { Route } from '../route';

// Paying death claims (docs/DEATH-CLAIMS.md, "Payment and late interest"): each beneficiary's part, under its claim.
export const DEATH_CLAIM_PAYMENT_ROUTES: Route[] = [
  { method: 'GET', path: '/v1/death-claims/open', operation: 'ListOpenDeathClaims', auth: 'required', status: 200, tag: 'death-claims', summary: "Death claims still to pay with their clocks (days since complete file, due date, late interest to today); overdue=true for those past due; back-office all, brokers and partners their distributor's; first (<= 100), after; { items, pageInfo }" },
  {
    method: 'POST',
    path: '/v1/death-claims/{claimId}/payments',
    operation: 'PayDeathClaimBeneficiary',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'death-claims',
    summary: "Send a beneficiary's part for payment with the late interest owed to today (back-office): { beneficiaryId, iban, holderName }; the holder must be the beneficiary; 409 if the file is incomplete or a payment is under way or made",
  },
  { method: 'GET', path: '/v1/death-claims/{claimId}/payments', operation: 'ListDeathClaimPayments', auth: 'required', status: 200, tag: 'death-claims', summary: "A death claim's payments (back-office; brokers and partners: their distributor's customers)" },
  { method: 'GET', path: '/v1/death-claims/{claimId}/payments/{paymentId}', operation: 'GetDeathClaimPayment', auth: 'required', status: 200, tag: 'death-claims', summary: "One payment of a death claim: capital, late interest and how it was computed, status" },
  { method: 'GET', path: '/v1/legal-interest-rates', operation: 'ListLegalInterestRates', auth: 'required', status: 200, tag: 'death-claims', summary: 'The legal interest rates loaded, by category and half-year (back-office)' },
  {
    method: 'POST',
    path: '/v1/legal-interest-rates',
    operation: 'LoadLegalInterestRate',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'death-claims',
    summary: "Load a half-year's legal interest rate (back-office): { category, validFrom, validTo, rateBasisPoints, source }; 409 if already loaded",
  },
];
