/**
 * The bare peer of the front (`bare_front_graphql_me`): a node:http server that passes each POST /graphql
 * on to our service, the caller's Authorization with it, over undici's pooled keep-alive client (as our
 * front's gateway/subgraph-http.ts does), and relays the status and the body. No edge check, no query
 * planning, no reading of the answer: what any front costs on this machine at the least, two HTTP legs
 * for one request, so that `front_graphql_me` can be read against it rather than only against the
 * single process.
 */
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';

export function bareFront(serviceGraphqlUrl: string): Server {
  const dispatcher = new Agent({ keepAliveTimeout: 4_000, connections: 64 });
  return createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      const answer = await request(serviceGraphqlUrl, { method: 'POST', headers, body: Buffer.concat(chunks), dispatcher });
      const body = Buffer.from(await answer.body.arrayBuffer());
      res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json'), 'content-length': body.length });
      res.end(body);
    })().catch(() => res.destroy());
  });
}
