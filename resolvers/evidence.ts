import type { RequestContext } from '../context/context';
import type { EvidenceKind } from '../domain/evidence/evidence';
import type { EvidenceReview, EvidenceUpload } from '../domain/evidence/evidence-service';
import type { Subscriber } from '../domain/subscription/subscriber';
import { acting } from './adapt';

export const evidenceResolvers = {
  Query: {
    evidence: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.evidence.evidence(ctx.viewer!, args.id),
    evidenceFile: async (_: unknown, args: { id: string }, ctx: RequestContext) => {
      const file = await ctx.services.evidence.download(ctx.viewer!, args.id);
      return { fileName: file.fileName, contentType: file.contentType, contentBase64: file.content.toString('base64') };
    },
  },
  Subscriber: {
    evidence: (s: Subscriber, args: { kind?: EvidenceKind | null; subjectId?: string | null }, ctx: RequestContext) =>
      ctx.services.evidence.list(ctx.viewer!, s.id, { kind: args.kind, subjectId: args.subjectId }),
  },
  Mutation: {
    uploadEvidence: (_: unknown, args: { subscriberId: string; input: EvidenceUpload }, ctx: RequestContext) =>
      ctx.services.evidence.upload(acting(ctx), args.subscriberId, args.input),
    reviewEvidence: (_: unknown, args: { id: string; input: EvidenceReview }, ctx: RequestContext) => ctx.services.evidence.review(acting(ctx), args.id, args.input),
  },
};
