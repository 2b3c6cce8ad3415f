import type { Route } from '../route';

export const AUTH_ROUTES: Route[] = [
  { method: 'POST', path: '/v1/auth/login', operation: 'Login', auth: 'public', status: 200, body: ['json'], rateLimited: true, tag: 'auth', summary: 'Sign a person in: access token and session cookie' },
  { method: 'POST', path: '/v1/auth/token', operation: 'IssueClientToken', auth: 'public', status: 200, body: ['json', 'form'], tag: 'auth', summary: 'OAuth 2.0 client credentials for partner platforms (certificate-bound)' },
  { method: 'GET', path: '/v1/auth/me', operation: 'Me', auth: 'required', status: 200, tag: 'auth', summary: 'Who is calling' },
  { method: 'POST', path: '/v1/auth/logout', operation: 'Logout', auth: 'required', status: 204, tag: 'auth', summary: 'End the session at once' },
];
