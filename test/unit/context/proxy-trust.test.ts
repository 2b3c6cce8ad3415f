import { LOOPBACK, ProxyTrust } from '../../../context/proxy-trust';

describe('ProxyTrust', () => {
  it('trusts loopback by default: 127.0.0.0/8, ::1 and IPv4-mapped 127.x, nothing else', () => {
    const trust = new ProxyTrust(LOOPBACK);
    for (const peer of ['127.0.0.1', '127.10.0.3', '::1', '::ffff:127.0.0.1']) expect(trust.trusts(peer)).toBe(true);
    for (const peer of ['10.0.0.1', '::ffff:10.0.0.1', '192.0.2.2', 'fd00::2', '', undefined, 'localhost']) expect(trust.trusts(peer)).toBe(false);
  });

  it('matches addresses and CIDR ranges; `any` trusts every peer', () => {
    const trust = new ProxyTrust(['10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    expect([trust.trusts('10.200.1.1'), trust.trusts('fd12::1'), trust.trusts('192.0.2.7'), trust.trusts('192.0.2.8')]).toEqual([true, true, true, false]);
    expect(new ProxyTrust('any').trusts('203.0.113.9')).toBe(true);
  });

  it('takes the right-most X-Forwarded-For hop that is not a proxy', () => {
    const trust = new ProxyTrust(['127.0.0.1', '10.0.0.5']);
    expect(trust.clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.7, 10.0.0.5', true)).toBe('203.0.113.7');
    expect(trust.clientAddress('::ffff:127.0.0.1', '203.0.113.7', true)).toBe('203.0.113.7');
    // Every hop ours: the left-most is the nearest to the client.
    expect(trust.clientAddress('127.0.0.1', '10.0.0.5', true)).toBe('10.0.0.5');
    // Garbage a client wrote stops the walk: the hop our proxy appended after it counts.
    expect(trust.clientAddress('127.0.0.1', 'not-an-ip, 10.0.0.5', true)).toBe('10.0.0.5');
  });

  it('uses the connection address from an untrusted peer, without the header, or without TRUST_PROXY', () => {
    const trust = new ProxyTrust(LOOPBACK);
    expect(trust.clientAddress('192.0.2.2', '198.51.100.1', true)).toBe('192.0.2.2');
    expect(trust.clientAddress('::ffff:192.0.2.2', undefined, true)).toBe('192.0.2.2');
    expect(trust.clientAddress('127.0.0.1', '198.51.100.1', false)).toBe('127.0.0.1');
  });

  it('with `any`, believes only the hop the peer appended', () => {
    expect(new ProxyTrust('any').clientAddress('10.0.0.5', '198.51.100.1, 203.0.113.7', true)).toBe('203.0.113.7');
  });
});
