import DataLoader from 'dataloader';
import type { RequestContext } from '../context/context';
import { BillingService, type StatementFormat } from '../domain/billing/billing-service';
import type { CommissionType } from '../domain/billing/commission-rules';
import type { CommissionLine, CommissionStatement } from '../domain/billing/commission-statement';
import { money } from './adapt';
import { connection } from './connection';


// Per-request batching of lines, kept here rather than in the shared loaders: one lines query for a page
// of statements. Keyed on the request's context, so nothing cached outlives the request.
const lineLoaders = new WeakMap<RequestContext, DataLoader<string, CommissionLine[]>>();
function linesOf(ctx: RequestContext, statementId: string): Promise<CommissionLine[]> {
  let loader = lineLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.services.billing.linesOf(ids);
      return ids.map((id) => rows.filter((l) => l.statementId === id));
    });
    lineLoaders.set(ctx, loader);
  }
  return loader.load(statementId);
}

interface StatementArgs {
  first: number;
  after?: string | null;
  brokerId?: string | null;
  from?: string | null;
  to?: string | null;
  page?: number | null;
  perPage?: number | null;
  type?: CommissionType | null;
}

export const billingResolvers = {
  Query: {
    async commissionStatements(_: unknown, args: StatementArgs, ctx: RequestContext) {
      const page = await ctx.services.billing.page(ctx.viewer!, {
        first: args.first, after: args.after ?? null, page: args.page ?? null, perPage: args.perPage ?? null,
        brokerId: args.brokerId ?? null, from: args.from ?? null, to: args.to ?? null, type: args.type ?? null,
      });
      // Page numbers: every page past the first has one before it.
      const paged = connection(page, BillingService.cursorOf, Boolean(args.after) || (page.page ?? 1) > 1);
      return {
        ...paged,
        page: page.page,
        perPage: page.perPage,
      };
    },
    commissionStatement: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.billing.statement(ctx.viewer!, args.id),
    async commissionStatementFile(_: unknown, args: { id: string; format: StatementFormat }, ctx: RequestContext) {
      const file = await ctx.services.billing.file(ctx.viewer!, args.id, args.format);
      return { fileName: file.fileName, contentType: file.contentType, contentBase64: file.bytes.toString('base64') };
    },
  },
  // The enum's internal values are the documented spellings the domain and the database use.
  CommissionType: { inducement: 'inducement', business_commission: 'business-commission' } satisfies Record<string, CommissionType>,
  CommissionStatement: {
    typeCode: (s: CommissionStatement) => s.type,
    premiumTotal: (s: CommissionStatement) => money(s.premiumTotal, s.currency),
    commissionTotal: (s: CommissionStatement) => money(s.commissionTotal, s.currency),
    async lines(s: CommissionStatement, _: unknown, ctx: RequestContext) {
      // A line carries no currency of its own: it is the statement's.
      return (await linesOf(ctx, s.id)).map((line) => ({ ...line, currency: s.currency }));
    },
  },
  CommissionLine: {
    premium: (l: CommissionLine & { currency: string }) => money(l.premium, l.currency),
    commission: (l: CommissionLine & { currency: string }) => money(l.commission, l.currency),
  },
};
