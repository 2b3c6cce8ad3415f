import type { RequestContext } from '../context/context';
import type { SepaBatch, SepaBatchEntry, SepaBatchKind, SepaBatchStatus } from '../domain/premiums/sepa-batch';
import { acting, money } from './adapt';

export const sepaResolvers = {
  Query: {
    sepaMandates: (_: unknown, args: { payerId: string }, ctx: RequestContext) => ctx.services.sepaBatches.mandatesOf(ctx.viewer!, args.payerId),
    sepaBatches: (_: unknown, args: { status?: SepaBatchStatus | null; kind?: SepaBatchKind | null; first?: number | null }, ctx: RequestContext) =>
      ctx.services.sepaBatches.list(ctx.viewer!, args),
    sepaBatch: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.sepaBatches.get(ctx.viewer!, args.id),
    async sepaBatchFile(_: unknown, args: { id: string }, ctx: RequestContext) {
      const file = await ctx.services.sepaBatches.file(ctx.viewer!, args.id);
      return { fileName: file.fileName, contentType: file.contentType, contentBase64: file.bytes.toString('base64') };
    },
  },
  Mutation: {
    runSepaBatches: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.sepaBatches.run(acting(ctx)),
    closeSepaBatch: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.sepaBatches.close(acting(ctx), args.id),
  },
  // The batch was reached by back-office through the service's role check; its entries follow it.
  SepaBatch: {
    controlSum: (b: SepaBatch) => money(b.controlSum, b.currency),
    entries: (b: SepaBatch, _: unknown, ctx: RequestContext) => ctx.services.sepaBatches.entriesOf([b.id]),
  },
  SepaBatchEntry: {
    amount: (e: SepaBatchEntry) => money(e.amount, e.currency),
  },
};
