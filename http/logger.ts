/** Structured one-line JSON logs on stderr. Callers never pass tokens, passwords or full IBANs. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function line(level: string, message: string, fields: Record<string, unknown> = {}): string {
  const safe = Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value]),
  );
  return JSON.stringify({ at: new Date().toISOString(), level, message, ...safe }) + '\n';
}

export const consoleLogger: Logger = {
  info: (message, fields) => process.stderr.write(line('info', message, fields)),
  error: (message, fields) => process.stderr.write(line('error', message, fields)),
};

export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
