import { AppError } from '../../errors/app-error';
import { declarationResource } from './surrender-declaration';
import type { EventPublisher } from '../shared/events';
import type { Product } from '../subscription/catalogue';
import type { ProductCatalogue } from '../subscription/product-catalogue';
import type { Db, Queryable } from '../../store/db';
import type { OutboxStore } from '../../store/outbox-store';
import type { PolicyStore } from '../../store/policy-store';
import type { SurrenderStore } from '../../store/surrender-store';
import type { Viewer } from '../auth/viewer';
import type { OwnedPolicy, PolicyService } from '../policy/policy-service';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { notFound } from '../shared/access';
import type { Acting } from '../shared/acting';
import type { PolicyFreeze } from '../shared/policy-freeze';
import type { AcceptedBeneficiaryConsents } from './accepted-beneficiaries';
import { checkEarlyReleaseSources, EARLY_RELEASE_DOCUMENTS, perEarlyReleaseCase, type PerEarlyReleaseCase, type RequiredDocumentState } from './early-release';
import type { EarlyReleaseFile } from './early-release-file';
import { surrenderPaymentDueBy } from './payment-deadline';
import type { PayoutAccount, PayoutIbans } from './payout-account';
import {
  checkCompartmentSurrenderable,
  checkNoOpenPartialSurrender,
  checkNoOpenTotalSurrender,
  checkPartialAmount,
  checkPolicySurrenderable,
  NO_TERMS,
  OPEN_STATUSES,
  requestInstant,
  reservedOn,
  SURRENDER_CURRENCIES,
  totalSurrenderValue,
  type SurrenderReason,
} from './surrender-rules';
import type { Compartment } from '../policy/policy';
import type { DeclaredSurrender, SurrenderDeclaration, SurrenderEvent, SurrenderKind } from './surrender-declaration';
import { toMinorUnits, type ScaledAmount } from '../shared/scaled-money';
import { parisDate } from '../shared/paris-calendar';
import type { PositionSale, PositionSales, SurrenderFundInput } from './position-sales';
import { checkNamedFunds, planPartialSale } from './surrender-sale';

export interface TotalSurrenderInput {
  /** Why it is asked for; absent: client_request. */
  reason?: SurrenderReason | null;
  /** The Paris date (YYYY-MM-DD) the subscriber asked; absent: today. */
  requestedAt?: string | null;
  /** PER: the early-release case (L224-4 CMF), required. Assurance-vie: refused. */
  earlyReleaseCase?: string | null;
  /** One of the subscriber's confirmed pay-out IBANs; by default their default one. */
  payoutIbanId?: string | null;
}

export interface PartialSurrenderInput extends TotalSurrenderInput {
  /** As the REST contract writes it (value x 10^-scale); converted exactly to minor units. */
  amount: ScaledAmount;
  requestedAt: string;
  /** The funds to sell (amounts, or basis points of the amount); absent: every position pro rata. */
  funds?: SurrenderFundInput[] | null;
}

/** What a declaration needs once the rules of its kind have passed. */
interface Draft {
  kind: SurrenderKind;
  compartment: Compartment | null;
  amount: number;
  currency: string;
  /** PER: the early-release case, whose supporting documents the declaration waits for. */
  earlyRelease: PerEarlyReleaseCase | null;
  /** The positions to sell, per compartment holding any: amounts per fund, or everything. */
  sales: Array<{ compartmentId: string; currency: string; sell: 'everything' | Array<{ isin: string; amount: number }> }>;
  /** Compartments holding no positions, whose money (not yet invested) leaves: what their pending buys no longer invest. */
  uninvested: Array<{ compartmentId: string; by: number | 'everything' }>;
}

/**
 * Total and partial surrender declarations (rachat). Who may declare: whoever reaches the policy, i.e.
 * the subscriber themself, back-office, and the broker or partner platform of the subscriber's
 * distributor acting on the subscriber's behalf (docs/DOMAIN.md). The money only ever goes to the
 * subscriber's own IBAN and the subscriber is notified of every declaration, whoever made it.
 */
export class SurrenderService {
  constructor(
    private readonly db: Db,
    private readonly store: SurrenderStore,
    private readonly policies: PolicyService,
    private readonly policyStore: PolicyStore,
    private readonly catalogue: ProductCatalogue,
    private readonly payoutIbans: PayoutIbans,
    private readonly acceptedBeneficiaries: AcceptedBeneficiaryConsents,
    private readonly earlyReleaseFile: EarlyReleaseFile,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxStore,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
    private readonly freeze: PolicyFreeze,
    private readonly sales: PositionSales,
  ) {}

  /** Declares the surrender of the whole policy; the policy closes when the payment is confirmed. */
  declareTotal(acting: Acting, policyId: string, input: TotalSurrenderInput): Promise<SurrenderDeclaration> {
    return this.declare(acting, policyId, null, input, async (tx, policy, product, open) => {
      checkNoOpenPartialSurrender(open.map(openView));
      const compartments = await this.policyStore.compartments([policy.id], tx);
      for (const c of compartments) checkCompartmentSurrenderable('total', c.status);
      // A compartment holding positions is worth them, and sells them all; one holding none, its recorded amount.
      const sales: Draft['sales'] = [];
      const uninvested: Draft['uninvested'] = [];
      const valued = [];
      for (const c of compartments) {
        const held = c.status === 'closed' ? null : await this.sales.heldValue(tx, c);
        if (held) sales.push({ compartmentId: c.id, currency: c.currency, sell: 'everything' });
        else if (c.status !== 'closed') uninvested.push({ compartmentId: c.id, by: 'everything' });
        valued.push({ ...c, value: held?.value ?? c.value });
      }
      const amount = totalSurrenderValue(valued);
      const earlyRelease = earlyReleaseFor(product, input.earlyReleaseCase, valued.filter((c) => c.status !== 'closed' && c.value > 0).map((c) => c.code));
      return { kind: 'total', compartment: null, amount, currency: product.currency, earlyRelease, sales, uninvested };
    });
  }

  /** Declares the surrender of an amount from one compartment. */
  declarePartial(acting: Acting, policyId: string, compartmentId: string, input: PartialSurrenderInput): Promise<SurrenderDeclaration> {
    // Positive, exact and within the limit: 400 naming amount.value or amount.scale otherwise.
    const requested = toMinorUnits(input.amount, SURRENDER_CURRENCIES);
    const named = checkNamedFunds(input.funds, requested.amount, SURRENDER_CURRENCIES);
    return this.declare(acting, policyId, compartmentId, input, async (tx, _policy, product, open, found) => {
      // declare() loaded it and answered 404 when the policy has no such compartment.
      const compartment = found!;
      checkCompartmentSurrenderable('partial', compartment.status);
      const earlyRelease = earlyReleaseFor(product, input.earlyReleaseCase, [compartment.code]);
      const terms = await this.store.terms(product.id, tx);
      // Positions at their latest NAVs when it holds any; its recorded amount otherwise (money not in funds).
      const held = await this.sales.heldValue(tx, compartment);
      // Against positions, an open declaration holds what its sale has not sold yet (sold parts already left them).
      const reserved = held ? await this.reservedInPositions(tx, compartment.id, open) : reservedOn(compartment.id, open.map(openView));
      checkPartialAmount(
        requested,
        { value: held?.value ?? compartment.value, currency: compartment.currency, reserved },
        terms ? { minPartialAmount: terms.minPartialAmount, minRemainingBalance: terms.minRemainingBalance } : NO_TERMS,
      );
      const lines = planPartialSale(requested.amount, held?.positions ?? [], named);
      const sales: Draft['sales'] = held ? [{ compartmentId: compartment.id, currency: compartment.currency, sell: lines }] : [];
      return { kind: 'partial', compartment, amount: requested.amount, currency: compartment.currency, earlyRelease, sales, uninvested: held ? [] : [{ compartmentId: compartment.id, by: requested.amount }] };
    });
  }

  /** A declaration of a policy the viewer reaches; 404 when it belongs to another policy or compartment, or is of another kind. */
  async declaration(viewer: Viewer, policyId: string, id: string, expected: { kind?: SurrenderKind | null; compartmentId?: string | null } = {}): Promise<SurrenderDeclaration> {
    const policy = await this.policies.policy(viewer, policyId);
    const row = await this.store.byId(id);
    const compartmentId = expected.compartmentId ?? null;
    const kind = compartmentId !== null ? 'partial' : (expected.kind ?? null);
    if (!row || row.policyId !== policy.id || (kind !== null && row.kind !== kind) || (compartmentId !== null && row.compartmentId !== compartmentId)) {
      throw notFound('surrender_declaration');
    }
    return row;
  }

  /** Every declaration of a policy the viewer reaches, oldest first. */
  async declarations(viewer: Viewer, policyId: string): Promise<SurrenderDeclaration[]> {
    const policy = await this.policies.policy(viewer, policyId);
    return this.store.ofPolicy(policy.id);
  }

  history(declarationIds: readonly string[]): Promise<SurrenderEvent[]> {
    return this.store.events(declarationIds);
  }

  /** The supporting documents a declaration the caller already reached needs (PER early release), each with its status. */
  requiredDocuments(declaration: SurrenderDeclaration): Promise<RequiredDocumentState[]> {
    return this.earlyReleaseFile.checklist(this.db, declaration);
  }

  /**
   * The steps both kinds share, in one transaction: object-level access to the policy and the
   * compartment (404), the policy locked so declarations of one policy queue up, its state and open
   * declarations (409), the kind's own rules, the payout IBAN, the accepted beneficiaries' consents
   * (409), then the declaration with its history, audit entry and notification. A PER early release
   * waits for its supporting documents: no payment deadline until the file is complete.
   */
  private async declare(
    { viewer, requestId }: Acting,
    policyId: string,
    compartmentId: string | null,
    input: TotalSurrenderInput,
    rules: (tx: Queryable, policy: OwnedPolicy, product: Product, open: SurrenderDeclaration[], compartment: Compartment | null) => Promise<Draft>,
  ): Promise<SurrenderDeclaration | DeclaredSurrender> {
    // Two concurrent total declarations: the store's unique index lets one through; the other gets the rule's answer (409).
    const { row, orderIds } = await this.db.transaction(async (tx) => {
      // Locked as it is read: declarations of one policy queue up here.
      const policy = await this.policies.lockedPolicy(viewer, policyId, tx);
      const compartment = compartmentId === null ? null : ((await this.policyStore.compartment(policy.id, compartmentId, tx)) ?? null);
      if (compartmentId !== null && !compartment) throw notFound('compartment');
      // After the lock: a notice of death being recorded lands before this declaration, or after it.
      await this.freeze.assertNotFrozen(tx, policy.id);
      checkPolicySurrenderable(policy.status);
      // Its kind and currency: reference data, from memory.
      const product = (await this.catalogue.known(policy.productId, tx))!;
      const open = await this.store.open(tx, policy.id, OPEN_STATUSES);
      checkNoOpenTotalSurrender(open.map(openView));
      const draft = await rules(tx, policy, product, open, compartment);
      const payout = await this.payoutAccount(tx, policy, input.payoutIbanId ?? null);
      const id = newUuid();
      const consents = await this.acceptedBeneficiaries.relyOnConsents(tx, policy.id, id);
      const now = this.clock.now();
      const requestedAt = requestInstant(input.requestedAt ?? null, policy.issuedAt, now);
      const reason: SurrenderReason = input.reason ?? 'client_request';
      const awaiting = draft.earlyRelease !== null;
      const row: SurrenderDeclaration = {
        id, policyId: policy.id, kind: draft.kind, compartmentId: draft.compartment?.id ?? null, status: awaiting ? 'awaiting_documents' : 'received',
        amount: draft.amount, currency: draft.currency, reason, earlyReleaseCase: draft.earlyRelease,
        payoutIban: maskIban(payout.iban), payoutIbanSource: payout.source, payoutIbanId: payout.ibanId,
        requestedAt, paymentDueBy: awaiting ? null : surrenderPaymentDueBy(requestedAt), declaredBy: viewer.kind, declaredById: viewer.id,
        paidAmount: null, paidAt: null, rejectionReason: null, updatedAt: now, saleStatus: draft.sales.length ? 'pending' : null,
      };
      const requiredDocuments = draft.earlyRelease ? EARLY_RELEASE_DOCUMENTS[draft.earlyRelease].map((d) => d.item) : [];
      const dueBy = row.paymentDueBy?.toISOString() ?? null;
      await this.store.insert(tx, row);
      const declared: SurrenderEvent = { declarationId: row.id, at: now, fromStatus: null, toStatus: row.status, actorKind: viewer.kind, actorId: viewer.id, note: null };
      await this.store.appendEvent(tx, { declarationId: row.id, at: now, from: null, to: row.status, actorKind: viewer.kind, actorId: viewer.id, note: null });
      // The positions are sold by forward pricing from the day we received the declaration, as a switch is.
      const orderIds: string[] = [];
      for (const sale of draft.sales) {
        const order = await this.sales.sell(tx, { policyId: policy.id, compartmentId: sale.compartmentId, currency: sale.currency, tradeDate: parisDate(now), cause: { type: 'surrender_declaration', id: row.id }, sell: sale.sell });
        orderIds.push(order.id);
      }
      // Sales of the euro fund alone executed as they were placed: the declaration may already know its proceeds.
      if (orderIds.length) await this.saleExecuted(tx, row.id);
      // Money not yet in funds leaves at its recorded amount: what was waiting to be invested is invested that much less.
      // Every such compartment went through heldValue in this transaction, which locked it.
      for (const u of draft.uninvested) await this.sales.reduceBuys(tx, u.compartmentId, u.by, { type: 'surrender_declaration', id: row.id }, { locked: true });
      await this.audit.record(tx, {
        actor: viewer, action: `surrender.${row.kind}_declared`, target: { type: 'surrender_declaration', id: row.id }, requestId,
        details: { policyId: policy.id, compartmentId: row.compartmentId, compartmentCode: draft.compartment?.code ?? null, amount: row.amount, currency: row.currency, reason: row.reason, earlyReleaseCase: row.earlyReleaseCase, requestedAt: row.requestedAt.toISOString(), payoutIban: row.payoutIban, status: row.status, dueBy, requiredDocuments, beneficiaryConsents: consents, saleOrders: orderIds },
      });
      await this.events.publish(tx, { type: 'surrender.declared', distributorId: policy.distributorId, resource: declarationResource(row) }, now);
      await this.outbox.enqueue(tx, {
        recipientUserId: policy.userId, channel: 'email', template: 'surrender_declared',
        payload: { declarationId: row.id, policyId: policy.id, kind: row.kind, compartmentCode: draft.compartment?.code ?? null, amount: row.amount, currency: row.currency, payoutIban: row.payoutIban, status: row.status, dueBy, requiredDocuments, declaredBy: viewer.kind },
      }, now);
      return { row: { ...row, history: [declared] }, orderIds };
    });
    // Its history is the one step just written: the answer needs no read of it.
    if (!orderIds.length) return row;
    // The NAVs of the day may already be known: then the sale executes now.
    await this.sales.executeDue(orderIds);
    return (await this.store.byId(row.id))!;
  }

  /**
   * A sale of this declaration's positions executed (called in the order's transaction): once every
   * compartment's sale has, the declaration's amount becomes what they produced, and it may be paid.
   */
  async saleExecuted(tx: Queryable, declarationId: string): Promise<void> {
    const sales = await this.sales.ofDeclarations([declarationId], tx);
    if (!sales.length || sales.some((s) => s.status === 'pending')) return;
    const proceeds = sales.reduce((sum, s) => sum + (s.proceeds ?? 0), 0);
    if (!(await this.store.saleExecuted(tx, declarationId, proceeds, this.clock.now()))) return;
    await this.audit.record(tx, {
      actor: { kind: 'system', id: 'forward-pricing' }, action: 'surrender.sale_executed', target: { type: 'surrender_declaration', id: declarationId }, requestId: null,
      details: { proceeds, orders: sales.map((s) => ({ id: s.id, compartmentId: s.compartmentId, proceeds: s.proceeds })) },
    });
  }

  /**
   * A rejected declaration's sale gave its money back (called in the rejection's transaction, after
   * PositionSales.returnSales): a sale still waiting was cancelled with its orders, and says so; an
   * executed one stays executed (it produced its proceeds, which were bought back into the funds).
   */
  async saleReturned(tx: Queryable, declarationId: string): Promise<void> {
    await this.store.saleCancelled(tx, declarationId, this.clock.now());
  }

  /** What open partial declarations of a compartment still hold of its positions: their sales' unsold part, or their amount when they sell nothing. */
  private async reservedInPositions(tx: Queryable, compartmentId: string, open: readonly SurrenderDeclaration[]): Promise<number> {
    const mine = open.filter((d) => d.kind === 'partial' && d.compartmentId === compartmentId);
    const pending = mine.filter((d) => d.saleStatus === 'pending').map((d) => d.id);
    const unsold = pending.length ? (await this.sales.ofDeclarations(pending, tx)).reduce((sum, s) => sum + s.unsold, 0) : 0;
    return unsold + mine.filter((d) => d.saleStatus === null).reduce((sum, d) => sum + d.amount, 0);
  }

  /** The position sales of declarations (one per compartment holding positions), for reads. */
  salesOf(declarationIds: readonly string[]): Promise<PositionSale[]> {
    return this.sales.ofDeclarations(declarationIds);
  }

  /**
   * The subscriber's confirmed pay-out IBAN named, else their default one (always confirmed). There is
   * no fallback to the debit IBAN: it became a confirmed pay-out IBAN when the policy was issued, and a
   * subscriber without a confirmed IBAN cannot be paid (README, "Pay-out IBANs").
   */
  private async payoutAccount(tx: Queryable, policy: OwnedPolicy, ibanId: string | null): Promise<PayoutAccount> {
    const account = await this.payoutIbans.find(tx, policy.subscriberId, ibanId);
    if (ibanId !== null) {
      // Someone else's IBAN id answers like an unknown one.
      if (!account) throw new AppError('unprocessable_content', 'PAYOUT_IBAN_NOT_FOUND', { field: 'payoutIbanId' });
      if (!account.confirmed) throw new AppError('unprocessable_content', 'PAYOUT_IBAN_NOT_CONFIRMED', { field: 'payoutIbanId' });
    } else if (!account?.confirmed) {
      throw new AppError('unprocessable_content', 'NO_CONFIRMED_PAYOUT_IBAN');
    }
    return { iban: account.iban, source: account.origin === 'subscription_debit' ? 'subscription_debit' : 'registered', ibanId: account.id };
  }
}

const openView = (d: SurrenderDeclaration) => ({ kind: d.kind, compartmentId: d.compartmentId, amount: d.amount });

/**
 * PER: the early-release case (required) and where the money comes from. An assurance-vie pays out on
 * request: an early-release case there is a mistake the caller should hear about (422).
 */
function earlyReleaseFor(product: Product, earlyReleaseCase: string | null | undefined, sources: string[]): PerEarlyReleaseCase | null {
  if (product.kind !== 'per') {
    if (earlyReleaseCase != null) throw new AppError('unprocessable_content', 'EARLY_RELEASE_ONLY_FOR_PER', { field: 'earlyReleaseCase' });
    return null;
  }
  const earlyRelease = perEarlyReleaseCase(earlyReleaseCase);
  checkEarlyReleaseSources(earlyRelease, sources);
  return earlyRelease;
}
