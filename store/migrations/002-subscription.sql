-- Subscription journey: catalogue, subscribers, insurees, subscriptions, documents, signatures, policies.

create table products (
  id text primary key,
  kind text not null check (kind in ('assurance_vie', 'per')),
  name text not null,
  currency text not null,
  min_initial_payment bigint not null,
  min_scheduled_payment bigint not null,
  entry_fee_bp integer not null,
  management_fee_bp integer not null,
  min_insuree_age integer not null,
  max_insuree_age integer not null,
  -- Compartments a new policy opens with (C1 for a PER's voluntary payments, MAIN for an assurance-vie).
  initial_compartment text not null
);

create table funds (
  isin text primary key,
  name text not null,
  kind text not null check (kind in ('euro', 'unit_linked')),
  risk_indicator integer not null check (risk_indicator between 1 and 7)
);

create table product_funds (
  product_id text not null references products (id),
  isin text not null references funds (isin),
  primary key (product_id, isin)
);

create table standard_clauses (
  id text primary key,
  title text not null,
  text text not null
);

create table subscribers (
  id text primary key,
  -- The login of the subscriber themself, when they have one; a login has at most one profile.
  user_id text unique references users (id),
  distributor_id text references distributors (id),
  civility text not null,
  first_name text not null,
  last_name text not null,
  birth_date date not null,
  birth_place text not null,
  nationality text not null,
  address jsonb not null,
  email text not null,
  phone text not null,
  tax_residence text not null,
  created_by text not null,
  created_at timestamptz not null
);
create index subscribers_distributor on subscribers (distributor_id);

create table insurees (
  id text primary key,
  subscriber_id text not null references subscribers (id),
  same_as_subscriber boolean not null,
  civility text not null,
  first_name text not null,
  last_name text not null,
  birth_date date not null,
  birth_place text not null,
  created_at timestamptz not null
);
create index insurees_subscriber on insurees (subscriber_id);

create table subscriptions (
  id text primary key,
  subscriber_id text not null references subscribers (id),
  insuree_id text not null references insurees (id),
  product_id text not null references products (id),
  status text not null check (status in ('draft', 'documents_ready', 'signing', 'signed', 'withdrawn', 'cancelled')),
  currency text not null,
  initial_payment bigint not null,
  scheduled_payment bigint,
  scheduled_frequency text check (scheduled_frequency in ('monthly', 'quarterly', 'annual')),
  allocation jsonb not null,
  standard_clause_id text references standard_clauses (id),
  custom_clause text,
  debit_iban text not null,
  debit_holder text not null,
  signed_at timestamptz,
  withdrawal_deadline timestamptz,
  withdrawn_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index subscriptions_subscriber on subscriptions (subscriber_id);

create table subscription_history (
  id bigserial primary key,
  subscription_id text not null references subscriptions (id),
  at timestamptz not null,
  from_status text,
  to_status text not null,
  actor_kind text not null,
  actor_id text,
  note text
);
create index subscription_history_subscription on subscription_history (subscription_id, id);

create table documents (
  id text primary key,
  subscription_id text not null references subscriptions (id),
  kind text not null,
  title text not null,
  file_name text not null,
  content_type text not null,
  size_bytes integer not null,
  sha256 text not null,
  content bytea not null,
  created_at timestamptz not null
);
create index documents_subscription on documents (subscription_id);

create table signatures (
  id text primary key,
  subscription_id text not null references subscriptions (id),
  method text not null check (method in ('esign', 'otp')),
  status text not null check (status in ('pending', 'completed', 'declined', 'expired')),
  -- Where the signer signs (e-signature); the provider's reference is our signature id.
  signing_url text,
  otp_hash text,
  otp_expires_at timestamptz,
  otp_attempts integer not null default 0,
  created_at timestamptz not null,
  completed_at timestamptz
);
create index signatures_subscription on signatures (subscription_id);

create table policies (
  id text primary key,
  subscription_id text not null unique references subscriptions (id),
  subscriber_id text not null references subscribers (id),
  product_id text not null references products (id),
  status text not null,
  issued_at timestamptz not null
);

create table compartments (
  id text primary key,
  policy_id text not null references policies (id),
  code text not null,
  status text not null,
  value bigint not null,
  currency text not null,
  created_at timestamptz not null,
  unique (policy_id, code)
);

create table refunds (
  id text primary key,
  subscription_id text not null references subscriptions (id),
  amount bigint not null,
  currency text not null,
  recorded_at timestamptz not null,
  due_by timestamptz not null
);
