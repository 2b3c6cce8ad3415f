import { DataDirInUseError } from '../store/data-dir-lock';
import type { Config } from './index';

/**
 * Start-up failures that come from a setting (a port in use, a database that does not answer, a data
 * folder that cannot be written), as one line naming the variable to fix; undefined for anything else.
 */
export function describeStartupFailure(error: unknown, config: Config | undefined): string | undefined {
  if (error instanceof DataDirInUseError) return `DATA_DIR: ${error.dataDir} is in use by another process (${error.pid}); PGlite serves one process, use PostgreSQL for several`;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const where = config ? `${config.host}:${config.port}` : 'the address';
  switch (code) {
    case 'EADDRINUSE':
      return `PORT: ${where} is already in use`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return config?.databaseUrl && code === 'ENOTFOUND' ? 'DATABASE_URL: the database host cannot be resolved' : `HOST: ${where} is not an address of this machine`;
    case 'ECONNREFUSED':
      return 'DATABASE_URL: the database refused the connection (is PostgreSQL running?)';
    case '28P01':
    case '28000':
      return 'DATABASE_URL: the database refused these credentials';
    case '3D000':
      return 'DATABASE_URL: the database does not exist';
    case 'EACCES':
    case 'EROFS':
    case 'ENOENT':
      return config && !config.databaseUrl ? `DATA_DIR: ${config.dataDir} cannot be used (${String(code)})` : undefined;
    default:
      return undefined;
  }
}
