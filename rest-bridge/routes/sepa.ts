import type { Route } from '../route';

const BATCHES = '/v1/premium-scheduling/sepa-batches';

export const SEPA_ROUTES: Route[] = [
  { method: 'GET', path: '/v1/premium-scheduling/payers/{payerId}/sepa-mandates', operation: 'ListSepaMandates', auth: 'required', status: 200, tag: 'premium-scheduling', summary: "A payer's SEPA direct-debit mandates (404 payer_not_found)" },
  { method: 'POST', path: `${BATCHES}/runs`, operation: 'RunSepaBatches', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Back-office: put the collections and pay-outs due into the open batches of their dates; collections are pre-notified' },
  { method: 'GET', path: BATCHES, operation: 'ListSepaBatches', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Back-office: SEPA batches, newest first; status (open | closed), kind (collection | payout), first (1-100)' },
  { method: 'GET', path: `${BATCHES}/{batchId}`, operation: 'GetSepaBatch', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Back-office: one SEPA batch and its entries' },
  { method: 'POST', path: `${BATCHES}/{batchId}/close`, operation: 'CloseSepaBatch', auth: 'required', status: 200, tag: 'premium-scheduling', summary: 'Back-office: close a batch (no more entries; its collections become submitted)' },
  {
    method: 'GET',
    path: `${BATCHES}/{batchId}/file`,
    operation: 'DownloadSepaBatchFile',
    auth: 'required',
    status: 200,
    file: { contentTypes: ['application/xml'] },
    tag: 'premium-scheduling',
    summary: "Back-office: a closed batch's XML file, pain.008.001.02 (collections) or pain.001.001.03 (pay-outs); 409 while open",
  },
];
