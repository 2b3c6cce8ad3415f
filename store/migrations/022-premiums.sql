-- Premiums paid in after the initial payment (docs/DOMAIN.md, "Premiums and payers"): who pays (payers and
-- their personal IBANs), the product terms a premium must meet, and single-premium requests.

-- Whoever pays a subscriber's premiums: the subscriber themself, a relative, a company. Anyone but the
-- subscriber is identified for anti-money-laundering checks (name, birth date for a person, relationship).
create table payers (
  id text primary key,
  subscriber_id text not null references subscribers (id),
  relationship text not null check (relationship in ('self', 'spouse_or_partner', 'parent', 'grandparent', 'child', 'other_relative', 'company', 'other')),
  -- A person: first and last name and birth date; a company: its name. `self` copies the subscriber's.
  first_name text,
  last_name text,
  birth_date date,
  company_name text,
  created_by_kind text not null,
  created_by_id text,
  created_at timestamptz not null,
  -- Creation order, also within one clock tick.
  seq bigserial not null,
  check ((relationship = 'company') = (company_name is not null)),
  check (relationship = 'company' or (first_name is not null and last_name is not null and birth_date is not null))
);
create index payers_subscriber on payers (subscriber_id, seq);
-- The subscriber pays as one payer only.
create unique index payers_one_self on payers (subscriber_id) where relationship = 'self';

-- A payer's personal IBANs, one of them the default a premium is debited from unless another is named.
create table payer_ibans (
  id text primary key,
  payer_id text not null references payers (id),
  -- Electronic format, checked like a pay-out IBAN (ISO 13616, SEPA scope).
  iban text not null,
  holder_name text not null,
  country text not null,
  is_default boolean not null,
  created_by_kind text not null,
  created_by_id text,
  created_at timestamptz not null,
  seq bigserial not null,
  unique (payer_id, iban)
);
-- At most one default per payer, whatever concurrent writers do; the service also serialises a payer's writes.
create unique index payer_ibans_one_default on payer_ibans (payer_id) where is_default;

-- Contractual premium figures per product (docs/DOMAIN.md: figures a contract sets are data), like
-- surrender_terms: no foreign key, products are reference data loaded after the migrations. A product
-- without a row takes no single premium.
create table premium_terms (
  product_id text primary key,
  -- Smallest single premium, in minor units of the product's currency.
  min_single_premium bigint not null check (min_single_premium > 0),
  -- Above this amount (minor units), a premium waits for an accepted proof of the origin of funds.
  funds_origin_proof_threshold bigint not null check (funds_origin_proof_threshold > 0)
);
insert into premium_terms (product_id, min_single_premium, funds_origin_proof_threshold) values
  ('00000000-0000-7000-8000-000000000801', 50000, 15000000),
  ('00000000-0000-7000-8000-000000000802', 30000, 15000000);

create table single_premium_requests (
  id text primary key,
  policy_id text not null references policies (id),
  payer_id text not null references payers (id),
  method text not null check (method in ('sepa_direct_debit')),
  amount bigint not null check (amount > 0),
  currency text not null,
  -- The IBAN debited (electronic format), copied: the payer may delete it from their list afterwards.
  iban text not null,
  holder_name text not null,
  -- [{compartmentId, isin, basisPoints}], adding up to 10000.
  allocation jsonb not null,
  status text not null check (status in ('awaiting_funds_origin_proof', 'pending_collection', 'collected', 'cancelled')),
  funds_origin_proof_required boolean not null,
  created_by_kind text not null,
  created_by_id text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  cancelled_at timestamptz,
  collected_at timestamptz
);
create index single_premium_requests_policy on single_premium_requests (policy_id, created_at);
create index single_premium_requests_payer on single_premium_requests (payer_id);

-- A proof of the origin of funds is evidence about a single-premium request.
alter table evidence_documents drop constraint evidence_documents_kind_check;
alter table evidence_documents add constraint evidence_documents_kind_check
  check (kind in ('iban_proof', 'early_release_proof', 'acceptance_endorsement', 'beneficiary_consent', 'funds_origin_proof'));
