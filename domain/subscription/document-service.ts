import { AppError } from '../../errors/app-error';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Db, Queryable } from '../../store/db';
import type { DocumentStore } from '../../store/document-store';
import type { SubscriptionStore } from '../../store/subscription-store';
import type { Viewer } from '../auth/viewer';
import type { AuditTrail } from '../shared/audit-trail';
import type { Clock } from '../shared/clock';
import { maskIban } from '../shared/iban';
import { newUuid } from '../shared/ids';
import { notFound } from '../shared/access';
import { checkUpload, type UploadInput } from '../shared/uploaded-file';
import { generateContractDocuments, type ContractData, type ContractDocumentKind } from './contract-documents';
import type { Acting } from '../shared/acting';
import type { SubscriptionService } from './subscription-service';
import type { Transitions } from './transitions';
import type { ContractDocument } from './signature';

const CONTRACT_KINDS: ContractDocumentKind[] = ['subscription_form', 'key_information', 'general_terms'];
const SUPPORTING_KINDS: Array<SupportingDocumentInput['kind']> = ['identity_proof', 'proof_of_address'];
/** Supporting documents one subscription may hold: a few proofs are needed, not an unbounded store. */
export const MAX_SUPPORTING_DOCUMENTS = 20;
export interface SupportingDocumentInput extends UploadInput {
  kind: 'identity_proof' | 'proof_of_address';
}

/** Contract documents (generated PDFs) and supporting documents (uploaded) of a subscription. */
export class DocumentService {
  constructor(
    private readonly db: Db,
    private readonly subscriptions: SubscriptionService,
    private readonly subscriptionStore: SubscriptionStore,
    private readonly catalogue: CatalogueStore,
    private readonly store: DocumentStore,
    private readonly transitions: Transitions,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Generates (or regenerates, before signing) the three contract documents; the draft becomes documents_ready. */
  async generate({ viewer, requestId }: Acting, subscriptionId: string): Promise<ContractDocument[]> {
    return this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      const data = await this.contractData(subscription.id, tx);
      const generated = await generateContractDocuments(data);
      await this.transitions.apply(tx, subscription, 'generate_documents', { actor: viewer, requestId });
      await this.store.deleteKinds(tx, subscription.id, CONTRACT_KINDS);
      const now = this.clock.now();
      for (const doc of generated) {
        await this.store.insert(tx, {
          id: newUuid(),
          subscriptionId: subscription.id,
          kind: doc.kind,
          title: doc.title,
          fileName: doc.fileName,
          contentType: doc.contentType,
          sizeBytes: doc.bytes.length,
          sha256: doc.sha256,
          createdAt: now,
          content: doc.bytes,
        });
      }
      return this.store.list(subscription.id, tx);
    });
  }

  async list(viewer: Viewer, subscriptionId: string): Promise<ContractDocument[]> {
    await this.subscriptions.subscription(viewer, subscriptionId);
    return this.store.list(subscriptionId);
  }

  async download(viewer: Viewer, subscriptionId: string, documentId: string): Promise<ContractDocument & { content: Buffer }> {
    await this.subscriptions.subscription(viewer, subscriptionId);
    const document = await this.store.content(subscriptionId, documentId);
    if (!document) throw notFound('document');
    return document;
  }

  async upload({ viewer, requestId }: Acting, subscriptionId: string, input: SupportingDocumentInput): Promise<ContractDocument> {
    const file = checkUpload(input);
    return this.db.transaction(async (tx) => {
      const subscription = await this.subscriptions.subscription(viewer, subscriptionId, tx, { forUpdate: true });
      if (!['draft', 'documents_ready', 'signing'].includes(subscription.status)) {
        throw new AppError('conflict', `CANNOT_UPLOAD_IN_STATE_${subscription.status.toUpperCase()}`);
      }
      // Counted under the subscription's row lock: concurrent uploads cannot both take the last place.
      if ((await this.store.countKinds(tx, subscription.id, SUPPORTING_KINDS)) >= MAX_SUPPORTING_DOCUMENTS) {
        throw new AppError('unprocessable_content', 'SUPPORTING_DOCUMENT_LIMIT_REACHED');
      }
      const row: ContractDocument = {
        id: newUuid(),
        subscriptionId: subscription.id,
        kind: input.kind,
        title: input.kind === 'identity_proof' ? 'Identity proof' : 'Proof of address',
        fileName: file.fileName,
        contentType: file.contentType,
        sizeBytes: file.content.length,
        sha256: file.sha256,
        createdAt: this.clock.now(),
      };
      await this.store.insert(tx, { ...row, content: file.content });
      await this.audit.record(tx, { actor: viewer, action: 'document.uploaded', target: { type: 'subscription', id: subscription.id }, requestId, details: { documentId: row.id, kind: row.kind, sizeBytes: row.sizeBytes } });
      return row;
    });
  }

  /** Everything the PDFs print, read in the generating transaction. */
  private async contractData(subscriptionId: string, tx: Queryable): Promise<ContractData> {
    const s = (await this.subscriptionStore.subscription(subscriptionId, tx))!;
    // One after another: a transaction is one connection, which runs one query at a time.
    const subscriber = await this.subscriptionStore.subscriber(s.subscriberId, tx);
    const insuree = await this.subscriptionStore.insuree(s.insureeId, tx);
    const product = await this.catalogue.product(s.productId, tx);
    const funds = await this.catalogue.fundsOf([s.productId], tx);
    const clause = s.standardClauseId ? await this.catalogue.standardClause(s.standardClauseId, tx) : undefined;
    const fundName = (isin: string) => funds.find((f) => f.isin === isin)?.name ?? isin;
    return {
      subscriptionId: s.id,
      productName: product!.name,
      productKind: product!.kind,
      subscriber: {
        civility: subscriber!.civility,
        firstName: subscriber!.firstName,
        lastName: subscriber!.lastName,
        birthDate: subscriber!.birthDate,
        birthPlace: subscriber!.birthPlace,
        nationality: subscriber!.nationality,
        address: subscriber!.address,
        email: subscriber!.email,
        phone: subscriber!.phone,
        taxResidence: subscriber!.taxResidence,
      },
      insuree: { civility: insuree!.civility, firstName: insuree!.firstName, lastName: insuree!.lastName, birthDate: insuree!.birthDate, sameAsSubscriber: insuree!.sameAsSubscriber },
      initialPayment: { amount: s.initialPayment, currency: s.currency },
      scheduledPayment: s.scheduledPayment === null ? null : { amount: s.scheduledPayment, currency: s.currency, frequency: s.scheduledFrequency! },
      allocation: s.allocation.map((l) => ({ fundName: fundName(l.isin), isin: l.isin, basisPoints: l.basisPoints })),
      beneficiaryClause: s.customClause ?? clause?.text ?? '',
      debitIbanMasked: maskIban(s.debitIban),
      fees: { entryFeeBasisPoints: product!.entryFeeBasisPoints, managementFeeBasisPoints: product!.managementFeeBasisPoints },
      generatedAt: this.clock.now(),
    };
  }
}
