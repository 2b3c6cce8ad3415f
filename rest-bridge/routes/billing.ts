import type { Route } from '../route';

export const BILLING_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/v1/billing/commissions',
    operation: 'ListCommissionStatements',
    auth: 'required',
    status: 200,
    tag: 'billing',
    summary: "Commission statements with their lines, newest first: a broker's own, back-office anyone's (brokerId); type (inducement | business-commission); page (from 1) and perPage (1-100), or first (<= 100) and after; from/to YYYY-MM; { items, pageInfo, page, perPage }",
  },
  {
    method: 'GET',
    path: '/v1/billing/commissions/{commissionId}/download',
    operation: 'DownloadCommissionStatement',
    auth: 'required',
    status: 200,
    file: { contentTypes: ['application/pdf', 'text/csv'] },
    acceptVariable: { name: 'format', map: { 'application/pdf': 'pdf', 'text/csv': 'csv' } },
    tag: 'billing',
    summary: 'Download a statement: PDF or CSV by ?format=pdf|csv, else by Accept (application/pdf, text/csv), else PDF',
  },
];
