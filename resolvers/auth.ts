import type { RequestContext } from '../context/context';
import type { Viewer } from '../domain/auth/viewer';

export const authResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: RequestContext) => ctx.viewer,
  },
  Mutation: {
    async login(_: unknown, args: { email: string; password: string }, ctx: RequestContext) {
      const result = await ctx.services.auth.login({ ...args, address: ctx.address });
      ctx.response.cookies.push(ctx.sessionCookie.serialize(result.session.secret, result.session.maxAgeSeconds));
      return result;
    },
    issueClientToken(_: unknown, args: { grantType?: string | null; clientId?: string | null; clientSecret?: string | null }, ctx: RequestContext) {
      return ctx.services.auth.issueClientToken({ grantType: args.grantType, clientId: args.clientId, clientSecret: args.clientSecret, certificateSerial: ctx.certificateSerial, address: ctx.address });
    },
    async logout(_: unknown, __: unknown, ctx: RequestContext) {
      await ctx.services.auth.logout(ctx.viewer!);
      if (ctx.credentials.sessionCookie !== undefined) ctx.response.cookies.push(ctx.sessionCookie.clear());
      return true;
    },
  },
  Viewer: {
    subscriberId: (v: Viewer, _: unknown, ctx: RequestContext) => (v.kind === 'subscriber' ? ctx.services.subscription.subscriberIdOfUser(v.id) : null),
    distributorId: (v: Viewer) => (v.kind === 'broker' || v.kind === 'machine' ? v.distributorId : null),
  },
};
