import { createHash, X509Certificate } from 'node:crypto';

/**
 * The base64url SHA-256 of a certificate's DER bytes: how a partner's signed request names the
 * certificate it signs with (the JWS `x5t#S256` header, RFC 7515 4.1.8). Throws on a PEM that holds no
 * certificate.
 */
export function certificateThumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}
