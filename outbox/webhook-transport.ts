import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { addressAllowed, urlProblem, type AddressPolicy } from './address-policy';

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Connection, TLS and the response's status line must all fit in this. */
  timeoutMs: number;
}

/** One attempt as the log keeps it: `error` null means acknowledged (a 2xx in time). */
export interface WebhookAnswer {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface WebhookTransport {
  post(request: WebhookPost): Promise<WebhookAnswer>;
}

/** A name-to-addresses resolver shaped like `dns.lookup(host, { all: true }, cb)`; injectable for tests. */
export type Resolver = (hostname: string, options: { all: true; family?: number }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** Enough of a response body to drain a small answer and keep the connection; the rest is never read. */
export const MAX_RESPONSE_BYTES = 4096;

const REFUSED = 'EWEBHOOKADDRESS';

/**
 * POSTs webhooks with node:http(s). The address is checked in the socket's own DNS lookup (and before
 * connecting for an IP literal, which skips lookup): what is checked is what is connected, so DNS
 * rebinding cannot slip a private address in after a check. Redirects are never followed. Connections
 * are kept alive between deliveries to one endpoint (the bench's throughput depends on it).
 */
export class HttpWebhookTransport implements WebhookTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });

  constructor(
    private readonly policy: AddressPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  async post(request: WebhookPost): Promise<WebhookAnswer> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const problem = urlProblem(request.url, this.policy);
    if (problem) return { statusCode: null, durationMs: 0, error: problem };
    const url = new URL(request.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !addressAllowed(host, this.policy)) return { statusCode: null, durationMs: 0, error: 'address not allowed' };
    try {
      const statusCode = await this.send(url, request);
      return { statusCode, durationMs: elapsed(), error: verdict(statusCode) };
    } catch (error) {
      return { statusCode: null, durationMs: elapsed(), error: describeFailure(error) };
    }
  }

  /** Ends the kept-alive connections (at shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private send(url: URL, request: WebhookPost): Promise<number> {
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: this.guardedLookup,
      });
      const deadline = setTimeout(() => req.destroy(new TimeoutError()), request.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      req.on('response', (res) => {
        const statusCode = res.statusCode ?? 0;
        // The status decides; the body is drained up to a small limit so the connection can be reused, and dropped.
        let read = 0;
        const done = () => {
          clearTimeout(deadline);
          resolve(statusCode);
        };
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) {
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });
      req.end(request.body);
    });
  }

  /** node:net's `lookup` hook: resolves, keeps only the addresses the policy allows, and connects to one of those. */
  private readonly guardedLookup = (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    this.resolve(hostname, { all: true, family: typeof options.family === 'number' ? options.family : undefined }, (error, addresses) => {
      if (error) return callback(error, '');
      const allowed = addresses.filter((a) => addressAllowed(a.address, this.policy));
      if (allowed.length === 0) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to no address a webhook may reach`);
        refused.code = REFUSED;
        return callback(refused, '');
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

function verdict(statusCode: number): string | null {
  if (statusCode >= 200 && statusCode < 300) return null;
  if (statusCode >= 300 && statusCode < 400) return 'redirect not followed';
  return `HTTP ${statusCode}`;
}

/** A short, stable text for the attempt log: never the exception's message, which may echo internals. */
function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case REFUSED:
      return 'address not allowed';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (typeof code === 'string' && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code)) return 'tls error';
      return typeof code === 'string' ? `connection failed (${code})` : 'connection failed';
  }
}
