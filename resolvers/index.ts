import { authResolvers } from './auth';
import { subscriptionResolvers } from './subscription';
import { subscriptionSigningResolvers } from './subscription-signing';
import { policyResolvers } from './policy';
import { billingResolvers } from './billing';
import { supportResolvers } from './support';
import { deathSettlementResolvers } from './death-settlement';
import { surrenderResolvers } from './surrender';
import { payOutResolvers } from './pay-out';
import { evidenceResolvers } from './evidence';
import { linkResolvers } from './links';
import { webhookEndpointResolvers } from './webhook-endpoints';
import { emailingResolvers } from './emailing';
import { premiumsResolvers } from './premiums';
import { sepaResolvers } from './sepa';
import { investmentResolvers } from './investments';
import { switchResolvers } from './switches';
import { positionOrderResolvers } from './position-orders';
import { deathClaimResolvers } from './death-claims';
import { deathClaimPaymentResolvers } from './death-claim-payments';
import { mandateResolvers } from './mandates';

/** One resolver map per domain, named like its schema file. */
export const resolvers = [authResolvers, subscriptionResolvers, subscriptionSigningResolvers, policyResolvers, billingResolvers, supportResolvers, deathSettlementResolvers, deathClaimResolvers, deathClaimPaymentResolvers, surrenderResolvers, payOutResolvers, evidenceResolvers, webhookEndpointResolvers, emailingResolvers, premiumsResolvers, sepaResolvers, investmentResolvers, switchResolvers, positionOrderResolvers, mandateResolvers, linkResolvers];
