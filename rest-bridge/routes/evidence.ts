import { UPLOAD_CONTENT_TYPES } from '../../domain/shared/uploaded-file';
import type { Route } from '../route';

export const EVIDENCE_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/evidence/subscribers/{subscriberId}/documents',
    operation: 'UploadEvidence',
    auth: 'required',
    status: 201,
    body: ['json'],
    bodyVariable: 'input',
    maxBodyBytes: 8 * 1024 * 1024,
    tag: 'evidence',
    summary: 'Upload a proof (kind, subjectId, fileName, contentType, contentBase64: PDF, JPEG or PNG, at most 5 MiB); it waits for review',
  },
  { method: 'GET', path: '/v1/evidence/subscribers/{subscriberId}/documents', operation: 'ListEvidence', auth: 'required', status: 200, tag: 'evidence', summary: "A subscriber's proofs, oldest first: ?kind=, subjectId=; { documents }" },
  { method: 'GET', path: '/v1/evidence/documents/{documentId}', operation: 'GetEvidence', auth: 'required', status: 200, tag: 'evidence', summary: 'One proof and its review' },
  { method: 'GET', path: '/v1/evidence/documents/{documentId}/download', operation: 'DownloadEvidence', auth: 'required', status: 200, file: { contentTypes: UPLOAD_CONTENT_TYPES }, tag: 'evidence', summary: "Download a proof's file" },
  {
    method: 'POST',
    path: '/v1/evidence/documents/{documentId}/review',
    operation: 'ReviewEvidence',
    auth: 'required',
    status: 200,
    body: ['json'],
    bodyVariable: 'input',
    tag: 'evidence',
    summary: 'Back-office accepts or refuses a proof: { decision: accept | refuse, reason } (a refusal needs a reason; 409 once reviewed)',
  },
];
