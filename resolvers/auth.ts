import type { RequestContext } from '../context/context';

type Args<T> = T;

export const authResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: RequestContext) => ctx.viewer,
  },
  Mutation: {
    async login(_: unknown, args: Args<{ email: string; password: string }>, ctx: RequestContext) {
      const result = await ctx.services.auth.login({ ...args, address: ctx.address });
      ctx.response.cookies.push(ctx.sessionCookie.serialize(result.session.secret, result.session.maxAgeSeconds));
      return result;
    },
    issueClientToken(_: unknown, args: Args<{ grantType: string; clientId: string; clientSecret: string }>, ctx: RequestContext) {
      return ctx.services.auth.issueClientToken({ ...args, certificateSerial: ctx.certificateSerial, address: ctx.address });
    },
    async logout(_: unknown, __: unknown, ctx: RequestContext) {
      await ctx.services.auth.logout(ctx.viewer!);
      if (ctx.credentials.sessionCookie !== undefined) ctx.response.cookies.push(ctx.sessionCookie.clear());
      return true;
    },
  },
};
