import { addressAllowed, addressPolicy, urlProblem } from '../../../outbox/address-policy';

const production = addressPolicy(true);
const development = addressPolicy(false);

describe('where a webhook may connect', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'RFC 1918'],
    ['172.16.5.4', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['fc00::1', 'unique local'],
    ['fd00:ec2::254', 'the metadata address over IPv6'],
    ['169.254.169.254', 'the metadata address'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
    ['not-an-address', 'not an address'],
  ])('refuses %s in production (%s)', (address) => {
    expect(addressAllowed(address, production)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.215.14'])('allows the public address %s', (address) => {
    expect(addressAllowed(address, production)).toBe(true);
    expect(addressAllowed(address, development)).toBe(true);
  });

  it('allows loopback outside production only, and nothing else private', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(addressAllowed(address, development)).toBe(true);
    for (const address of ['10.0.0.1', '169.254.169.254', 'fd00:ec2::254', '100.64.0.1']) expect(addressAllowed(address, development)).toBe(false);
  });

  it('asks for https in production, and lets http through elsewhere', () => {
    expect(urlProblem('http://partner.example/hooks', production)).toBe('https required');
    expect(urlProblem('https://partner.example/hooks', production)).toBeUndefined();
    expect(urlProblem('http://127.0.0.1:8080/hooks', development)).toBeUndefined();
    expect(urlProblem('ftp://partner.example/', development)).toBe('https required');
    expect(urlProblem('not a url', development)).toBe('invalid url');
  });
});
