import type { SubscriberOwnership } from '../shared/access';
import type { StatusChange } from '../shared/status-change';

/** An issued policy: what a signed subscription becomes. */
export interface Policy {
  id: string;
  subscriptionId: string;
  subscriberId: string;
  productId: string;
  status: string;
  issuedAt: Date;
}

/** A policy with who its subscriber belongs to, for the object-level check without a second read. */
export type OwnedPolicy = Policy & SubscriberOwnership;

/** A compartment of a policy; `value` in minor units of `currency`. */
export interface Compartment {
  id: string;
  policyId: string;
  code: string;
  status: string;
  value: number;
  currency: string;
  createdAt: Date;
}

/** How a compartment's investments are managed: by the subscriber, or by a mandate. */
export type Management = 'self_invested' | 'managed';

/** A compartment as a read shows it: with how its investments are managed. */
export type ManagedCompartment = Compartment & { management: Management };

/** A policy with its compartments, read in one round trip. */
export interface PolicyRead {
  policy: OwnedPolicy;
  compartments: ManagedCompartment[];
}

/** One step of a compartment's status history. */
export interface CompartmentEvent extends StatusChange {
  compartmentId: string;
  reason: string;
}

/** What is owed back after a withdrawal; `amount` in minor units of `currency`. */
export interface Refund {
  id: string;
  subscriptionId: string;
  amount: number;
  currency: string;
  recordedAt: Date;
  dueBy: Date;
}
