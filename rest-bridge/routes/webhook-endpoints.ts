import type { Route } from '../route';

const BASE = '/v1/webhook-endpoints';
const ONE = `${BASE}/{endpointId}`;

/** Outbound webhook endpoints (docs/WEBHOOKS.md): brokers and partner platforms (their distributor's), back-office (all). */
export const WEBHOOK_ENDPOINT_ROUTES: Route[] = [
  { method: 'POST', path: BASE, operation: 'CreateWebhookEndpoint', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'webhook-endpoints', summary: 'Register an endpoint: url (https in production), eventTypes (absent: all), description; answers its signing secret (whsec_...), shown once' },
  { method: 'GET', path: BASE, operation: 'ListWebhookEndpoints', auth: 'required', status: 200, tag: 'webhook-endpoints', summary: 'Your endpoints, oldest first: first (<= 100), after; { items, pageInfo }' },
  { method: 'GET', path: `${BASE}/event-types`, operation: 'ListWebhookEventTypes', auth: 'required', status: 200, tag: 'webhook-endpoints', summary: 'The event type catalogue: type, description, the resource `data` carries and the REST read it equals' },
  { method: 'GET', path: ONE, operation: 'GetWebhookEndpoint', auth: 'required', status: 200, tag: 'webhook-endpoints', summary: 'An endpoint' },
  { method: 'PATCH', path: ONE, operation: 'UpdateWebhookEndpoint', auth: 'required', status: 200, body: ['json'], bodyVariable: 'input', tag: 'webhook-endpoints', summary: 'Change url, eventTypes (null: all), description, or enabled (true/false)' },
  { method: 'DELETE', path: ONE, operation: 'DeleteWebhookEndpoint', auth: 'required', status: 204, tag: 'webhook-endpoints', summary: 'Delete an endpoint with its secrets and delivery log' },
  { method: 'POST', path: `${ONE}/rotate-secret`, operation: 'RotateWebhookEndpointSecret', auth: 'required', status: 200, tag: 'webhook-endpoints', summary: 'A new signing secret (shown once); the previous one keeps signing beside it for 24 hours' },
  { method: 'GET', path: `${ONE}/deliveries`, operation: 'ListWebhookDeliveries', auth: 'required', status: 200, tag: 'webhook-endpoints', summary: 'Deliveries to the endpoint, newest first, each with its attempts (time, status code, duration, error)' },
  { method: 'POST', path: `${ONE}/deliveries/{deliveryId}/replay`, operation: 'ReplayWebhookDelivery', auth: 'required', status: 200, tag: 'webhook-endpoints', summary: 'Queue a delivery again now with a fresh retry budget (409 while an attempt is under way or the endpoint is disabled)' },
];
