import type { Route } from '../route';

export const SUPPORT_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/support/subscribers/{subscriberId}/requests',
    operation: 'OpenSupportRequest',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'support',
    summary: 'Open a support request for a subscriber: message (1-5000 after trimming) required; category (default other) and subject (<= 200, default the message\'s first line) optional; a reference SR-YYYY-NNNNNN, status open',
  },
  { method: 'GET', path: '/v1/support/requests/{requestId}', operation: 'GetSupportRequest', auth: 'required', status: 200, tag: 'support', summary: 'A support request about a subscriber you reach' },
  { method: 'GET', path: '/v1/support/requests', operation: 'ListSupportRequests', auth: 'required', status: 200, tag: 'support', summary: 'Back-office queue of support requests, oldest first: ?status=, first (<= 100), after; { items, pageInfo }' },
  {
    method: 'PATCH',
    path: '/v1/support/requests/{requestId}',
    operation: 'ChangeSupportRequestStatus',
    auth: 'required',
    status: 200,
    body: ['json'],
    tag: 'support',
    summary: 'Back-office moves a request: { status: in_progress | closed }, open -> in_progress -> closed (409 otherwise)',
  },
];
