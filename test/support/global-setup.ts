/**
 * Jest global setup. CI must run every test on PostgreSQL as well as PGlite: without TEST_DATABASE_URL
 * the PostgreSQL rows of every file would be absent and the run would still pass. So when CI is set and
 * TEST_DATABASE_URL is not, the run stops before any test; elsewhere it says what is left out.
 */
export function requirePostgresInCi(env: NodeJS.ProcessEnv, warn: (line: string) => void): void {
  if (env.TEST_DATABASE_URL) return;
  if (env.CI) throw new Error('TEST_DATABASE_URL must be set when CI is set: the PostgreSQL half of the suite would silently not run');
  warn('TEST_DATABASE_URL is not set: tests run on PGlite only, PostgreSQL-only tests are skipped');
}

export default function globalSetup(): void {
  requirePostgresInCi(process.env, (line) => process.stderr.write(`${line}\n`));
}
