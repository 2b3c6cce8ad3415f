import type { IncomingMessage } from 'node:http';
import { AppError } from '../../../errors/app-error';
import { etagHeader, etagOf, ifMatchVersion } from '../../../rest-bridge/preconditions';
import type { Route } from '../../../rest-bridge/route';

const request = (ifMatch?: string) => ({ headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } }) as IncomingMessage;

function failure(run: () => unknown): { code: string; reason: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, reason: error.reason };
    throw error;
  }
  throw new Error('expected an AppError');
}

const ROUTE: Route = { method: 'GET', path: '/v1/x', operation: 'X', auth: 'required', status: 200, tag: 'x', summary: 'x', etag: { versionField: 'version' } };

describe('ifMatchVersion (the beneficiary designation PUT, docs/SECURITY.md 20)', () => {
  it.each([['"0"', 0], ['"17"', 17], [' "3" ', 3], ['"2147483647"', 2_147_483_647]])('reads %s as version %d', (header, version) => {
    expect(ifMatchVersion(request(header))).toBe(version);
  });

  it.each([['missing', undefined], ['empty', ''], ['blank', '  '], ['a wildcard', '*']])('%s: 428 IF_MATCH_REQUIRED', (_label, header) => {
    expect(failure(() => ifMatchVersion(request(header)))).toEqual({ code: 'precondition_required', reason: 'IF_MATCH_REQUIRED' });
  });

  it.each([['weak', 'W/"3"'], ['unquoted', '3'], ['a list', '"3", "4"'], ['negative', '"-1"'], ['beyond a GraphQL Int', '"2147483648"'], ['a hash', '"abc123"']])(
    '%s can never match one of our ETags: 412',
    (_label, header) => {
      expect(failure(() => ifMatchVersion(request(header)))).toEqual({ code: 'precondition_failed', reason: 'ETAG_NOT_MATCHED' });
    },
  );
});

describe('etagHeader', () => {
  it('quotes the version of a route that declares one', () => {
    expect(etagOf(5)).toBe('"5"');
    expect(etagHeader(ROUTE, { version: 5, kind: 'custom' })).toEqual({ etag: '"5"' });
  });

  it('adds nothing for other routes or results without an integer version', () => {
    expect(etagHeader({ ...ROUTE, etag: undefined }, { version: 5 })).toEqual({});
    expect(etagHeader(ROUTE, { version: '5' })).toEqual({});
    expect(etagHeader(ROUTE, null)).toEqual({});
    expect(etagHeader(ROUTE, [{ version: 1 }])).toEqual({});
  });
});
