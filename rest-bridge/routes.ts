import type { Route } from './route';

/**
 * Every legacy REST route. Variables come from path parameters, the query string and the body, with
 * keys turned from snake_case to camelCase; the result's single root field is the response body, with
 * keys turned back to snake_case.
 */
export const ROUTES: Route[] = [
  { method: 'POST', path: '/v1/auth/login', operation: 'Login', auth: 'public', status: 200, body: ['json'], tag: 'auth', summary: 'Sign a person in: access token and session cookie' },
  { method: 'POST', path: '/v1/auth/token', operation: 'IssueClientToken', auth: 'public', status: 200, body: ['json', 'form'], tag: 'auth', summary: 'OAuth 2.0 client credentials for partner platforms (certificate-bound)' },
  { method: 'GET', path: '/v1/auth/me', operation: 'Me', auth: 'required', status: 200, tag: 'auth', summary: 'Who is calling' },
  { method: 'POST', path: '/v1/auth/logout', operation: 'Logout', auth: 'required', status: 204, tag: 'auth', summary: 'End the session at once' },

  { method: 'GET', path: '/v1/subscription/products', operation: 'ListProducts', auth: 'required', status: 200, tag: 'subscription', summary: 'The product catalogue with funds and minimums' },
  { method: 'GET', path: '/v1/subscription/standard-clauses', operation: 'ListStandardClauses', auth: 'required', status: 200, tag: 'subscription', summary: 'Published standard beneficiary clauses' },
  { method: 'POST', path: '/v1/subscription/subscribers', operation: 'CreateSubscriber', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'subscription', summary: "Create a subscriber (a subscriber login: its own profile, once)" },
  { method: 'GET', path: '/v1/subscription/subscribers/{subscriberId}', operation: 'GetSubscriber', auth: 'required', status: 200, tag: 'subscription', summary: 'A subscriber' },
  { method: 'POST', path: '/v1/subscription/insurees', operation: 'CreateInsuree', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'subscription', summary: 'Create the insured person of a subscriber' },
  { method: 'POST', path: '/v1/subscription/subscribers/{subscriberId}/subscriptions', operation: 'CreateSubscription', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'subscription', summary: 'Create a draft subscription' },
  { method: 'GET', path: '/v1/subscription/subscriptions/{subscriptionId}', operation: 'GetSubscription', auth: 'required', status: 200, tag: 'subscription', summary: 'A subscription: status, every field, history' },
];
