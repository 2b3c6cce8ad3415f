import { AppError, invalidFields, insufficientRoles } from '../../errors/app-error';
import type { EventPublisher } from '../shared/events';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { SupportRequestFilter, SupportStore } from '../../store/support-store';
import type { Role, Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { newUuid } from '../shared/ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../shared/paging';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { SubscriptionService } from '../subscription/subscription-service';
import type { SupportRequest } from './support-request';
import { completeRequest, requestProblems, supportReference, supportTransition, type SupportRequestInput, type SupportStatus } from './support-rules';
import type { Subscriber } from '../subscription/subscriber';

export interface SupportPage {
  rows: SupportRequest[];
  hasNextPage: boolean;
}

/** Who may open a request and read a subscriber's: the subscriber, its broker, back-office (docs/DOMAIN.md). */
const OPENERS: readonly Role[] = ['subscriber', 'broker', 'backoffice'];

/**
 * Support requests: opened for a subscriber by the subscriber themself, its broker or back-office, and
 * worked by back-office (open -> in_progress -> closed). Each write is audited and tells the subscriber.
 */
export class SupportService {
  constructor(
    private readonly db: Db,
    private readonly store: SupportStore,
    private readonly subscriptions: SubscriptionService,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Opens a request with a fresh reference; another subscriber's id answers 404, as a missing one. */
  async open({ viewer, requestId }: Acting, subscriberId: string, input: SupportRequestInput): Promise<SupportRequest> {
    assertRole(viewer, OPENERS);
    const request = completeRequest(input);
    const problems = requestProblems(request);
    if (problems.length) throw invalidFields(problems);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.subscriptions.subscriber(viewer, subscriberId, tx);
      const now = this.clock.now();
      const number = await this.store.nextNumber(tx);
      const row: SupportRequest = {
        id: newUuid(),
        number,
        reference: supportReference(now, number),
        subscriberId: subscriber.id,
        category: request.category,
        subject: request.subject,
        message: request.message,
        status: 'open',
        openedByKind: viewer.kind,
        openedById: viewer.id,
        createdAt: now,
        updatedAt: now,
      };
      await this.store.insert(tx, row);
      // The message stays out of the audit trail: it is the customer's free text, not a record of who did what.
      await this.audit.record(tx, { actor: viewer, action: 'support_request.opened', target: { type: 'support_request', id: row.id }, requestId, details: { subscriberId: subscriber.id, reference: row.reference, category: row.category } });
      await this.events.publish(tx, { type: 'support_request.created', distributorId: subscriber.distributorId, resource: { requestId: row.id } }, now);
      await this.notify(tx, subscriber, 'support_request_opened', row, now);
      return row;
    });
  }

  /** A request about a subscriber the viewer reaches; anyone else's answers 404, as a missing one. */
  async request(viewer: Viewer, id: string): Promise<SupportRequest> {
    assertRole(viewer, OPENERS);
    const row = await this.store.request(id);
    if (!row) throw notFound('support_request');
    try {
      await this.subscriptions.subscriber(viewer, row.subscriberId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'resource_not_found') throw notFound('support_request');
      throw error;
    }
    return row;
  }

  /** Back-office's queue: oldest first, optionally one status. */
  async queue(viewer: Viewer, status: SupportStatus | null, first: number, after: string | null): Promise<SupportPage> {
    assertRole(viewer, ['backoffice']);
    return this.page({ status, subscriberId: null }, first, after, 'asc');
  }

  /**
   * A subscriber's requests, newest first, for a viewer that reached the subscriber through a parent
   * (`subscriber(id)`, `mySubscriberProfile`); checked again here, so no path shows another's requests.
   */
  async ofSubscriber(viewer: Viewer, subscriber: Subscriber, first: number, after: string | null): Promise<SupportPage> {
    assertRole(viewer, OPENERS);
    if (!canReachSubscriber(viewer, subscriber)) throw notFound('subscriber');
    return this.page({ status: null, subscriberId: subscriber.id }, first, after, 'desc');
  }

  /** Back-office moves a request one step along open -> in_progress -> closed; 409 otherwise. */
  async changeStatus({ viewer, requestId }: Acting, id: string, to: SupportStatus): Promise<SupportRequest> {
    assertRole(viewer, ['backoffice']);
    return this.db.transaction(async (tx) => {
      const request = await this.store.request(id, tx, { forUpdate: true });
      if (!request) throw notFound('support_request');
      const from = request.status as SupportStatus;
      supportTransition(from, to);
      const now = this.clock.now();
      if (!(await this.store.changeStatus(tx, request.id, from, to, now))) throw new AppError('conflict', 'SUPPORT_REQUEST_CHANGED_CONCURRENTLY');
      const changed = { ...request, status: to, updatedAt: now };
      await this.audit.record(tx, { actor: viewer, action: 'support_request.status_changed', target: { type: 'support_request', id: request.id }, requestId, details: { reference: request.reference, from, to } });
      // Back-office reaches every subscriber.
      const subscriber = await this.subscriptions.subscriber(viewer, request.subscriberId, tx);
      await this.notify(tx, subscriber, 'support_request_status_changed', changed, now);
      return changed;
    });
  }

  /** The cursor of a request in either list order. */
  static cursorOf(row: SupportRequest): string {
    return encodeCursor([String(row.number)]);
  }

  private async page(filter: SupportRequestFilter, first: number, after: string | null, direction: 'asc' | 'desc'): Promise<SupportPage> {
    checkPageSize(first);
    const rows = await this.store.page(filter, after === null ? null : numberOf(after), first + 1, direction);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  private notify(tx: Queryable, subscriber: Subscriber, template: string, request: SupportRequest, at: Date): Promise<void> {
    return this.outbox.enqueue(
      tx,
      { recipientUserId: subscriber.userId, channel: 'email', template, payload: { to: subscriber.email, subscriberId: subscriber.id, requestId: request.id, reference: request.reference, subject: request.subject, status: request.status } },
      at,
    );
  }
}

function numberOf(cursor: string): number {
  const [text] = decodeCursor(cursor, 1);
  if (!/^\d{1,15}$/.test(text)) throw new AppError('parameter_invalid', 'INVALID_CURSOR', { field: 'after' });
  return Number(text);
}

function assertRole(viewer: Viewer, roles: readonly Role[]): void {
  if (!roles.includes(viewer.kind)) throw insufficientRoles();
}
