import type { Route } from '../route';

const BASE = '/v1/death-settlement/policies/{policyId}';

// The designation's version is its ETag; a PUT must name the version it replaces in If-Match
// (docs/SECURITY.md 20), which the bridge passes to the operation as `expectedVersion`.
export const DEATH_SETTLEMENT_ROUTES: Route[] = [
  { method: 'GET', path: `${BASE}/standard-beneficiary-designations`, operation: 'ListStandardBeneficiaryDesignations', auth: 'required', status: 200, tag: 'death-settlement', summary: 'The published standard beneficiary clauses usable on this policy, the default first' },
  { method: 'GET', path: `${BASE}/beneficiary-designation`, operation: 'GetBeneficiaryDesignation', auth: 'required', status: 200, etag: { versionField: 'version' }, tag: 'death-settlement', summary: 'The beneficiary designation (ETag: its version)' },
  {
    method: 'PUT',
    path: `${BASE}/beneficiary-designation`,
    operation: 'DesignateBeneficiaries',
    auth: 'required',
    status: 200,
    body: ['json'],
    bodyVariable: 'input',
    ifMatch: { variable: 'expectedVersion', required: true },
    etag: { versionField: 'version' },
    tag: 'death-settlement',
    summary: 'Replace the beneficiary designation (If-Match required; accepted beneficiaries must consent to changes)',
  },
  {
    method: 'POST',
    path: `${BASE}/beneficiary-acceptances`,
    operation: 'RecordBeneficiaryAcceptance',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    etag: { versionField: 'version' },
    tag: 'death-settlement',
    summary: 'Record a beneficiary’s acceptance from the signed endorsement (back-office; answers the designation, ETag: its version)',
  },
];
