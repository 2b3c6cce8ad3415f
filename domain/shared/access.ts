import { AppError } from '../../errors/app-error';
import type { Viewer } from '../auth/viewer';

/** What decides who reaches a subscriber: the login it belongs to and the distributor that sells to it. */
export interface SubscriberOwnership {
  userId: string | null;
  distributorId: string | null;
}

/**
 * Object-level access (docs/SECURITY.md 13): a subscriber reaches their own profile only, a broker or a
 * partner machine client the subscribers of its distributor, back-office everyone.
 */
export function canReachSubscriber(viewer: Viewer, subscriber: SubscriberOwnership): boolean {
  switch (viewer.kind) {
    case 'backoffice':
      return true;
    case 'subscriber':
      return subscriber.userId === viewer.id;
    case 'broker':
    case 'machine':
      return viewer.distributorId !== null && subscriber.distributorId === viewer.distributorId;
  }
}

/**
 * Someone else's record answers exactly like a missing one: its existence is not revealed. The public
 * docs give compartments a code of their own (`compartment_not_found`); everything else is
 * `resource_not_found`.
 */
export function notFound(what: string): AppError {
  return new AppError(what === 'compartment' ? 'compartment_not_found' : 'resource_not_found', `${what.toUpperCase()}_NOT_FOUND`);
}

/** Full IBANs are for their owner and back-office; brokers and partners see them masked (docs/DOMAIN.md). */
export function seesFullIban(viewer: Viewer): boolean {
  return viewer.kind === 'subscriber' || viewer.kind === 'backoffice';
}
