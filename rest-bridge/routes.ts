import type { Route } from './route';
import { AUTH_ROUTES } from './routes/auth';
import { BILLING_ROUTES } from './routes/billing';
import { SUPPORT_ROUTES } from './routes/support';
import { POLICY_ROUTES } from './routes/policy';
import { COMPARTMENT_LIFECYCLE_ROUTES } from './routes/compartment-lifecycle';
import { DEATH_SETTLEMENT_ROUTES } from './routes/death-settlement';
import { DEATH_CLAIM_ROUTES } from './routes/death-claims';
import { DEATH_CLAIM_PAYMENT_ROUTES } from './routes/death-claim-payments';
import { PAY_OUT_ROUTES } from './routes/pay-out';
import { SUBSCRIPTION_ROUTES } from './routes/subscription';
import { SURRENDER_ROUTES } from './routes/surrender';
import { EVIDENCE_ROUTES } from './routes/evidence';
import { WEBHOOK_ENDPOINT_ROUTES } from './routes/webhook-endpoints';
import { EMAILING_ROUTES } from './routes/emailing';
import { PREMIUMS_ROUTES } from './routes/premiums';
import { SEPA_ROUTES } from './routes/sepa';
import { INVESTMENT_ROUTES } from './routes/investments';
import { SWITCH_ROUTES } from './routes/switches';
import { MANDATE_ROUTES } from './routes/mandates';

/**
 * Every legacy REST route, one file per domain in `routes/`. Variables come from path parameters, the
 * query string (routes without a body) and the body, named as in GraphQL (camelCase); the result's
 * single root field is the response body, as GraphQL answers it. Only the OAuth 2.0 routes rename keys
 * (`Route.wireNames`).
 */
export const ROUTES: Route[] = [...AUTH_ROUTES, ...SUBSCRIPTION_ROUTES, ...POLICY_ROUTES, ...COMPARTMENT_LIFECYCLE_ROUTES, ...BILLING_ROUTES, ...SUPPORT_ROUTES, ...DEATH_SETTLEMENT_ROUTES, ...DEATH_CLAIM_ROUTES, ...DEATH_CLAIM_PAYMENT_ROUTES, ...SURRENDER_ROUTES, ...PAY_OUT_ROUTES, ...EVIDENCE_ROUTES, ...WEBHOOK_ENDPOINT_ROUTES, ...EMAILING_ROUTES, ...PREMIUMS_ROUTES, ...SEPA_ROUTES, ...INVESTMENT_ROUTES, ...SWITCH_ROUTES, ...MANDATE_ROUTES];
