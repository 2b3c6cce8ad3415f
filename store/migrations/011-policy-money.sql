-- The policy money ledger: every sum paid into or out of a policy, one row per movement, written in the
-- same transaction as the act that causes it (issue, surrender payment, withdrawal). Money decisions
-- (what a withdrawal may refund, what was paid out) read it instead of the subscription row alone.
create table policy_money_movements (
  id bigserial primary key,
  policy_id text not null references policies (id),
  -- The compartment the money went into or came from, where there is one.
  compartment_id text references compartments (id),
  -- premium: paid in by the subscriber; entry_fee: kept by the insurer out of a premium;
  -- entry_fee_refund: that fee given back (a withdrawn contract is void); surrender_payout: paid to the
  -- subscriber on a surrender; refund: paid back to the subscriber after a withdrawal.
  kind text not null check (kind in ('premium', 'entry_fee', 'entry_fee_refund', 'surrender_payout', 'refund')),
  -- Integer minor units, signed from the policy's point of view: + into the policy, - out of it.
  amount bigint not null,
  currency text not null,
  -- What caused it: the subscription (issue, withdrawal), a later payment (its collection reference),
  -- a surrender declaration, a refund.
  cause_type text not null check (cause_type in ('subscription', 'payment', 'surrender_declaration', 'refund')),
  cause_id text not null,
  at timestamptz not null,
  check (case when kind in ('premium', 'entry_fee_refund') then amount > 0 else amount < 0 end)
);
create index policy_money_movements_policy on policy_money_movements (policy_id, id);
-- One movement of a kind per cause and compartment: a webhook replayed or a retried request can never
-- pay the same surrender or refund twice.
create unique index policy_money_movements_once on policy_money_movements (policy_id, kind, cause_type, cause_id, coalesce(compartment_id, ''));

create function policy_money_movements_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'policy_money_movements is append-only';
end;
$$;
create trigger policy_money_movements_append_only before update or delete on policy_money_movements
  for each row execute function policy_money_movements_is_append_only();
create trigger policy_money_movements_no_truncate before truncate on policy_money_movements
  for each statement execute function policy_money_movements_is_append_only();

-- Policies issued before the ledger: the initial payment and the fee as issuing computed it then
-- (the compartment received floor(payment x (10000 - fee bp) / 10000)), paid surrenders, refunds.
insert into policy_money_movements (policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at)
select p.id, null, 'premium', s.initial_payment, s.currency, 'subscription', s.id, p.issued_at
  from policies p join subscriptions s on s.id = p.subscription_id;
insert into policy_money_movements (policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at)
select p.id, null, 'entry_fee', -(s.initial_payment - s.initial_payment * (10000 - pr.entry_fee_bp) / 10000), s.currency, 'subscription', s.id, p.issued_at
  from policies p join subscriptions s on s.id = p.subscription_id join products pr on pr.id = p.product_id
 where s.initial_payment - s.initial_payment * (10000 - pr.entry_fee_bp) / 10000 > 0;
insert into policy_money_movements (policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at)
select d.policy_id, d.compartment_id, 'surrender_payout', -d.paid_amount, d.currency, 'surrender_declaration', d.id, d.paid_at
  from surrender_declarations d where d.status = 'paid' and d.paid_amount > 0;
insert into policy_money_movements (policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at)
select p.id, null, 'entry_fee_refund', -f.amount, f.currency, 'subscription', p.subscription_id, r.recorded_at
  from refunds r join policies p on p.subscription_id = r.subscription_id
  join policy_money_movements f on f.policy_id = p.id and f.kind = 'entry_fee';
insert into policy_money_movements (policy_id, compartment_id, kind, amount, currency, cause_type, cause_id, at)
select p.id, null, 'refund', -r.amount, r.currency, 'refund', r.id, r.recorded_at
  from refunds r join policies p on p.subscription_id = r.subscription_id where r.amount > 0;
