/**
 * A partner's webhook receiver for the delivery benchmark, in its own process (started by
 * bench/deliveries.ts) so it never shares an event loop with the dispatcher it measures. Answers 204 to
 * every POST and notes how long after the business write (the envelope's `created_at`) it arrived.
 * `GET /stats` returns those delays; `POST /reset` forgets them (the end of the warm-up).
 * Reads PORT and HOST from the environment.
 */
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? '0');
const host = process.env.HOST ?? '127.0.0.1';

let delays: number[] = [];
let unreadable = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ delays, unreadable }));
      return;
    }
    if (req.method === 'POST' && req.url === '/reset') {
      delays = [];
      unreadable = 0;
      res.writeHead(204).end();
      return;
    }
    const arrived = Date.now();
    try {
      const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { created_at: string };
      delays.push(arrived - Date.parse(envelope.created_at));
    } catch {
      unreadable++;
    }
    res.writeHead(204).end();
  });
});

server.listen(port, host);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
