import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../domain/shared/clock';
import type { BuiltInESignProvider } from '../domain/subscription/esign-provider';
import { signStandardWebhook } from '../domain/webhooks/standard-webhooks';
import { AppError } from '../errors/app-error';
import type { Reply } from './reply';
import type { RequestTarget } from './target';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:1rem}</style>
</head><body>${body}</body></html>`,
  };
}

/**
 * The built-in e-signature provider's pages (`/esign/{signatureId}`): the signer signs or declines, and the
 * page reports the outcome to our own `POST /v1/webhooks/esign`, over HTTP and signed with the esign
 * secret, exactly as an outside provider would.
 */
export class ESignPages {
  constructor(
    private readonly provider: BuiltInESignProvider,
    private readonly webhookSecret: string,
    private readonly baseUrl: () => string,
    private readonly clock: Clock,
    private readonly statusOf: (signatureId: string) => Promise<string | undefined>,
  ) {}

  async handle(req: IncomingMessage, url: RequestTarget): Promise<Reply> {
    const match = /^\/esign\/([0-9a-f-]{36})(?:\/(sign|decline))?$/.exec(url.pathname);
    const token = url.searchParams.get('t') ?? '';
    if (!match || !this.provider.verify(match[1], token)) throw new AppError('resource_not_found', 'ROUTE_NOT_FOUND');
    const [, signatureId, action] = match;
    const link = (a: string) => `/esign/${signatureId}/${a}?t=${encodeURIComponent(token)}`;
    // A link whose ceremony has ended (signed, declined, expired) offers nothing more.
    const status = await this.statusOf(signatureId);
    if (status !== 'pending') {
      return page('Link no longer valid', `<h1>This signing link is no longer valid</h1><p>The signature is ${escape(status ?? 'unknown')}.</p>`);
    }
    if (!action && req.method === 'GET') {
      return page(
        'Sign your contract',
        `<h1>Sign your contract</h1><p>By signing, you accept the subscription form, the key information document and the general terms sent with this request.</p>
<form method="post" action="${escape(link('sign'))}" style="display:inline"><button type="submit">Sign</button></form>
<form method="post" action="${escape(link('decline'))}" style="display:inline"><button type="submit">Decline</button></form>`,
      );
    }
    if (action && req.method === 'POST') {
      const wanted = action === 'sign' ? 'completed' : 'declined';
      await this.report(signatureId, action === 'sign' ? 'signature.completed' : 'signature.declined');
      // Say what was recorded, not what was asked: a concurrent outcome may have won.
      const recorded = await this.statusOf(signatureId);
      return recorded === wanted
        ? page('Done', `<h1>${action === 'sign' ? 'Signed' : 'Declined'}</h1><p>You can close this page.</p>`)
        : page('Not recorded', `<h1>Not recorded</h1><p>The signature is ${escape(recorded ?? 'unknown')}.</p>`);
    }
    throw new AppError('method_not_allowed', 'METHOD_NOT_ALLOWED', { headers: { Allow: action ? 'POST' : 'GET' } });
  }

  private async report(signatureId: string, type: string): Promise<void> {
    const now = this.clock.now();
    const rawBody = JSON.stringify({ type, timestamp: now.toISOString(), data: { signature_id: signatureId } });
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(now.getTime() / 1000);
    const response = await fetch(`${this.baseUrl()}/v1/webhooks/esign`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook({ id, timestamp, rawBody, secret: this.webhookSecret }),
      },
      body: rawBody,
    });
    await response.arrayBuffer();
  }
}
