-- Surrender (rachat): product terms, declarations and their status history.

-- Contractual surrender parameters per product (docs/DOMAIN.md: figures a contract sets are data). No foreign
-- key: products are reference data loaded after the migrations (demo seed, catalogue imports). A product
-- without a row has no contractual minimum; the compartment's value still caps a partial surrender.
create table surrender_terms (
  product_id text primary key,
  -- Smallest partial surrender, in minor units of the product's currency.
  min_partial_amount bigint not null check (min_partial_amount >= 0),
  -- What a partial surrender must leave in the compartment, in minor units.
  min_remaining_balance bigint not null check (min_remaining_balance >= 0)
);
insert into surrender_terms (product_id, min_partial_amount, min_remaining_balance) values
  ('prd_av_demo', 50000, 100000),
  ('prd_per_demo', 30000, 50000);

create table surrender_declarations (
  id text primary key,
  policy_id text not null references policies (id),
  kind text not null check (kind in ('total', 'partial')),
  -- The compartment a partial surrender takes from; none for a total one.
  compartment_id text references compartments (id),
  status text not null check (status in ('received', 'processing', 'paid', 'rejected')),
  -- Partial: the amount requested. Total: the policy's value when requested (indicative).
  amount bigint not null check (amount >= 0),
  currency text not null,
  -- PER: the early-release case (L224-4 CMF); assurance-vie: the subscriber's own words, if any.
  reason text,
  -- Masked only (docs/SECURITY.md 21); the source says where the payment engine reads the full IBAN.
  payout_iban_masked text not null,
  payout_iban_source text not null check (payout_iban_source in ('registered', 'subscription_debit')),
  payout_iban_id text,
  requested_at timestamptz not null,
  -- L132-21: the surrender value is paid within two months of the request.
  due_by timestamptz not null,
  declared_by_kind text not null,
  declared_by_id text,
  paid_amount bigint,
  paid_at timestamptz,
  rejection_reason text,
  updated_at timestamptz not null,
  check ((kind = 'partial') = (compartment_id is not null))
);
create index surrender_declarations_policy on surrender_declarations (policy_id, requested_at, id);
-- Only one total surrender may be open on a policy, even under concurrent declarations.
create unique index surrender_declarations_one_open_total on surrender_declarations (policy_id)
  where kind = 'total' and status in ('received', 'processing');

create table surrender_declaration_events (
  id bigserial primary key,
  declaration_id text not null references surrender_declarations (id),
  at timestamptz not null,
  from_status text,
  to_status text not null,
  actor_kind text not null,
  actor_id text,
  note text
);
create index surrender_declaration_events_declaration on surrender_declaration_events (declaration_id, id);
