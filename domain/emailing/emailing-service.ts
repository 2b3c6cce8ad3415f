import { AppError, insufficientRoles } from '../../errors/app-error';
import type { Db } from '../../store/db';
import type { OutboxStore, QueuedEmail } from '../../store/outbox-store';
import type { Role, Viewer } from '../auth/viewer';
import { notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { TemplateError, type MailTemplates } from './mail-templates';

export interface QueueEmailInput {
  from: string;
  to: string;
  subject: string;
  content: { template_name: string; variables?: Record<string, unknown> | null };
}

/** Who may queue messages and read them: back-office (any) and partner platforms (their own). */
const SENDERS: readonly Role[] = ['backoffice', 'machine'];
const MAX_SUBJECT = 255;
const MAX_KEY = 255;

/**
 * The e-mailing route: a caller queues a message rendered from one of the repository's `messages`
 * templates; the e-mail lane sends it. Everything that can be known now is checked now (the key, the
 * subject, the sender, that the template renders with the variables), so a queued message fails later
 * only for delivery reasons. An idempotency key names one message per caller: a second request with it
 * is refused (409, as the public docs show for this route), never answered with the first message.
 */
export class EmailingService {
  constructor(
    private readonly db: Db,
    private readonly store: OutboxStore,
    private readonly templates: MailTemplates,
    /** Addresses callers may send from, lower-case (MAIL_SENDERS). */
    private readonly senders: readonly string[],
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async queue({ viewer, requestId }: Acting, input: QueueEmailInput, idempotencyKey: string | null): Promise<QueuedEmail> {
    assertSender(viewer);
    const key = idempotencyKey === null ? null : idempotencyKey.trim();
    if (key !== null && (key.length === 0 || key.length > MAX_KEY)) throw new AppError('queue_email_message_invalid_idempotency_key', 'EMAIL_IDEMPOTENCY_KEY_INVALID', { field: 'Idempotency-Key' });
    const subject = input.subject.trim();
    if (subject.length === 0 || input.subject.length > MAX_SUBJECT) throw new AppError('email_message_invalid_subject', 'EMAIL_SUBJECT_INVALID', { field: 'subject' });
    if (!this.senders.includes(input.from.toLowerCase())) throw new AppError('parameter_invalid', 'SENDER_NOT_ALLOWED', { field: 'from' });
    const templateName = input.content.template_name;
    const variables = input.content.variables ?? {};
    try {
      this.templates.render('messages', templateName, variables, subject);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      if (error.kind === 'unknown_template') throw new AppError('parameter_invalid', 'UNKNOWN_EMAIL_TEMPLATE', { field: 'content.template_name', detail: templateName });
      throw new AppError('queue_email_message_internal_template_rendering_failed', 'EMAIL_TEMPLATE_RENDERING_FAILED', { field: 'content.variables', detail: error.message });
    }
    const message: QueuedEmail = {
      id: newUuid(),
      from: input.from,
      to: input.to,
      subject,
      templateName,
      variables,
      requestedBy: requesterOf(viewer),
      idempotencyKey: key,
      status: 'pending',
      attempts: 0,
      lastError: null,
      nextAttemptAt: this.clock.now(),
      createdAt: this.clock.now(),
      sentAt: null,
    };
    return this.db.transaction(async (tx) => {
      if (!(await this.store.queueEmail(tx, message))) throw new AppError('conflict', 'IDEMPOTENCY_KEY_ALREADY_USED', { field: 'Idempotency-Key' });
      // The audit log keeps who sent what template to which domain: the full address is the message's own business.
      await this.audit.record(tx, { actor: viewer, action: 'email.queued', target: { type: 'email_message', id: message.id }, requestId, details: { template: templateName, toDomain: input.to.slice(input.to.lastIndexOf('@') + 1) } });
      return message;
    });
  }

  /** A queued message: back-office reads any, a partner platform only its own (another's answers 404). */
  async message(viewer: Viewer, id: string): Promise<QueuedEmail> {
    assertSender(viewer);
    const found = await this.store.queuedEmail(this.db, id);
    if (!found || (viewer.kind !== 'backoffice' && found.requestedBy !== requesterOf(viewer))) throw notFound('email_message');
    return found;
  }
}

function assertSender(viewer: Viewer): void {
  if (!SENDERS.includes(viewer.kind)) throw insufficientRoles();
}

/** A key is one caller's: two partner platforms may use the same one. */
function requesterOf(viewer: Viewer): string {
  return `${viewer.kind}:${viewer.id}`;
}
