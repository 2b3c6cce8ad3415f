/** A partner's (or back-office's) endpoint for outbound webhooks. */
export interface WebhookEndpoint {
  id: string;
  /** Whose events it receives; null: a back-office endpoint, which receives every event. */
  distributorId: string | null;
  url: string;
  description: string | null;
  /** null: every event type. */
  eventTypes: string[] | null;
  status: 'enabled' | 'disabled';
  disabledReason: 'by_owner' | 'failing' | null;
  failingSince: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The answer of a creation or a rotation: the endpoint and its new signing secret, shown this once. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

/** What an update may change; an absent key leaves that part as it is (`eventTypes: null`: every type). */
export interface WebhookEndpointChanges {
  url?: string;
  eventTypes?: string[] | null;
  description?: string | null;
  enabled?: boolean;
}

export interface WebhookEndpointInput {
  url: string;
  eventTypes?: string[] | null;
  description?: string | null;
}

/** One attempt of a delivery, as kept: never the response body. */
export interface WebhookDeliveryAttempt {
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** One event to one endpoint, with its attempts oldest first. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  eventCreatedAt: Date;
  status: 'pending' | 'succeeded' | 'failed';
  /** Attempts since the delivery was queued or last replayed (the retry budget spent). */
  attemptCount: number;
  nextAttemptAt: Date;
  createdAt: Date;
  updatedAt: Date;
  attempts: WebhookDeliveryAttempt[];
}
