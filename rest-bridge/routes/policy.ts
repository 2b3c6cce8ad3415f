import type { Route } from '../route';

export const POLICY_ROUTES: Route[] = [
  { method: 'GET', path: '/v1/policies/{policyId}', operation: 'GetPolicy', auth: 'required', status: 200, tag: 'policy', summary: 'A policy you reach: status, product, compartments and its money from the ledger' },
];
