import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors/app-error';

/** An e-signature provider: starts a ceremony and later reports its outcome through the signed `esign` webhook. */
export interface ESignProvider {
  start(request: { signatureId: string; subscriptionId: string; signerName: string }): Promise<{ signingUrl: string }>;
}

/**
 * The built-in provider: a signing page on this server (`/esign/{signatureId}`), reachable only with the
 * link's token, whose buttons make the page report the outcome through the signed webhook exactly as a
 * real provider would. It lets the whole journey run with no outside service.
 */
export class BuiltInESignProvider implements ESignProvider {
  constructor(
    private readonly baseUrl: () => string,
    private readonly secret: string,
  ) {}

  async start(request: { signatureId: string }): Promise<{ signingUrl: string }> {
    return { signingUrl: `${this.baseUrl()}/esign/${request.signatureId}?t=${this.token(request.signatureId)}` };
  }

  /** The link's token: only someone given the link can sign or decline. */
  token(signatureId: string): string {
    return createHmac('sha256', this.secret).update(`esign-page:${signatureId}`).digest('base64url');
  }

  verify(signatureId: string, token: string): boolean {
    const expected = Buffer.from(this.token(signatureId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** Without an esign webhook secret no outcome could ever arrive: e-signature is refused up front (use otp). */
export class UnconfiguredESignProvider implements ESignProvider {
  async start(): Promise<{ signingUrl: string }> {
    throw new AppError('unprocessable_content', 'ESIGN_NOT_CONFIGURED', { field: 'method' });
  }
}
