/**
 * The bare peer of the surrender write scenario (issue 15 item 3): what our service sends PostgreSQL for
 * POST /v1/partial-surrender/policies/{policy}/compartments/{compartment}/declarations with an
 * Idempotency-Key, statement for statement (SURRENDER_STATEMENTS, in order), in one transaction, from
 * a plain handler: no framework, no GraphQL, no savepoints; and, once committed, the same one NOTIFY
 * waking the outbox's lanes (store/wake-ups.ts). test/rest/surrender-write-statements.test.ts checks that
 * our service sends exactly these statements, so the two cannot drift apart.
 *
 * The rules are the ones that decide this request (the caller's policy, an active compartment, the
 * amount within what open declarations leave), written inline; anything else answers 422.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newEventId } from '../domain/shared/ids';
import { maskIban } from '../domain/shared/iban';
import { surrenderPaymentDueBy } from '../domain/surrender/payment-deadline';
import { declarationResource } from '../domain/surrender/surrender-declaration';
import type { Db, Queryable } from '../store/db';
import { POLICY_LOCK_SQL } from '../store/policy-store';
import { wakeAfterCommit } from '../store/wake-ups';

const DECLARATION_COLUMNS =
  'id, policy_id, kind, compartment_id, status, amount, currency, reason, payout_iban_masked, payout_iban_source, payout_iban_id, requested_at, due_by, declared_by_kind, declared_by_id, paid_amount, paid_at, rejection_reason, updated_at, early_release_case, sale_status';
const OPEN = ['awaiting_documents', 'received', 'processing'];

/** The statements of one declaration, in the order our service sends them. */
export const SURRENDER_STATEMENTS = {
  claim: `with lock as materialized (select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as held), claimed as ( insert into idempotency_keys (scope, key, fingerprint, state, created_at, expires_at) select $2::text, $3::text, $4::text, 'running', $5::timestamptz, $6::timestamptz from lock where held on conflict (scope, key) do update set fingerprint = excluded.fingerprint, state = 'running', response_status = null, response_headers = null, response_body = null, created_at = excluded.created_at, expires_at = excluded.expires_at where idempotency_keys.expires_at <= excluded.created_at returning key) select (select held from lock) as held, exists (select 1 from claimed) as claimed`,
  policy: POLICY_LOCK_SQL,
  compartment: 'select id, policy_id, code, status, value, currency, created_at from compartments where id = $1 and policy_id = $2',
  frozen: 'select 1 from death_claims where policy_id = $1',
  open: `select ${DECLARATION_COLUMNS} from surrender_declarations where policy_id = $1 and status = any($2::text[]) order by requested_at, id`,
  terms: 'select min_partial_amount, min_remaining_balance from surrender_terms where product_id = $1',
  lockCompartment: 'select status from compartments where id = $1 for update',
  positions: 'select compartment_id, isin, effective_on::text as effective_on, shares_value, shares_scale, amount, cause_type, cause_id, at from position_movements where compartment_id = any($1::text[]) order by compartment_id, effective_on, id',
  payoutIbans:
    'select id, subscriber_id, iban, holder_name, country, is_default, status, origin, registered_by_kind, registered_by_id, subscriber_confirmed_at, proof_accepted_at, holder_matches, holder_approved_at, refusal_reason, otp_hash, otp_expires_at, otp_attempts, otp_sends, created_at, updated_at from payout_ibans where subscriber_id = any($1::text[]) order by subscriber_id, seq',
  designation: 'select policy_id, version, kind, standard_clause_id, beneficiaries, updated_at from beneficiary_designations where policy_id = $1 for update',
  insert: `insert into surrender_declarations (${DECLARATION_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
  event: 'insert into surrender_declaration_events (declaration_id, at, from_status, to_status, actor_kind, actor_id, note) values ($1, $2, $3, $4, $5, $6, $7)',
  pendingBuys: `select id, policy_id, compartment_id, direction, status, trade_date::text as trade_date, currency, amount, lines, cause_type, cause_id, created_at, executed_at, execution, proceeds, cancelled_reason from position_orders where compartment_id = any($1::text[]) and status = 'pending' order by created_at, id`,
  audit: 'insert into audit_log (at, actor_kind, actor_id, action, target_type, target_id, request_id, details) values ($1, $2, $3, $4, $5, $6, $7, $8)',
  outboundEvent: 'insert into outbound_events (id, type, created_at, distributor_id, resource) values ($1, $2, $3, $4, $5)',
  endpoints: `select id from webhook_endpoints where status = 'enabled' and (distributor_id is null or distributor_id = $1) and (event_types is null or $2 = any(event_types)) order by id`,
  notification: 'insert into notification_outbox (created_at, next_attempt_at, recipient_user_id, channel, template, payload) values ($1, $1, $2, $3, $4, $5)',
  complete: `update idempotency_keys set state = 'done', response_status = $3, response_headers = $4, response_body = $5 where scope = $1 and key = $2`,
} as const;

const S = SURRENDER_STATEMENTS;
const PATH = /^\/v1\/partial-surrender\/policies\/([0-9a-f-]{36})\/compartments\/([0-9a-f-]{36})\/declarations$/;

/** Whose request it is: the user of the verified token (bench/peers.ts verifies it). */
export interface BareCaller {
  userId: string;
  kind: string;
}

class Refusal {
  constructor(readonly status: number, readonly reason: string) {}
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Whether this is the declaration route (the caller then owns the response). */
export function isSurrenderDeclaration(req: IncomingMessage): boolean {
  return req.method === 'POST' && PATH.test(req.url ?? '');
}

/** Answers one declaration: 201 and the declaration, or 404/409/422 with the reason. */
export async function declareSurrender(db: Db, caller: BareCaller, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const [, policyId, compartmentId] = PATH.exec(req.url ?? '')!;
  const key = String(req.headers['idempotency-key'] ?? '');
  const input = JSON.parse(raw.toString()) as { amount: { value: number; scale: number; currency: string } };
  const amount = input.amount.value * 10 ** (2 - input.amount.scale);
  const scope = `${caller.kind}:${caller.userId}`;
  const fingerprint = createHash('sha256').update('POST').update('\0').update(req.url ?? '').update('\0').update(raw).digest('base64url');
  try {
    const body = await db.transaction(async (tx) => {
      const now = new Date();
      const [claim] = await tx.query<{ held: boolean; claimed: boolean }>(S.claim, [`idempotency ${scope} ${key}`, scope, key, fingerprint, now, new Date(now.getTime() + 86_400_000)]);
      if (!claim.held || !claim.claimed) throw new Refusal(409, 'IDEMPOTENT_REQUEST_IN_PROGRESS');
      const body = await declare(tx, caller, policyId, compartmentId, amount, input.amount.currency, now);
      await tx.query(S.complete, [scope, key, 201, JSON.stringify({ 'content-type': 'application/json; charset=utf-8' }), body]);
      return body;
    });
    answer(res, 201, body);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    answer(res, error.status, JSON.stringify({ errors: [{ code: 'refused', message: error.reason }] }));
  }
}

/** Products from memory, as our service keeps its catalogue (read once per product here). */
const products = new Map<string, { kind: string }>();
async function productOf(tx: Queryable, id: string): Promise<{ kind: string }> {
  let product = products.get(id);
  if (!product) products.set(id, (product = (await tx.query<{ kind: string }>('select kind from products where id = $1', [id]))[0]));
  return product;
}

async function declare(tx: Queryable, caller: BareCaller, policyId: string, compartmentId: string, amount: number, currency: string, now: Date): Promise<string> {
  const [policy] = await tx.query<{ subscriber_id: string; product_id: string; status: string; user_id: string; distributor_id: string | null }>(S.policy, [policyId]);
  if (!policy || policy.user_id !== caller.userId) throw new Refusal(404, 'POLICY_NOT_FOUND');
  const [compartment] = await tx.query<{ code: string; status: string; value: number; currency: string }>(S.compartment, [compartmentId, policyId]);
  if (!compartment) throw new Refusal(404, 'COMPARTMENT_NOT_FOUND');
  if ((await tx.query(S.frozen, [policyId])).length) throw new Refusal(409, 'POLICY_FROZEN');
  if (policy.status !== 'active') throw new Refusal(409, 'CANNOT_SURRENDER');
  const product = await productOf(tx, policy.product_id);
  const open = await tx.query<{ kind: string; compartment_id: string | null; amount: number }>(S.open, [policyId, OPEN]);
  if (open.some((d) => d.kind === 'total')) throw new Refusal(409, 'TOTAL_SURRENDER_ALREADY_OPEN');
  if (compartment.status !== 'active' || product.kind === 'per') throw new Refusal(409, 'CANNOT_SURRENDER_FROM_COMPARTMENT');
  const [terms] = await tx.query<{ min_partial_amount: number; min_remaining_balance: number }>(S.terms, [policy.product_id]);
  await tx.query(S.lockCompartment, [compartmentId]);
  if ((await tx.query(S.positions, [[compartmentId]])).length) throw new Refusal(422, 'HOLDS_POSITIONS');
  const reserved = open.filter((d) => d.kind === 'partial' && d.compartment_id === compartmentId).reduce((sum, d) => sum + Number(d.amount), 0);
  const available = Number(compartment.value) - reserved;
  if (currency !== compartment.currency || amount < (terms?.min_partial_amount ?? 0) || amount > available || available - amount < (terms?.min_remaining_balance ?? 0)) {
    throw new Refusal(422, 'PARTIAL_SURRENDER_REFUSED');
  }
  const ibans = await tx.query<{ id: string; iban: string; is_default: boolean; status: string; origin: string }>(S.payoutIbans, [[policy.subscriber_id]]);
  const iban = ibans.find((i) => i.is_default && i.status === 'confirmed');
  if (!iban) throw new Refusal(422, 'NO_CONFIRMED_PAYOUT_IBAN');
  await tx.query(S.designation, [policyId]);

  const id = randomUUID();
  const dueBy = surrenderPaymentDueBy(now);
  const declaration = {
    id, policyId, kind: 'partial' as const, compartmentId, status: 'received', amount, currency, reason: 'client_request', payoutIban: maskIban(iban.iban),
    payoutIbanSource: iban.origin === 'subscription_debit' ? 'subscription_debit' : 'registered', payoutIbanId: iban.id, requestedAt: now, paymentDueBy: dueBy,
    declaredBy: caller.kind, declaredById: caller.userId,
  };
  const d = declaration;
  await tx.query(S.insert, [d.id, d.policyId, d.kind, d.compartmentId, d.status, d.amount, d.currency, d.reason, d.payoutIban, d.payoutIbanSource, d.payoutIbanId, d.requestedAt, d.paymentDueBy, d.declaredBy, d.declaredById, null, null, null, now, null, null]);
  await tx.query(S.event, [id, now, null, 'received', caller.kind, caller.userId, null]);
  await tx.query(S.pendingBuys, [[compartmentId]]);
  await tx.query(S.audit, [now, caller.kind, caller.userId, 'surrender.partial_declared', 'surrender_declaration', id, null, JSON.stringify({ policyId, compartmentId, compartmentCode: compartment.code, amount, currency, reason: d.reason, requestedAt: now.toISOString(), payoutIban: d.payoutIban, status: d.status, dueBy: dueBy.toISOString(), requiredDocuments: [], beneficiaryConsents: [], saleOrders: [] })]);
  await tx.query(S.outboundEvent, [newEventId(now), 'surrender.declared', now, policy.distributor_id, JSON.stringify(declarationResource(d))]);
  await tx.query(S.endpoints, [policy.distributor_id, 'surrender.declared']);
  await wakeAfterCommit(tx, 'outbox', 'webhook');
  await tx.query(S.notification, [now, policy.user_id, 'email', 'surrender_declared', JSON.stringify({ declarationId: id, policyId, kind: 'partial', compartmentCode: compartment.code, amount, currency, payoutIban: d.payoutIban, status: d.status, dueBy: dueBy.toISOString(), requiredDocuments: [], declaredBy: caller.kind })]);
  await wakeAfterCommit(tx, 'outbox', 'email');
  const history = [{ declarationId: id, at: now, fromStatus: null, toStatus: 'received', actorKind: caller.kind, actorId: caller.userId, note: null }];
  return JSON.stringify({ ...declaration, amount: { amount, currency }, history });
}
