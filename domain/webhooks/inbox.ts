import { hasForbiddenCharacters } from '../shared/text';
import { AppError, unauthorized } from '../../errors/app-error';
import type { Db } from '../../store/db';
import type { WebhookStore } from '../../store/webhook-store';
import type { Clock } from '../shared/clock';
import type { WebhookRegistry } from './registry';
import { verifyStandardWebhook } from './standard-webhooks';

export interface Delivery {
  source: string;
  headers: { id?: string; timestamp?: string; signature?: string };
  rawBody: Buffer;
}

/**
 * Inbound webhooks: verified over the raw bytes before anything is parsed, recorded by `webhook-id`
 * and applied by the registered handler in the same transaction, so each event takes effect once.
 */
export class WebhookInbox {
  constructor(
    private readonly db: Db,
    private readonly store: WebhookStore,
    private readonly registry: WebhookRegistry,
    private readonly secrets: Record<string, string[]>,
    private readonly clock: Clock,
  ) {}

  knows(source: string): boolean {
    return Object.hasOwn(this.secrets, source) && this.secrets[source].length > 0;
  }

  async receive(delivery: Delivery): Promise<{ duplicate: boolean; handled: boolean }> {
    if (!this.knows(delivery.source)) throw new AppError('resource_not_found', 'UNKNOWN_WEBHOOK_SOURCE');
    const verification = verifyStandardWebhook({ headers: delivery.headers, rawBody: delivery.rawBody, secrets: this.secrets[delivery.source], now: this.clock.now() });
    // The caller learns only INVALID_SIGNATURE; the precise reason is in the error's log detail.
    if (!verification.ok) throw unauthorized('INVALID_SIGNATURE', verification.reason);
    const payload = parsePayload(delivery.rawBody);
    const handler = this.registry.handlerFor(delivery.source, payload.type);
    return this.db.transaction(async (tx) => {
      const first = await this.store.recordOnce(tx, { source: delivery.source, id: verification.id, type: payload.type, receivedAt: this.clock.now(), handled: handler !== undefined });
      if (!first) return { duplicate: true, handled: false };
      // Event types nobody handles are acknowledged (providers send many) and kept for the record.
      if (handler) await handler({ source: delivery.source, id: verification.id, type: payload.type, timestamp: new Date(verification.timestamp * 1000), data: payload.data }, tx);
      return { duplicate: false, handled: handler !== undefined };
    });
  }
}

function parsePayload(raw: Buffer): { type: string; data: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('parameter_invalid', 'MALFORMED_JSON');
  }
  if (value === null || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') {
    throw new AppError('parameter_invalid', 'WEBHOOK_TYPE_MISSING', { field: 'type' });
  }
  const { type, data } = value as { type: string; data?: unknown };
  const field = forbiddenTextIn(value, '');
  if (field !== undefined) throw new AppError('parameter_invalid', 'INVALID_CHARACTERS', { field });
  return { type, data: data ?? null };
}

/**
 * The path of the first key or string of a signed event holding a NUL, another control character (line
 * breaks allowed: a rejection reason may span lines) or a lone surrogate: a signature proves who sent
 * the bytes, not that the database can store them.
 */
function forbiddenTextIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return hasForbiddenCharacters(value, true) ? path || '(body)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (hasForbiddenCharacters(key, false)) return at;
    const found = forbiddenTextIn(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
