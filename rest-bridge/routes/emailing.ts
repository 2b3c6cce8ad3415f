import type { Route } from '../route';

export const EMAILING_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/emailing/messages',
    operation: 'QueueEmailMessage',
    auth: 'required',
    status: 202,
    body: ['json'],
    bodyVariable: 'input',
    idempotencyKeyVariable: 'idempotencyKey',
    tag: 'emailing',
    summary: 'Queue a templated e-mail (back-office, partner platforms): {from, to, subject (<= 255), content: {template_name, variables}}; a reused idempotency key is 409 conflict, never a second message',
  },
  { method: 'GET', path: '/v1/emailing/messages/{messageId}', operation: 'EmailMessage', auth: 'required', status: 200, tag: 'emailing', summary: 'A queued e-mail and its delivery: status pending | sent | failed, attempts, lastError, sentAt' },
];
