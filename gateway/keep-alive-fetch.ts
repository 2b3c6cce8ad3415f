import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { FetcherRequestInit } from '@apollo/utils.fetcher';

/**
 * The front's requests to its subgraphs, over node:http with pooled keep-alive connections. Node's
 * global `fetch` (undici) was an order of magnitude slower per request on loopback (`npm run bench`,
 * `front_graphql_me`), and Apollo's default (node-fetch without an agent) opens a connection per request.
 * Answers as a standard `Response`, whole (subgraph answers are small JSON documents).
 */
// Idle connections are dropped after 4 s, before a Node server's default keep-alive timeout (5 s) closes them.
const agents = { http: new HttpAgent({ keepAlive: true, timeout: 4_000 }), https: new HttpsAgent({ keepAlive: true, timeout: 4_000 }) };

/** Statuses a `Response` may not carry a body with. */
const NO_BODY = new Set([204, 205, 304]);

export async function keepAliveFetch(url: string, init: FetcherRequestInit = {}): Promise<Response> {
  try {
    return await send(url, init);
  } catch (error) {
    // A pooled connection the subgraph closed as we reused it: the request never reached it (Node's
    // documented keep-alive race), so it goes once more, on a new connection.
    if (error instanceof StaleConnection) return send(url, init);
    throw error;
  }
}

class StaleConnection extends Error {}

function send(url: string, init: FetcherRequestInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(target, { method: init.method ?? 'GET', headers: init.headers, agent: secure ? agents.https : agents.http, signal: init.signal as AbortSignal | undefined }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const headers = new Headers();
        for (let i = 0; i < response.rawHeaders.length; i += 2) headers.append(response.rawHeaders[i], response.rawHeaders[i + 1]);
        const status = response.statusCode ?? 502;
        try {
          resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage, headers }));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => reject(request.reusedSocket && error.code === 'ECONNRESET' ? new StaleConnection(error.message) : error));
    request.end(init.body);
  });
}
