import type { Route } from '../route';

const MANDATES = '/v1/investments/mandates';

/** Mandates: back-office manages them and their target allocations; anyone signed in reads them. */
export const MANDATE_ROUTES: Route[] = [
  { method: 'GET', path: MANDATES, operation: 'ListMandates', auth: 'required', status: 200, tag: 'investments', summary: 'The mandates, with their target allocations' },
  { method: 'POST', path: MANDATES, operation: 'CreateMandate', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'investments', summary: 'Create a mandate: name, riskLevel (1 to 7); back-office' },
  { method: 'GET', path: `${MANDATES}/{mandateId}`, operation: 'GetMandate', auth: 'required', status: 200, tag: 'investments', summary: 'A mandate and its target allocation' },
  { method: 'PATCH', path: `${MANDATES}/{mandateId}`, operation: 'UpdateMandate', auth: 'required', status: 200, body: ['json'], bodyVariable: 'input', tag: 'investments', summary: 'Rename a mandate or change its risk level: name, riskLevel (only the fields sent); back-office' },
  {
    method: 'PUT',
    path: `${MANDATES}/{mandateId}/target-allocation`,
    operation: 'SetMandateTargetAllocation',
    auth: 'required',
    status: 200,
    body: ['json'],
    tag: 'investments',
    summary: "Replace a mandate's target allocation: lines [{isin, basisPoints}], each fund once, 1 to 10000 bp each, 10000 in all; every compartment delegated to it is rebalanced (one switch each); back-office",
  },
];
