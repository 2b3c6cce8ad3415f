import { requirePostgresInCi } from '../../support/global-setup';

describe('the test run on CI', () => {
  it('stops when CI is set and TEST_DATABASE_URL is not', () => {
    expect(() => requirePostgresInCi({ CI: '1' }, () => undefined)).toThrow(/^TEST_DATABASE_URL must be set when CI is set/);
  });

  it('runs with TEST_DATABASE_URL, and says what is left out without it outside CI', () => {
    const lines: string[] = [];
    requirePostgresInCi({ CI: '1', TEST_DATABASE_URL: 'postgres://x@y/z' }, (line) => lines.push(line));
    expect(lines).toEqual([]);
    requirePostgresInCi({}, (line) => lines.push(line));
    expect(lines).toEqual([expect.stringMatching(/PostgreSQL-only tests are skipped/)]);
  });
});
