/**
 * Bearer token for the authenticated scenarios, obtained through the public login endpoint
 * (the same path a client takes, so the bench never depends on server internals).
 */
import { performance } from 'node:perf_hooks';

export const DEMO_CREDENTIALS = { email: 'alice@demo.test', password: 'demo-password-2026' } as const;

interface Token {
  value: string;
  /** `performance.now()` after which the token must not be used. */
  expiresAt: number;
}

export async function login(baseUrl: string): Promise<Token> {
  const requestedAt = performance.now();
  const res = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_CREDENTIALS),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${text.slice(0, 500)}`);
  const body: unknown = JSON.parse(text);
  if (!isTokenResponse(body)) throw new Error(`login answered an unexpected body: ${text.slice(0, 500)}`);
  // Lifetime counted from when we asked, so clock skew between the processes cannot extend it.
  return { value: body.access_token, expiresAt: requestedAt + body.expires_in * 1000 };
}

function isTokenResponse(v: unknown): v is { access_token: string; token_type: string; expires_in: number } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.access_token === 'string' &&
    o.access_token !== '' &&
    typeof o.token_type === 'string' &&
    o.token_type.toLowerCase() === 'bearer' &&
    typeof o.expires_in === 'number' &&
    o.expires_in > 0
  );
}

/**
 * Hands out a token valid for a whole scenario. Access tokens are short-lived (15 min), so with
 * long BENCH_DURATION values a token taken at the start could expire mid-run and turn every
 * later request into a 401; logging in again only when needed keeps login traffic minimal
 * (login may be rate-limited and is deliberately slow: password hashing).
 */
export class TokenSource {
  private token: Token | undefined;

  constructor(private readonly baseUrl: string) {}

  async validFor(ms: number): Promise<string> {
    const margin = 30_000;
    if (this.token === undefined || this.token.expiresAt - performance.now() < ms + margin) {
      this.token = await login(this.baseUrl);
      if (this.token.expiresAt - performance.now() < ms + margin) {
        process.stderr.write('bench: warning: the access token expires before this scenario ends\n');
      }
    }
    return this.token.value;
  }
}
