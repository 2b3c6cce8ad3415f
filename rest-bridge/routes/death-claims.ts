import type { Route } from '../route';

// Claims are a resource of their own, not under a policy: one notice opens a claim on every policy of the insured.
export const DEATH_CLAIM_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/death-claims',
    operation: 'NotifyDeath',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'death-claims',
    summary: "Record an insured's death (back-office, partner platform): { subscriberId, dateOfDeath, source, deathCertificateReference }; one claim per policy, each frozen at once (409 if already notified)",
  },
  { method: 'GET', path: '/v1/death-claims/{claimId}', operation: 'GetDeathClaim', auth: 'required', status: 200, tag: 'death-claims', summary: 'A death claim with its value and beneficiaries (back-office; brokers and partners: their distributor\'s customers)' },
  { method: 'GET', path: '/v1/death-claims', operation: 'ListDeathClaims', auth: 'required', status: 200, tag: 'death-claims', summary: 'Death claims by id: all for back-office, the distributor\'s customers\' for brokers and partners; first (<= 100), after; { items, pageInfo }' },
];
