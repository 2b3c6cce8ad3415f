import { tinyPng } from './files';
import { call, type Answer } from './http';
import type { TestServer } from './server';

type Caller = Record<string, string>;

export const payoutIbansPath = (subscriberId: string) => `/v1/pay-out/subscribers/${subscriberId}/ibans`;
export const payoutIbanPath = (subscriberId: string, iban: string, action: string) => `${payoutIbansPath(subscriberId)}/${encodeURIComponent(iban)}/${action}`;

/** The last confirmation code sent (SMS outbox) for this pay-out IBAN, as the subscriber's phone got it. */
export async function lastConfirmationCode(server: TestServer, payoutIbanId: string): Promise<{ to: string; code: string; iban: string; recipient: string | null }> {
  const [row] = await server.db.query<{ payload: { to: string; code: string; iban: string }; recipient_user_id: string | null; channel: string }>(
    "select payload, recipient_user_id, channel from notification_outbox where template = 'payout_iban_confirmation_code' and payload->>'payoutIbanId' = $1 order by id desc limit 1",
    [payoutIbanId],
  );
  if (!row || row.channel !== 'sms') throw new Error(`no confirmation code sent for ${payoutIbanId}`);
  return { to: row.payload.to, code: row.payload.code, iban: row.payload.iban, recipient: row.recipient_user_id };
}

/** Sends a code as `caller`, then confirms the IBAN with it: the subscriber read the code out to them. */
export async function confirmWithCode(server: TestServer, caller: Caller, subscriberId: string, payoutIbanId: string): Promise<Answer> {
  const sent = await call(`${server.url}${payoutIbanPath(subscriberId, payoutIbanId, 'confirmation-code')}`, { method: 'POST', headers: caller });
  if (sent.status !== 202) throw new Error(`confirmation-code: ${sent.status} ${sent.text}`);
  const { code } = await lastConfirmationCode(server, payoutIbanId);
  return call(`${server.url}${payoutIbanPath(subscriberId, payoutIbanId, 'confirm')}`, { method: 'POST', headers: caller, json: { code } });
}

/** Uploads a RIB (a PNG image) as `uploader` for the IBAN: the evidence document, still to be reviewed. */
export async function uploadIbanProof(server: TestServer, uploader: Caller, subscriberId: string, payoutIbanId: string): Promise<Answer> {
  return call(`${server.url}/v1/evidence/subscribers/${subscriberId}/documents`, {
    method: 'POST',
    headers: uploader,
    json: { kind: 'iban_proof', subjectId: payoutIbanId, fileName: 'rib.png', contentType: 'image/png', contentBase64: tinyPng().toString('base64') },
  });
}

/** A RIB proof of the IBAN, uploaded by `uploader` (back-office by default) and accepted by back-office. */
export async function acceptIbanProof(server: TestServer, backoffice: Caller, subscriberId: string, payoutIbanId: string, uploader: Caller = backoffice): Promise<Answer> {
  const uploaded = await uploadIbanProof(server, uploader, subscriberId, payoutIbanId);
  if (uploaded.status !== 201) throw new Error(`iban proof upload: ${uploaded.status} ${uploaded.text}`);
  const reviewed = await call(`${server.url}/v1/evidence/documents/${uploaded.json.id}/review`, { method: 'POST', headers: backoffice, json: { decision: 'accept' } });
  if (reviewed.status !== 200) throw new Error(`iban proof review: ${reviewed.status} ${reviewed.text}`);
  return reviewed;
}

/** Status and default of one pay-out IBAN, as stored. */
export async function payoutIbanState(server: TestServer, id: string): Promise<{ status: string; is_default: boolean }> {
  const [row] = await server.db.query<{ status: string; is_default: boolean }>('select status, is_default from payout_ibans where id = $1', [id]);
  return row;
}
