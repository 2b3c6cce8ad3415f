import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleLogger } from './logger';

/** Listens and resolves with the base URL actually bound (port 0 picks a free one). */
export function listenAt(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
    });
  });
}

/** SIGTERM and SIGINT run `close` once, then exit; a close that hangs is cut after 10 s. */
export function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info('shutting down', { signal });
    // A connection or a query that will not finish must not keep a stopped replica alive.
    setTimeout(() => process.exit(1), 10_000).unref();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
