import { AppError, insufficientRoles, invalidFields } from '../../errors/app-error';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import type { DeathClaimStore } from '../../store/death-claim-store';
import type { OutboxStore } from '../../store/outbox-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import { defaultDesignation } from '../death-settlement/designation';
import { canReachSubscriber, notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import type { EventPublisher } from '../shared/events';
import { newUuid } from '../shared/ids';
import { checkPageSize, decodeCursor, encodeCursor } from '../shared/paging';
import { parisDate } from '../shared/paris-calendar';
import { policyUnderDeathClaim, type PolicyFreeze } from '../shared/policy-freeze';
import { beneficiariesFrom } from './claim-beneficiaries';
import { DEATH_NOTICE_SOURCES, type DeathNoticeInput, type OwnedDeathClaim } from './death-claim';

export interface DeathClaimPage {
  rows: OwnedDeathClaim[];
  hasNextPage: boolean;
}

/** What a notice does to the position sales of the surrender declarations it rejects (the investments domain, wired in app.ts). */
export interface RejectedSurrenderSales {
  /** Locks the policies' compartments, before their declarations are. */
  lock(tx: Queryable, policyIds: readonly string[]): Promise<void>;
  /** The declarations' sales give their money back. */
  giveBack(tx: Queryable, declarationIds: readonly string[], reason: string): Promise<void>;
}

const MAX_REFERENCE = 200;
/** Why pending acts stop: recorded on each (switch `stopped_reason`, surrender `rejection_reason`). */
export const STOPPED_BY_DEATH = 'INSURED_DECEASED';

/**
 * Death claims (docs/DEATH-CLAIMS.md). The notice of death opens one claim per policy of the insured,
 * freezes those policies and stops what was pending on them, in one transaction. It is also the
 * PolicyFreeze every act on a policy's money or beneficiaries asks.
 */
export class DeathClaimService implements PolicyFreeze {
  constructor(
    private readonly db: Db,
    private readonly store: DeathClaimStore,
    private readonly subscribers: Pick<SubscriptionStore, 'subscriber'>,
    private readonly catalogue: Pick<CatalogueStore, 'standardClause'>,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    /** The sales of the surrender declarations a notice rejects give their money back (surrender's PositionSales.returnSales). */
    private readonly rejectedSales: RejectedSurrenderSales = { lock: async () => {}, giveBack: async () => {} },
  ) {}

  async assertNotFrozen(tx: Queryable, policyId: string): Promise<void> {
    if (await this.store.isFrozen(tx, policyId)) throw policyUnderDeathClaim();
  }

  /**
   * Records a death: back-office, or a partner platform for its distributor's customers (403 for anyone
   * else; 404 for an insured it does not reach). 422 for a date of death in the future, 409 when the
   * insured has no policy or a notice was already recorded.
   */
  async notify({ viewer, requestId }: Acting, input: DeathNoticeInput): Promise<OwnedDeathClaim[]> {
    if (viewer.kind !== 'backoffice' && viewer.kind !== 'machine') throw insufficientRoles();
    const now = this.clock.now();
    const problems: Array<{ field: string; reason: string }> = [];
    if (!(DEATH_NOTICE_SOURCES as readonly string[]).includes(input.source)) problems.push({ field: 'source', reason: 'DEATH_NOTICE_SOURCE_UNKNOWN' });
    const reference = input.deathCertificateReference.trim();
    if (reference === '') problems.push({ field: 'deathCertificateReference', reason: 'REQUIRED_FIELD_MISSING' });
    else if (reference.length > MAX_REFERENCE) problems.push({ field: 'deathCertificateReference', reason: 'TOO_LONG' });
    if (problems.length) throw invalidFields(problems);
    return this.db.transaction(async (tx) => {
      const subscriber = await this.subscribers.subscriber(input.subscriberId, tx);
      if (!subscriber || !canReachSubscriber(viewer, subscriber)) throw notFound('subscriber');
      if (input.dateOfDeath > parisDate(now)) throw new AppError('unprocessable_content', 'DATE_OF_DEATH_IN_FUTURE', { field: 'dateOfDeath' });
      const policies = await this.store.lockPoliciesOf(tx, subscriber.id);
      if (policies.length === 0) throw new AppError('conflict', 'INSURED_HAS_NO_POLICY');
      for (const p of policies) if (await this.store.isFrozen(tx, p.id)) throw new AppError('conflict', 'DEATH_ALREADY_NOTIFIED');
      const noticeId = newUuid();
      for (const p of policies) {
        const designation = (await this.store.designationAt(tx, p.id, input.dateOfDeath)) ?? defaultDesignation(p.id);
        const clause = designation.standardClauseId ? await this.catalogue.standardClause(designation.standardClauseId, tx) : undefined;
        await this.store.insert(tx, {
          id: newUuid(), policyId: p.id, subscriberId: subscriber.id, noticeId, status: 'notified', dateOfDeath: input.dateOfDeath, source: input.source,
          certificateReference: reference, valueAmount: p.valueAmount, valueCurrency: p.currency ?? 'EUR', valueBasis: 'recorded_value_at_notice',
          designationVersion: designation.version, beneficiaries: beneficiariesFrom(designation, clause),
          notifiedByKind: viewer.kind, notifiedById: viewer.id, requestId, notifiedAt: now, closedAt: null,
        });
      }
      // The compartments before the declarations stopPending rejects, as an order's execution locks them.
      await this.rejectedSales.lock(tx, policies.map((p) => p.id));
      const stopped = await this.store.stopPending(tx, policies.map((p) => p.id), STOPPED_BY_DEATH, now);
      // Pending buys (issue, premiums) still execute: they move money paid in into the policy's funds, never out of it.
      await this.rejectedSales.giveBack(tx, stopped.surrenders, STOPPED_BY_DEATH);
      const claims = await this.store.ofNotice(tx, noticeId);
      // The date of death and the claims only: the certificate reference stays in the claim.
      await this.audit.record(tx, {
        actor: viewer, action: 'death.notified', target: { type: 'subscriber', id: subscriber.id }, requestId,
        details: { noticeId, dateOfDeath: input.dateOfDeath, source: input.source, claims: claims.map((c) => c.id), stoppedSwitches: stopped.switches, rejectedSurrenders: stopped.surrenders, endedSchedules: stopped.schedules },
      });
      for (const c of claims) await this.events.publish(tx, { type: 'death_claim.notified', distributorId: subscriber.distributorId, resource: { claimId: c.id } }, now);
      const payload = { subscriberId: subscriber.id, dateOfDeath: input.dateOfDeath, claims: claims.map((c) => ({ claimId: c.id, policyId: c.policyId })) };
      for (const recipient of await this.store.claimDeskOf(tx, subscriber.distributorId, viewer)) {
        await this.outbox.enqueue(tx, { recipientUserId: recipient, channel: 'email', template: 'death_claim_notified', payload }, now);
      }
      return claims;
    });
  }

  /** A claim: back-office, or a broker / partner platform of the insured's distributor; 404 otherwise. */
  async claim(viewer: Viewer, id: string): Promise<OwnedDeathClaim> {
    if (viewer.kind === 'subscriber') throw insufficientRoles();
    const claim = await this.store.claim(id);
    if (!claim || !canReachSubscriber(viewer, claim)) throw notFound('death_claim');
    return claim;
  }

  /** Claims by id: every one for back-office, the distributor's customers' for a broker or partner platform. */
  async page(viewer: Viewer, first: number, after: string | null): Promise<DeathClaimPage> {
    if (viewer.kind === 'subscriber') throw insufficientRoles();
    checkPageSize(first);
    const start = after === null ? null : decodeCursor(after, 1)[0];
    if (viewer.kind !== 'backoffice' && viewer.distributorId === null) return { rows: [], hasNextPage: false };
    const scope = viewer.kind === 'backoffice' ? {} : { distributorId: viewer.distributorId! };
    const rows = await this.store.page(scope, first, start);
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  static cursorOf(claim: OwnedDeathClaim): string {
    return encodeCursor([claim.id]);
  }
}
