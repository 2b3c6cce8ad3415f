import type { RequestContext } from '../context/context';
import type { SupportingDocumentInput } from '../domain/subscription/document-service';
import { OTP_MAX_ATTEMPTS } from '../domain/subscription/signing-service';
import type { Signature } from '../domain/subscription/signature';
import type { Refund } from '../domain/policy/policy';
import type { Subscription } from '../domain/subscription/subscription';
import { acting } from './adapt';


export const subscriptionSigningResolvers = {
  Query: {
    subscriptionDocument: async (_: unknown, args: { subscriptionId: string; documentId: string }, ctx: RequestContext) => {
      const doc = await ctx.services.documents.download(ctx.viewer!, args.subscriptionId, args.documentId);
      return { fileName: doc.fileName, contentType: doc.contentType, contentBase64: doc.content.toString('base64') };
    },
  },
  Mutation: {
    generateContractDocuments: (_: unknown, args: { subscriptionId: string }, ctx: RequestContext) => ctx.services.documents.generate(acting(ctx), args.subscriptionId),
    uploadSupportingDocument: (_: unknown, args: { subscriptionId: string; input: SupportingDocumentInput }, ctx: RequestContext) =>
      ctx.services.documents.upload(acting(ctx), args.subscriptionId, args.input),
    requestSignature: (_: unknown, args: { subscriptionId: string; method: 'esign' | 'otp' }, ctx: RequestContext) => ctx.services.signing.request(acting(ctx), args.subscriptionId, args.method),
    confirmSignatureOtp: (_: unknown, args: { subscriptionId: string; code: string }, ctx: RequestContext) => ctx.services.signing.confirmOtp(acting(ctx), args.subscriptionId, args.code),
    withdrawSubscription: (_: unknown, args: { subscriptionId: string; reason?: string | null; letterReceivedOn?: string | null }, ctx: RequestContext) =>
      ctx.services.withdrawal.withdraw(acting(ctx), args.subscriptionId, { reason: args.reason ?? null, letterReceivedOn: args.letterReceivedOn ?? null }),
  },
  SubscriptionContract: {
    documents: (s: Subscription, _: unknown, ctx: RequestContext) => ctx.services.documents.list(ctx.viewer!, s.id),
    signature: (s: Subscription, _: unknown, ctx: RequestContext) => ctx.services.signing.latest(ctx.viewer!, s.id),
    policy: (s: Subscription, _: unknown, ctx: RequestContext) => ctx.services.signing.policyOf(s.id),
    refund: (s: Subscription, _: unknown, ctx: RequestContext) => ctx.services.withdrawal.refund(ctx.viewer!, s.id),
  },
  Signature: {
    signingUrl: (s: Signature, _: unknown, ctx: RequestContext) => ctx.services.signing.signingUrlFor(ctx.viewer!, s),
    otpAttemptsLeft: (s: Signature) => (s.method === 'otp' ? Math.max(0, OTP_MAX_ATTEMPTS - s.otpAttempts) : null),
  },
  Refund: {
    amount: (r: Refund) => ({ amount: r.amount, currency: r.currency }),
  },
};
