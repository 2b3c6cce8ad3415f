import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses no endpoint may name in production: loopback, private, shared (carrier-grade NAT),
 * link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254 among them), unspecified,
 * benchmarking, multicast and reserved. Only the URL as written is checked here; the delivery side
 * checks the address it actually connects to, so a host name that resolves inside does not pass either.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) INTERNAL.addSubnet(network, prefix, 'ipv6');

/** Host names that always mean this machine or the cloud's metadata service. */
const INTERNAL_NAMES = /^(localhost|metadata\.google\.internal|metadata)$|\.localhost$/;

/** Why an endpoint URL is refused (each has a sentence in errors/messages.ts), or null when it is fine. */
export type EndpointUrlProblem = 'URL_NOT_ABSOLUTE_HTTP' | 'URL_HAS_CREDENTIALS' | 'URL_MUST_BE_HTTPS' | 'URL_HOST_NOT_ALLOWED';

/**
 * An endpoint URL must be absolute http(s) without credentials (they would end up in logs and in
 * every list); in production https only, to a host that is not written as an internal address.
 */
export function endpointUrlProblem(url: string, production: boolean): EndpointUrlProblem | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'URL_NOT_ABSOLUTE_HTTP';
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') return 'URL_NOT_ABSOLUTE_HTTP';
  if (parsed.username !== '' || parsed.password !== '') return 'URL_HAS_CREDENTIALS';
  if (!production) return null;
  if (parsed.protocol !== 'https:') return 'URL_MUST_BE_HTTPS';
  return isInternalHost(parsed.hostname) ? 'URL_HOST_NOT_ALLOWED' : null;
}

/** Whether a URL's host (WHATWG-parsed: `0x7f.1` is already 127.0.0.1, IPv6 in brackets) is internal. */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (INTERNAL_NAMES.test(host)) return true;
  if (isIPv4(host)) return INTERNAL.check(host, 'ipv4');
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!isIPv6(bare)) return false;
  // An IPv4-mapped address (::ffff:10.0.0.1, written by WHATWG as ::ffff:a00:1) is the IPv4 address.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (mapped) {
    const high = parseInt(mapped[1], 16);
    const low = parseInt(mapped[2], 16);
    return INTERNAL.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  return INTERNAL.check(bare, 'ipv6');
}
