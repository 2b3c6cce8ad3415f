import { preferredMediaType } from '../../../rest-bridge/accept';

const OFFERED = ['application/pdf', 'text/csv'];

describe('preferredMediaType', () => {
  it('picks the offered type with the highest q, ties by header order', () => {
    expect(preferredMediaType('text/csv', OFFERED)).toBe('text/csv');
    expect(preferredMediaType('TEXT/CSV; charset=utf-8', OFFERED)).toBe('text/csv');
    expect(preferredMediaType('text/csv;q=0.5, application/pdf', OFFERED)).toBe('application/pdf');
    expect(preferredMediaType('application/pdf;q=0.5, text/csv;q=0.9', OFFERED)).toBe('text/csv');
    expect(preferredMediaType('application/pdf, text/csv', OFFERED)).toBe('application/pdf');
    expect(preferredMediaType('text/html, text/csv;q=0.2', OFFERED)).toBe('text/csv');
  });

  it('leaves the choice to the default when nothing offered is acceptable', () => {
    for (const accept of [undefined, '', '*/*', 'text/*', 'application/json', 'text/csv;q=0', 'text/csv;q=abc']) expect(preferredMediaType(accept, OFFERED)).toBeUndefined();
  });
});
