import { authResolvers } from './auth';
import { subscriptionResolvers } from './subscription';
import { subscriptionSigningResolvers } from './subscription-signing';
import { policyResolvers } from './policy';

/** One resolver map per domain, named like its schema file. */
export const resolvers = [authResolvers, subscriptionResolvers, subscriptionSigningResolvers, policyResolvers];
