import { tinyPdf } from './files';
import { call, type Answer } from './http';
import type { TestServer } from './server';

type Caller = Record<string, string>;

/** Uploads a small PDF as evidence over REST (`item`: the required document or the beneficiary it is about). */
export async function uploadEvidence(
  server: TestServer,
  caller: Caller,
  subscriberId: string,
  input: { kind: string; subjectId: string; item?: string },
): Promise<Answer> {
  const pdf = await tinyPdf(`${input.kind} ${input.item ?? ''}`);
  return call(`${server.url}/v1/evidence/subscribers/${subscriberId}/documents`, {
    method: 'POST',
    headers: caller,
    json: { kind: input.kind, subjectId: input.subjectId, ...(input.item !== undefined ? { item: input.item } : {}), fileName: 'proof.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') },
  });
}

/** Back-office's verdict on a proof, over REST. */
export function reviewEvidence(server: TestServer, backoffice: Caller, id: string, decision: 'accept' | 'refuse', reason?: string): Promise<Answer> {
  return call(`${server.url}/v1/evidence/documents/${id}/review`, { method: 'POST', headers: backoffice, json: { decision, ...(reason ? { reason } : {}) } });
}

/** Uploads a proof and has back-office accept it; returns its id (fails the test on any other answer). */
export async function acceptedEvidence(server: TestServer, uploader: Caller, backoffice: Caller, subscriberId: string, input: { kind: string; subjectId: string; item?: string }): Promise<string> {
  const uploaded = await uploadEvidence(server, uploader, subscriberId, input);
  if (uploaded.status !== 201) throw new Error(`upload answered ${uploaded.status}: ${JSON.stringify(uploaded.json)}`);
  const reviewed = await reviewEvidence(server, backoffice, uploaded.json.id, 'accept');
  if (reviewed.status !== 200) throw new Error(`review answered ${reviewed.status}: ${JSON.stringify(reviewed.json)}`);
  return uploaded.json.id;
}

/**
 * Gives a policy one named beneficiary and records their acceptance (endorsement uploaded by the
 * subscriber, acceptance recorded by back-office): from then on the beneficiary's consent is needed.
 */
export async function acceptedBeneficiary(server: TestServer, subscriber: Caller, backoffice: Caller, subscriberId: string, policyId: string, acceptedAt = '2025-03-01'): Promise<string> {
  const base = `${server.url}/v1/death-settlement/policies/${policyId}`;
  const read = await call(`${base}/beneficiary-designation`, { headers: subscriber });
  const designated = await call(`${base}/beneficiary-designation`, {
    method: 'PUT',
    headers: { ...subscriber, 'if-match': read.headers.get('etag')! },
    json: { beneficiaries: [{ firstName: 'Paul', lastName: 'Martin', birthDate: '2001-06-15', address: { line1: '3 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' }, rank: 1, shareBasisPoints: 10_000 }] },
  });
  if (designated.status !== 200) throw new Error(`designation answered ${designated.status}: ${JSON.stringify(designated.json)}`);
  const beneficiaryId: string = designated.json.beneficiaries[0].id;
  const endorsement = await uploadEvidence(server, subscriber, subscriberId, { kind: 'acceptance_endorsement', subjectId: policyId, item: beneficiaryId });
  const recorded = await call(`${base}/beneficiary-acceptances`, { method: 'POST', headers: backoffice, json: { beneficiaryId: beneficiaryId, acceptedAt: acceptedAt, endorsementId: endorsement.json.id } });
  if (recorded.status !== 201) throw new Error(`acceptance answered ${recorded.status}: ${JSON.stringify(recorded.json)}`);
  return beneficiaryId;
}
