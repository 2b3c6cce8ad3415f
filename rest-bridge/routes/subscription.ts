import { UPLOAD_CONTENT_TYPES } from '../../domain/shared/uploaded-file';
import type { Route } from '../route';

export const SUBSCRIPTION_ROUTES: Route[] = [
  { method: 'GET', path: '/v1/subscription/products', operation: 'ListProducts', auth: 'required', status: 200, tag: 'subscription', summary: 'The product catalogue with funds and minimums' },
  { method: 'GET', path: '/v1/subscription/standard-clauses', operation: 'ListStandardClauses', auth: 'required', status: 200, tag: 'subscription', summary: 'Published standard beneficiary clauses' },
  { method: 'POST', path: '/v1/subscription/subscribers', operation: 'CreateSubscriber', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'subscription', summary: "Create a subscriber (a subscriber login: its own profile, once)" },
  { method: 'GET', path: '/v1/subscription/subscribers/{subscriberId}', operation: 'GetSubscriber', auth: 'required', status: 200, tag: 'subscription', summary: 'A subscriber' },
  { method: 'POST', path: '/v1/subscription/insurees', operation: 'CreateInsuree', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'subscription', summary: 'Create the insured person of a subscriber' },
  { method: 'POST', path: '/v1/subscription/subscribers/{subscriberId}/subscriptions', operation: 'CreateSubscription', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', tag: 'subscription', summary: 'Create a draft subscription' },
  { method: 'GET', path: '/v1/subscription/subscriptions/{subscriptionId}', operation: 'GetSubscription', auth: 'required', status: 200, tag: 'subscription', summary: 'A subscription: status, every field, history' },
  { method: 'POST', path: '/v1/subscription/subscriptions/{subscriptionId}/documents', operation: 'GenerateContractDocuments', auth: 'required', status: 201, tag: 'subscription', summary: 'Generate the contract documents (PDF): subscription form, key information, general terms' },
  { method: 'GET', path: '/v1/subscription/subscriptions/{subscriptionId}/documents', operation: 'ListSubscriptionDocuments', auth: 'required', status: 200, tag: 'subscription', summary: 'Contract and supporting documents' },
  { method: 'GET', path: '/v1/subscription/subscriptions/{subscriptionId}/documents/{documentId}/download', operation: 'DownloadSubscriptionDocument', auth: 'required', status: 200, file: { contentTypes: UPLOAD_CONTENT_TYPES }, tag: 'subscription', summary: 'Download a document (application/pdf, image/jpeg or image/png)' },
  { method: 'POST', path: '/v1/subscription/subscriptions/{subscriptionId}/supporting-documents', operation: 'UploadSupportingDocument', auth: 'required', status: 201, body: ['json'], bodyVariable: 'input', maxBodyBytes: 8 * 1024 * 1024, tag: 'subscription', summary: 'Upload a supporting document (identity proof), base64, at most 5 MiB' },
  { method: 'POST', path: '/v1/subscription/subscriptions/{subscriptionId}/signing', operation: 'RequestSignature', auth: 'required', status: 201, body: ['json'], rateLimited: true, tag: 'subscription', summary: 'Request the signature: method esign (signing page) or otp (code by SMS)' },
  { method: 'GET', path: '/v1/subscription/subscriptions/{subscriptionId}/signing', operation: 'GetSignature', auth: 'required', status: 200, tag: 'subscription', summary: 'The signature status' },
  { method: 'POST', path: '/v1/subscription/subscriptions/{subscriptionId}/signing/otp', operation: 'ConfirmSignatureOtp', auth: 'required', status: 200, body: ['json'], tag: 'subscription', summary: 'Confirm the one-time code: the policy is issued' },
  { method: 'POST', path: '/v1/subscription/subscriptions/{subscriptionId}/withdraw', operation: 'WithdrawSubscription', auth: 'required', status: 200, body: ['json'], tag: 'subscription', summary: 'Withdraw within 30 calendar days of signature: the subscriber, or back-office with letterReceivedOn; all sums paid are refunded' },
];
