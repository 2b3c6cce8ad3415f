import type { Queryable } from '../../store/db';

/** The event types partners can receive (docs/WEBHOOKS.md), named `<resource>.<past-tense verb>`. */
export const EVENT_TYPES = [
  'subscription.signed',
  'policy.issued',
  'subscription.withdrawn',
  'surrender.declared',
  'surrender.paid',
  'beneficiary_designation.updated',
  'payout_iban.confirmed',
  'compartment.transitioned',
  'support_request.created',
  'switch.executed',
  'death_claim.notified',
  'premium.collected',
  'premium.rejected',
  'death_claim.file_completed',
  'death_claim.paid',
  'death_claim.closed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Something that happened, as a domain service states it. `resource` names the resource by the
 * variables of the REST read that returns it (`{ policyId, declarationId }`); the body partners get is
 * that read's answer, rendered after commit outside the domain. `distributorId` is the distributor of
 * the subscriber concerned (null: a direct subscriber, for back-office endpoints only).
 */
export interface DomainEvent {
  type: EventType;
  distributorId: string | null;
  resource: Readonly<Record<string, string>>;
}

/**
 * The port domain services publish through, inside the transaction of the change: the event exists
 * exactly when the change does (a rolled-back change publishes nothing). Returns the event's id.
 */
export interface EventPublisher {
  publish(tx: Queryable, event: DomainEvent, at: Date): Promise<string>;
}
