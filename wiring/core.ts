import type { Services } from '../context/context';
import type { PolicyService } from '../domain/policy/policy-service';
import type { AuditTrail } from '../domain/shared/audit-trail';
import type { Clock } from '../domain/shared/clock';
import type { EventPublisher } from '../domain/shared/events';
import type { ProductCatalogue } from '../domain/subscription/product-catalogue';
import type { Db } from '../store/db';

/** What every domain's wiring shares (app.ts builds it once). */
export interface Core {
  db: Db;
  audit: AuditTrail;
  /** Events for partners' endpoints, published by the services in the transaction of each change. */
  events: EventPublisher;
  clock: Clock;
  /** One instance of each service, shared by the others that need it: policies are needed by most. */
  policies: PolicyService;
  /** The catalogue every service reads products through (cached: wiring builds one). */
  products: ProductCatalogue;
  /**
   * Every service, for calls made while an operation runs: some services call each other both ways,
   * so they reach the other through this once all exist (never while wiring).
   */
  services: () => Services;
}
