import { TemplateError, type MailTemplates } from '../domain/emailing/mail-templates';
import type { Clock } from '../domain/shared/clock';
import type { Logger } from '../http/logger';
import type { Db } from '../store/db';
import { EMAIL_LANE, type ClaimedMail, type MailOutcome, type OutboxStore } from '../store/outbox-store';
import { nextAttemptAt, type RetryPolicy } from './backoff';
import type { ClaimRequest, Lane } from './lane';
import { maskAddress, transportFailure, type MailTransport, type OutgoingMail } from './mail-transport';

export interface EmailLaneOptions {
  db: Db;
  store: OutboxStore;
  templates: MailTemplates;
  transport: MailTransport;
  clock: Clock;
  logger: Logger;
  /** Sender of the domain's notifications (MAIL_FROM). */
  from: string;
  retry: RetryPolicy;
}

/** Every SMTP session ends well within this (the transport's timeouts), recording included. */
const LEASE_MS = 120_000;

/**
 * Sends the outbox's messages to people: the domain's notifications and the e-mailing route's messages.
 * Each is rendered from its template at send time and handed to the transport; a refusal for now (4xx,
 * connection) is retried with backoff, a 5xx refusal, a message that cannot be rendered or addressed,
 * or the last allowed attempt ends it `failed`. Logs name the message and a masked address, never a
 * code or a full address.
 */
export class EmailLane implements Lane<ClaimedMail> {
  readonly name = EMAIL_LANE;
  readonly leaseMs = LEASE_MS;
  /** Its claim's `limit` bounds the due rows it reads, and every message is a target of its own. */
  readonly shortClaimFindsAll = true;

  constructor(private readonly options: EmailLaneOptions) {}

  claim(request: ClaimRequest): Promise<ClaimedMail[]> {
    // Each message is its own target: they all leave through one relay (or folder), whose own queue keeps
    // one slow mailbox from holding the others, so busyTargets never names a claimable message.
    // One statement is its own transaction: wrapping it in BEGIN and COMMIT would only add two round trips.
    return this.options.store.claimMail(this.options.db, request);
  }

  targetOf(job: ClaimedMail): string {
    return `mail:${job.rowId}`;
  }

  async attempt(job: ClaimedMail, owner: string): Promise<void> {
    const outcome = await this.send(job);
    const now = this.options.clock.now();
    const recorded = await this.options.store.recordMail(this.options.db, job.rowId, owner, outcome, now);
    const fields = { row: job.rowId, template: job.template, to: job.recipient ? maskAddress(job.recipient) : null, attempt: job.attempts + 1 };
    if (!recorded) this.options.logger.error('mail outcome not recorded: lease lost', fields);
    else if (outcome.kind === 'sent') this.options.logger.info('mail sent', fields);
    else this.options.logger.error(outcome.kind === 'retry' ? 'mail attempt failed, will retry' : 'mail failed', { ...fields, error: outcome.error });
  }

  private async send(job: ClaimedMail): Promise<MailOutcome> {
    const { templates, transport, clock, retry } = this.options;
    if (!job.recipient) return { kind: 'failed', error: 'no e-mail address for the recipient' };
    let mail: OutgoingMail;
    try {
      // Route messages (they have a sender) use the callers' templates and subject; the domain's use theirs.
      const rendered = job.sender
        ? templates.render('messages', job.template, variablesOf(job.payload), job.subject ?? undefined)
        : templates.render('notifications', job.template, job.payload);
      const from = job.sender ?? this.options.from;
      mail = { messageId: `<outbox-${job.rowId}@${domainOf(from)}>`, from, to: job.recipient, ...rendered };
    } catch (error) {
      if (error instanceof TemplateError) return { kind: 'failed', error: error.message };
      throw error;
    }
    try {
      await transport.send(mail);
      return { kind: 'sent' };
    } catch (error) {
      const failure = transportFailure(error);
      const at = failure.permanent ? null : nextAttemptAt(retry, job.attempts + 1, clock.now());
      return at ? { kind: 'retry', at, error: failure.error } : { kind: 'failed', error: failure.error };
    }
  }
}

function variablesOf(payload: Record<string, unknown>): Record<string, unknown> {
  const variables = payload.variables;
  return variables !== null && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
}

/** The domain of `Name <user@domain>` or `user@domain`, for our Message-IDs. */
function domainOf(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match ? match[1] : 'localhost';
}
