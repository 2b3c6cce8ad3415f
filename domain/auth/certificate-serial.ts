/**
 * Certificate serial numbers as our TLS proxy forwards them: hex, optionally colon-separated by
 * octet, at most 20 octets (RFC 5280 4.1.2.2). Normalised to upper-case hex without colons or
 * leading zero octets, so `01:23:AB` and `0123ab` name the same certificate.
 */
export function normalizeCertificateSerial(raw: string): string | undefined {
  const value = raw.trim();
  const colonForm = /^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})*$/.test(value);
  const plainForm = /^[0-9A-Fa-f]+$/.test(value);
  if (!colonForm && !plainForm) return undefined;
  const hex = colonForm && value.includes(':') ? value.split(':').map((o) => o.padStart(2, '0')).join('') : value.length % 2 ? '0' + value : value;
  if (hex.length / 2 > 20) return undefined;
  const trimmed = hex.replace(/^(00)+(?=..)/, '');
  return trimmed.toUpperCase();
}
