import type { Route } from '../route';

/** The OAuth 2.0 names (RFC 6749) these two routes keep on the wire, and their GraphQL names. */
const OAUTH_NAMES = {
  grant_type: 'grantType',
  client_id: 'clientId',
  client_secret: 'clientSecret',
  access_token: 'accessToken',
  token_type: 'tokenType',
  expires_in: 'expiresIn',
} as const;

export const AUTH_ROUTES: Route[] = [
  { method: 'POST', path: '/v1/auth/login', operation: 'Login', auth: 'public', status: 200, body: ['json'], rateLimited: true, wireNames: OAUTH_NAMES, tag: 'auth', summary: 'Sign a person in: access token and session cookie' },
  { method: 'POST', path: '/v1/auth/token', operation: 'IssueClientToken', auth: 'public', status: 200, body: ['json', 'form'], wireNames: OAUTH_NAMES, tag: 'auth', summary: 'OAuth 2.0 client credentials for partner platforms (certificate-bound)' },
  { method: 'GET', path: '/v1/auth/me', operation: 'Me', auth: 'required', status: 200, tag: 'auth', summary: 'Who is calling' },
  { method: 'POST', path: '/v1/auth/logout', operation: 'Logout', auth: 'required', status: 204, tag: 'auth', summary: 'End the session at once' },
];
