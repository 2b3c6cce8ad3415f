/**
 * Baseline for the benchmark: the cheapest possible JSON endpoint on bare `node:http`.
 * Runs as its own process (started by bench/run.ts) so it never shares an event loop with
 * the load generator, exactly like the real service. Reads PORT and HOST from the environment.
 */
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? '0');
const host = process.env.HOST ?? '127.0.0.1';

// Serialised once: the baseline should measure the HTTP stack, not JSON.stringify.
const body = Buffer.from(JSON.stringify({ hello: 'world' }));

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});

server.listen(port, host);

// Graceful stop so the parent's SIGTERM ends the process promptly instead of waiting for keep-alive sockets.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
