import { endpointUrlProblem, isInternalHost } from '../../../domain/webhook-endpoints/endpoint-url';

describe('webhook endpoint URLs', () => {
  it('must be absolute http(s) without credentials, anywhere', () => {
    for (const production of [false, true]) {
      expect(endpointUrlProblem('/hooks', production)).toBe('URL_NOT_ABSOLUTE_HTTP');
      expect(endpointUrlProblem('partner.example/hooks', production)).toBe('URL_NOT_ABSOLUTE_HTTP');
      expect(endpointUrlProblem('ftp://partner.example/', production)).toBe('URL_NOT_ABSOLUTE_HTTP');
      expect(endpointUrlProblem('javascript:alert(1)', production)).toBe('URL_NOT_ABSOLUTE_HTTP');
      expect(endpointUrlProblem('https://user@partner.example/', production)).toBe('URL_HAS_CREDENTIALS');
      expect(endpointUrlProblem('https://:secret@partner.example/', production)).toBe('URL_HAS_CREDENTIALS');
      expect(endpointUrlProblem('https://partner.example/hooks?x=1', production)).toBeNull();
    }
  });

  it('outside production admits http and local receivers (demos, tests)', () => {
    expect(endpointUrlProblem('http://127.0.0.1:8080/hooks', false)).toBeNull();
    expect(endpointUrlProblem('http://localhost:8080/hooks', false)).toBeNull();
  });

  it('in production wants https to a host not written as an internal address', () => {
    expect(endpointUrlProblem('http://partner.example/', true)).toBe('URL_MUST_BE_HTTPS');
    for (const url of ['https://127.0.0.1/', 'https://2130706433/', 'https://0x7f.0.0.1/', 'https://0/', 'https://[::]/', 'https://[::ffff:7f00:1]/', 'https://[::ffff:169.254.169.254]/', 'https://100.64.0.1/', 'https://LOCALHOST./', 'https://api.localhost/']) {
      expect({ url, problem: endpointUrlProblem(url, true) }).toEqual({ url, problem: 'URL_HOST_NOT_ALLOWED' });
    }
    for (const url of ['https://93.184.215.14/', 'https://[2606:4700::6810:85e5]/', 'https://hooks.partner.example:8443/x']) expect(endpointUrlProblem(url, true)).toBeNull();
  });

  it('knows the internal ranges', () => {
    for (const host of ['10.0.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '127.8.8.8', '224.0.0.1', '255.255.255.255', '[fc00::1]', '[fd00:ec2::254]', '[fe80::1]', '[ff02::1]', 'metadata.google.internal']) {
      expect({ host, internal: isInternalHost(host) }).toEqual({ host, internal: true });
    }
    for (const host of ['172.32.0.1', '8.8.8.8', '[2001:db8::1]', 'partner.example']) expect({ host, internal: isInternalHost(host) }).toEqual({ host, internal: false });
  });
});
