import { authResolvers } from './auth';

/** One resolver map per domain, named like its schema file. */
export const resolvers = [authResolvers];
