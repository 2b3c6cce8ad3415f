import type { RequestContext } from '../context/context';
import type { SupportingDocumentInput } from '../domain/subscription/document-service';
import { OTP_MAX_ATTEMPTS } from '../domain/subscription/signing-service';
import type { DocumentRow } from '../store/document-store';
import type { CompartmentRow, RefundRow } from '../store/policy-store';
import type { SignatureRow } from '../store/signature-store';
import type { SubscriptionRow } from '../store/subscription-store';
import { acting } from './adapt';


export const subscriptionSigningResolvers = {
  Query: {
    subscriptionDocument: async (_: unknown, args: { subscriptionId: string; documentId: string }, ctx: RequestContext) => {
      const doc = await ctx.services.documents.download(ctx.viewer!, args.subscriptionId, args.documentId);
      return { fileName: doc.file_name, contentType: doc.content_type, contentBase64: doc.content.toString('base64') };
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
    documents: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => ctx.services.documents.list(ctx.viewer!, s.id),
    signature: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => ctx.services.signing.latest(ctx.viewer!, s.id),
    policy: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => ctx.services.signing.policyOf(s.id),
    refund: (s: SubscriptionRow, _: unknown, ctx: RequestContext) => ctx.services.withdrawal.refund(ctx.viewer!, s.id),
  },
  ContractDocument: {
    fileName: (d: DocumentRow) => d.file_name,
    contentType: (d: DocumentRow) => d.content_type,
    sizeBytes: (d: DocumentRow) => d.size_bytes,
    createdAt: (d: DocumentRow) => d.created_at,
  },
  Signature: {
    signingUrl: (s: SignatureRow, _: unknown, ctx: RequestContext) => ctx.services.signing.signingUrlFor(ctx.viewer!, s),
    otpExpiresAt: (s: SignatureRow) => s.otp_expires_at,
    otpAttemptsLeft: (s: SignatureRow) => (s.method === 'otp' ? Math.max(0, OTP_MAX_ATTEMPTS - s.otp_attempts) : null),
    createdAt: (s: SignatureRow) => s.created_at,
    completedAt: (s: SignatureRow) => s.completed_at,
  },
  Compartment: {
    value: (c: CompartmentRow) => ({ amount: c.value, currency: c.currency }),
  },
  Refund: {
    amount: (r: RefundRow) => ({ amount: r.amount, currency: r.currency }),
    recordedAt: (r: RefundRow) => r.recorded_at,
    dueBy: (r: RefundRow) => r.due_by,
  },
};
