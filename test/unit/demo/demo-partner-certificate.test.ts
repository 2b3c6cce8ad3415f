import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeCertificateSerial } from '../../../domain/auth/certificate-serial';
import { certificateThumbprint } from '../../../domain/auth/certificate-thumbprint';
import { DEMO, demoPartnerCertificate } from '../../../domain/demo/demo-data';

/** The demo partner's certificate and private key shipped in `demo/` (README, docs/SECURITY.md 27). */
describe('the demo partner certificate', () => {
  const pem = readFileSync(join(__dirname, '..', '..', '..', 'demo', 'partner-certificate.pem'), 'utf8');
  const certificate = new X509Certificate(pem);
  const privateKey = createPrivateKey(readFileSync(join(__dirname, '..', '..', '..', 'demo', 'partner-private-key.pem'), 'utf8'));

  it('is what demo mode registers, named by the thumbprint openssl gives', () => {
    // openssl x509 -in demo/partner-certificate.pem -outform DER | openssl dgst -sha256 -binary | base64url
    expect(certificateThumbprint(pem)).toBe('M59dB5jB5DTrU9zw2xZKjlQKfQWOXtiCNMoMhOUnHaE');
    expect(demoPartnerCertificate()).toEqual({ pem, thumbprint: 'M59dB5jB5DTrU9zw2xZKjlQKfQWOXtiCNMoMhOUnHaE' });
  });

  it('holds the public half of the shipped private key: RSA 2048, valid for a century, the demo serial', () => {
    expect(certificate.checkPrivateKey(privateKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.validFromDate.getTime()).toBeLessThan(Date.parse('2021-01-01'));
    expect(certificate.validToDate.getTime()).toBeGreaterThan(Date.parse('2100-01-01'));
    expect(normalizeCertificateSerial(certificate.serialNumber)).toBe(normalizeCertificateSerial(DEMO.machineClient.serial));
  });

  it('a PEM without a certificate has no thumbprint', () => {
    expect(() => certificateThumbprint('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow();
  });
});
