import { loadConfig } from '../../../config';
import { describeStartupFailure } from '../../../config/startup-errors';
import { DataDirInUseError } from '../../../store/data-dir-lock';

const failure = (code: string) => Object.assign(new Error(code), { code });

describe('describeStartupFailure', () => {
  it('names the variable behind each operational start-up failure, in one line', () => {
    const pglite = loadConfig({ PORT: '4000', DATA_DIR: '/readonly/data' });
    const postgres = loadConfig({ DATABASE_URL: 'postgres://app@db:5432/gateway' });
    expect(describeStartupFailure(failure('EADDRINUSE'), pglite)).toBe('PORT: 127.0.0.1:4000 is already in use');
    expect(describeStartupFailure(failure('EADDRNOTAVAIL'), pglite)).toMatch(/^HOST: /);
    expect(describeStartupFailure(failure('EACCES'), pglite)).toBe('DATA_DIR: /readonly/data cannot be used (EACCES)');
    expect(describeStartupFailure(failure('ECONNREFUSED'), postgres)).toMatch(/^DATABASE_URL: /);
    expect(describeStartupFailure(failure('3D000'), postgres)).toBe('DATABASE_URL: the database does not exist');
    expect(describeStartupFailure(failure('28P01'), postgres)).toMatch(/^DATABASE_URL: .*credentials/);
    expect(describeStartupFailure(failure('ENOTFOUND'), postgres)).toMatch(/^DATABASE_URL: /);
    expect(describeStartupFailure(new DataDirInUseError('/var/lib/gw', 4242), pglite)).toBe(
      'DATA_DIR: /var/lib/gw is in use by another process (4242); PGlite serves one process, use PostgreSQL for several',
    );
  });

  it('leaves anything else to the full error log', () => {
    expect(describeStartupFailure(new Error('boom'), loadConfig({}))).toBeUndefined();
    expect(describeStartupFailure(failure('ENOENT'), loadConfig({ DATABASE_URL: 'postgres://x@y/z' }))).toBeUndefined();
  });
});
