import { EVENT_TYPES, type EventType } from '../shared/events';

/** One event type as partners see it listed (`GET /v1/webhook-endpoints/event-types`). */
export interface EventTypeEntry {
  type: EventType;
  description: string;
  /** The GraphQL type of `data`. */
  resource: string;
  /**
   * The REST reads (`GET /v1/...`) whose answer is `data`. An event names its resource by exactly the
   * path parameters of one of them; a surrender is read by the total or the partial route.
   */
  reads: readonly string[];
}

const SUBSCRIPTION = 'GET /v1/subscription/subscriptions/{subscriptionId}';
const SURRENDERS = ['GET /v1/total-surrender/policies/{policyId}/declarations/{declarationId}', 'GET /v1/partial-surrender/policies/{policyId}/compartments/{compartmentId}/declarations/{declarationId}'];

// A single premium is read by its request, a scheduled one by its policy's schedule (which lists its collections).
const PREMIUMS = ['GET /v1/premium-scheduling/single-premium-requests/{requestId}', 'GET /v1/premium-scheduling/policies/{policyId}/schedule'];

const ENTRIES: Record<EventType, Omit<EventTypeEntry, 'type'>> = {
  'subscription.signed': { description: 'The subscriber signed the subscription (OTP or e-signature).', resource: 'SubscriptionContract', reads: [SUBSCRIPTION] },
  'policy.issued': { description: 'A policy was issued from a signed subscription.', resource: 'Policy', reads: ['GET /v1/policies/{policyId}'] },
  'subscription.withdrawn': { description: 'The subscriber withdrew within the legal period; the sums paid are refunded.', resource: 'SubscriptionContract', reads: [SUBSCRIPTION] },
  'surrender.declared': { description: 'A total or partial surrender was declared.', resource: 'SurrenderDeclaration', reads: SURRENDERS },
  'surrender.paid': { description: 'The payment provider paid a surrender out.', resource: 'SurrenderDeclaration', reads: SURRENDERS },
  'beneficiary_designation.updated': { description: "A policy's beneficiary designation changed (a new version, or a beneficiary's acceptance).", resource: 'BeneficiaryDesignation', reads: ['GET /v1/death-settlement/policies/{policyId}/beneficiary-designation'] },
  'payout_iban.confirmed': { description: 'A pay-out IBAN became confirmed and may receive pay-outs.', resource: 'PayoutIban', reads: ['GET /v1/pay-out/subscribers/{subscriberId}/ibans/{iban}'] },
  'compartment.transitioned': { description: 'A compartment changed status (suspended, resumed, liquidated, closed, activated).', resource: 'Compartment', reads: ['GET /v1/compartment-lifecycle/policies/{policyId}/compartments/{compartmentId}'] },
  'support_request.created': { description: 'A support request was opened for a subscriber.', resource: 'SupportRequest', reads: ['GET /v1/support/requests/{requestId}'] },
  'switch.executed': { description: 'A switch between the funds of a compartment was executed at forward prices (asked, or the rebalancing of a delegation to a mandate).', resource: 'SwitchRequest', reads: ['GET /v1/switches/policies/{policyId}/compartments/{compartmentId}/requests/{requestId}'] },
  'death_claim.notified': { description: "An insured's death was recorded: a claim was opened on the policy, which is frozen from now on.", resource: 'DeathClaim', reads: ['GET /v1/death-claims/{claimId}'] },
  'premium.collected': { description: 'A single premium or a scheduled collection was collected by SEPA direct debit; it entered the policy.', resource: 'SinglePremiumRequest | PremiumSchedule', reads: PREMIUMS },
  'premium.rejected': {
    description: "A premium's direct debit was rejected (ISO 20022 reason code); the data shows whether a new attempt is due or the schedule is suspended.",
    resource: 'SinglePremiumRequest | PremiumSchedule', reads: PREMIUMS,
  },
  'death_claim.file_completed': { description: "Every document a death claim beneficiary's file needs was accepted: the one-month payment period starts.", resource: 'DeathClaimBeneficiaryFile', reads: ['GET /v1/death-claims/{claimId}/beneficiaries/{beneficiaryId}/file'] },
  'death_claim.paid': { description: "The payment provider paid a beneficiary's part of a death claim, with the late interest owed if it was paid after the one-month deadline.", resource: 'DeathClaimPayment', reads: ['GET /v1/death-claims/{claimId}/payments/{paymentId}'] },
  'death_claim.closed': { description: 'The last beneficiary part of a death claim was paid: the claim is closed and its policy ended.', resource: 'DeathClaim', reads: ['GET /v1/death-claims/{claimId}'] },
};

/** Every event type, in the catalogue's order. */
export const EVENT_CATALOGUE: readonly EventTypeEntry[] = EVENT_TYPES.map((type) => ({ type, ...ENTRIES[type] }));

export function catalogueEntry(type: string): EventTypeEntry | undefined {
  return EVENT_CATALOGUE.find((e) => e.type === type);
}
