import type { RequestContext } from '../context/context';
import type { DeathNoticeInput, OwnedDeathClaim } from '../domain/death-claims/death-claim';
import { DeathClaimService } from '../domain/death-claims/death-claim-service';
import { acting } from './adapt';
import { connection } from './connection';

export const deathClaimResolvers = {
  Query: {
    deathClaim: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.deathClaims.claim(ctx.viewer!, args.id),
    deathClaims: async (_: unknown, args: { first: number; after?: string | null }, ctx: RequestContext) =>
      connection(await ctx.services.deathClaims.page(ctx.viewer!, args.first, args.after ?? null), DeathClaimService.cursorOf, Boolean(args.after)),
  },
  Mutation: {
    notifyDeath: async (_: unknown, args: { input: DeathNoticeInput }, ctx: RequestContext) => {
      const claims = await ctx.services.deathClaims.notify(acting(ctx), args.input);
      return { noticeId: claims[0]!.noticeId, claims };
    },
  },
  DeathClaim: {
    deathCertificateReference: (c: OwnedDeathClaim) => c.certificateReference,
    value: (c: OwnedDeathClaim) => ({ amount: c.valueAmount, currency: c.valueCurrency }),
  },
};
