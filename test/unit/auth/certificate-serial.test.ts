import { normalizeCertificateSerial } from '../../../domain/auth/certificate-serial';

describe('normalizeCertificateSerial', () => {
  it.each([
    ['01:23:45:67:89:AB:CD:EF', '0123456789ABCDEF'],
    ['0123456789abcdef', '0123456789ABCDEF'],
    ['1:2:3', '010203'],
    ['00:00:7F', '7F'],
    ['abc', '0ABC'],
    ['01'.repeat(20), '01'.repeat(20)],
  ])('%s -> %s', (raw, normalized) => {
    expect(normalizeCertificateSerial(raw)).toBe(normalized);
  });

  it.each(['', 'zz', '01::02', '01:234', ':01', '01'.repeat(21), '0x01', '01 02'])('refuses %p', (raw) => {
    expect(normalizeCertificateSerial(raw)).toBeUndefined();
  });
});
