import type { Route } from '../route';

const TOTAL = '/v1/total-surrender/policies/{policyId}/declarations';
const PARTIAL = '/v1/partial-surrender/policies/{policyId}/compartments/{compartmentId}/declarations';

/** Surrender declarations: the subscriber, back-office, or the subscriber's broker or partner platform. */
export const SURRENDER_ROUTES: Route[] = [
  { method: 'POST', path: TOTAL, operation: 'DeclareTotalSurrender', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'total-surrender', summary: 'Declare the total surrender of a policy: reason (client-request | regulatory | compliance), requestedAt (YYYY-MM-DD); PER: earlyReleaseCase' },
  { method: 'GET', path: `${TOTAL}/{declarationId}`, operation: 'GetTotalSurrenderDeclaration', auth: 'required', status: 200, tag: 'total-surrender', summary: 'A total surrender declaration: status and legal payment deadline' },
  { method: 'POST', path: PARTIAL, operation: 'DeclarePartialSurrender', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'partial-surrender', summary: 'Declare the surrender of an amount from one compartment: amount {value, scale, currency EUR}, requestedAt (YYYY-MM-DD), optional funds [{isin, amount | basisPoints}] to sell (default: pro rata); PER: earlyReleaseCase' },
  { method: 'GET', path: `${PARTIAL}/{declarationId}`, operation: 'GetPartialSurrenderDeclaration', auth: 'required', status: 200, tag: 'partial-surrender', summary: 'A partial surrender declaration: status and legal payment deadline' },
];
