import { restReason } from './errors';
/** Small fetch helpers for tests against the real server. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; tests read arbitrary shapes. */
  json: any;
}

export async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const response = await fetch(url, { ...init, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const DEMO_PASSWORD = 'demo-password-2026';

export async function login(base: string, email: string, address = '10.0.0.1'): Promise<{ token: string; cookie: string }> {
  const answer = await call(`${base}/v1/auth/login`, { method: 'POST', json: { email, password: DEMO_PASSWORD }, headers: { 'x-forwarded-for': address } });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.text}`);
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0];
  return { token: answer.json.access_token, cookie };
}

export async function gql(base: string, query: string, options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {}): Promise<Answer> {
  return call(`${base}/graphql`, {
    method: 'POST',
    json: { query, variables: options.variables },
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
  });
}

export const unauthorizedBody = (base: string, reason: string) => ({ errors: [{ code: 'unauthorized', ...restReason('unauthorized', reason), doc_url: `${base}/docs/errors/unauthorized` }] });
