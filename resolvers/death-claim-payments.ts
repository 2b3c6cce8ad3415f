import type { RequestContext } from '../context/context';
import type { ClaimWithClocks } from '../domain/death-claims/claim-payment-service';
import { DeathClaimPaymentService } from '../domain/death-claims/claim-payment-service';
import type { BeneficiaryClock, ClaimPaymentInput, DeathClaimPayment } from '../domain/death-claims/claim-payment';
import type { LegalInterestRate } from '../domain/death-claims/legal-interest';
import { seesFullIban } from '../domain/shared/access';
import { maskIban } from '../domain/shared/iban';
import { acting } from './adapt';
import { connection } from './connection';

const money = (amount: number | null, currency: string) => (amount === null ? null : { amount, currency });

export const deathClaimPaymentResolvers = {
  Query: {
    openDeathClaims: async (_: unknown, args: { overdue?: boolean | null; first: number; after?: string | null }, ctx: RequestContext) =>
      connection(await ctx.services.deathClaimPayments.openClaims(ctx.viewer!, { overdue: args.overdue === true }, args.first, args.after ?? null), DeathClaimPaymentService.cursorOf, Boolean(args.after)),
    deathClaimPayments: (_: unknown, args: { claimId: string }, ctx: RequestContext) => ctx.services.deathClaimPayments.payments(ctx.viewer!, args.claimId),
    deathClaimPayment: (_: unknown, args: { claimId: string; id: string }, ctx: RequestContext) => ctx.services.deathClaimPayments.payment(ctx.viewer!, args.claimId, args.id),
    legalInterestRates: (_: unknown, __: unknown, ctx: RequestContext) => ctx.services.deathClaimPayments.rates(ctx.viewer!),
  },
  Mutation: {
    payDeathClaimBeneficiary: (_: unknown, args: { claimId: string; input: ClaimPaymentInput }, ctx: RequestContext) => ctx.services.deathClaimPayments.pay(acting(ctx), args.claimId, args.input),
    loadLegalInterestRate: (_: unknown, args: { input: LegalInterestRate & { source: string } }, ctx: RequestContext) => ctx.services.deathClaimPayments.addRate(acting(ctx), args.input),
  },
  DeathClaimPayment: {
    capital: (p: DeathClaimPayment) => money(p.capitalAmount, p.currency),
    interest: (p: DeathClaimPayment) => money(p.interestAmount, p.currency),
    total: (p: DeathClaimPayment) => money(p.capitalAmount + p.interestAmount, p.currency),
    iban: (p: DeathClaimPayment, _: unknown, ctx: RequestContext) => (seesFullIban(ctx.viewer!) ? p.iban : maskIban(p.iban)),
  },
  OpenDeathClaim: {
    today: (r: ClaimWithClocks) => r.clocks.today,
    overdue: (r: ClaimWithClocks) => r.clocks.overdue,
    interestAccrued: (r: ClaimWithClocks) => money(r.clocks.interestAccrued, r.claim.valueCurrency),
    beneficiaries: (r: ClaimWithClocks) => r.clocks.beneficiaries.map((b) => ({ ...b, currency: r.claim.valueCurrency })),
  },
  DeathClaimBeneficiaryClock: {
    capital: (b: BeneficiaryClock & { currency: string }) => money(b.capitalAmount, b.currency),
    interestAccrued: (b: BeneficiaryClock & { currency: string }) => money(b.interestAccrued, b.currency),
  },
};
