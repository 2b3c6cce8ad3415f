import { authResolvers } from './auth';
import { subscriptionResolvers } from './subscription';

/** One resolver map per domain, named like its schema file. */
export const resolvers = [authResolvers, subscriptionResolvers];
