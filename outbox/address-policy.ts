import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may go (docs/WEBHOOKS.md). A partner chooses the URL, so without these rules it could
 * make us call our own network: the database, an admin port, the cloud's metadata service. The address
 * is checked as connected (outbox/webhook-transport.ts checks it in the socket's DNS lookup), so a
 * name that resolves to a public address when registered and a private one when called still fails.
 */
export interface AddressPolicy {
  /** Plain `http` URLs (outside production only: demos and tests). */
  allowHttp: boolean;
  /** Loopback addresses (outside production only: a receiver on the same machine). */
  allowLoopback: boolean;
}

export function addressPolicy(production: boolean): AddressPolicy {
  return { allowHttp: !production, allowLoopback: !production };
}

/**
 * True when we may connect to `address`. Deny by default: only ordinary unicast passes, so every
 * special range ipaddr.js knows is refused: private (RFC 1918, fc00::/7, which holds fd00:ec2::254),
 * link-local (169.254/16 with the metadata address, fe80::/10), CGNAT 100.64/10, unspecified,
 * multicast, broadcast, reserved, and the IPv6 forms that embed an IPv4 address (6to4, Teredo, NAT64).
 * An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it maps.
 */
export function addressAllowed(address: string, policy: AddressPolicy): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === 'unicast') return true;
  return range === 'loopback' && policy.allowLoopback;
}

/** Why a URL may never be called under `policy`, in the words of the attempt log; undefined when it may. */
export function urlProblem(raw: string, policy: AddressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid url';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && policy.allowHttp) return undefined;
  return 'https required';
}
