import { BlockList, isIP } from 'node:net';

/** `TRUSTED_PROXIES`: `any` (the network lets only our proxy reach us) or addresses and CIDR ranges. */
export type TrustedProxies = 'any' | readonly string[];

/** Outside production, without TRUSTED_PROXIES: a proxy on this machine only. */
export const LOOPBACK: readonly string[] = ['127.0.0.0/8', '::1'];

const MAX_REMEMBERED_ADDRESSES = 10_000;

/** `::ffff:10.0.0.1` (IPv4 on an IPv6 socket) is `10.0.0.1`. */
function plain(address: string): string {
  return address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** Whether `entry` is an address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrRange(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * Who may speak for the client: headers only our TLS proxy sets (the client-certificate serial,
 * `X-Forwarded-For`) count only when the connection comes from a trusted proxy.
 */
export class ProxyTrust {
  private readonly list = new BlockList();
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly trusted: TrustedProxies) {
    if (trusted === 'any') return;
    for (const entry of trusted) {
      const [address, bits] = entry.split('/');
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(bits), type);
    }
  }

  trusts(address: string | undefined): boolean {
    if (this.trusted === 'any') return true;
    // Every request asks about its peer, and peers are few: the answer is remembered by address.
    const key = address ?? '';
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    const candidate = plain(key);
    const family = isIP(candidate);
    const trusted = family !== 0 && this.list.check(candidate, family === 4 ? 'ipv4' : 'ipv6');
    if (this.verdicts.size >= MAX_REMEMBERED_ADDRESSES) this.verdicts.clear();
    this.verdicts.set(key, trusted);
    return trusted;
  }

  /**
   * The client's address: with `TRUST_PROXY`, the right-most `X-Forwarded-For` hop that is not one of
   * our proxies, since each proxy appends the address it saw and everything left of that is whatever the
   * client wrote. Without it, or from a peer we do not trust, the connection's own address.
   */
  clientAddress(remoteAddress: string | undefined, forwardedFor: string | undefined, trustProxy: boolean): string {
    const peer = remoteAddress ?? 'unknown';
    if (!trustProxy || !this.trusts(remoteAddress) || !forwardedFor) return plain(peer);
    const hops = forwardedFor.split(',').map((hop) => plain(hop)).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      // Something not an address cannot be one of ours, nor a client we could throttle apart: stop there.
      if (!isIP(hops[i])) return hops[i + 1] ?? plain(peer);
      if (this.trusted === 'any' || !this.trusts(hops[i])) return hops[i];
    }
    // Every hop is one of ours: the left-most one is the closest to the client we know.
    return hops[0] ?? plain(peer);
  }
}
