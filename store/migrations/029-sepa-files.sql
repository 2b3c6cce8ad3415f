-- SEPA files (docs/DOMAIN.md, "Premiums and payers"): the direct-debit mandates premiums are collected
-- under, and the batches (pain.008 collections, pain.001 pay-outs) back-office closes and sends to the bank.

-- A submitted entry is in a closed batch the bank has (or will have) received: no cancelling any more.
alter table single_premium_requests drop constraint single_premium_requests_status_check;
alter table single_premium_requests add constraint single_premium_requests_status_check
  check (status in ('awaiting_funds_origin_proof', 'pending_collection', 'submitted', 'collected', 'rejected', 'cancelled'));
alter table scheduled_premium_collections drop constraint scheduled_premium_collections_status_check;
alter table scheduled_premium_collections add constraint scheduled_premium_collections_status_check
  check (status in ('pending_collection', 'submitted', 'collected', 'rejected'));

-- Calendar days between the pre-notification and the collection (SEPA Core: 14 unless the contract says
-- fewer). Products without premium terms take 14.
alter table premium_terms add column pre_notification_days integer not null default 14 check (pre_notification_days between 1 and 14);

-- One SEPA Core mandate per payer and IBAN, created when the IBAN is first debited.
create table sepa_mandates (
  id text primary key,
  payer_id text not null references payers (id),
  -- Unique mandate reference: at most 35 characters of the SEPA set.
  reference text not null unique check (length(reference) between 1 and 35),
  -- Electronic format.
  iban text not null,
  debtor_name text not null,
  -- The creditor identifier (ICS) the mandate was given to.
  creditor_id text not null,
  signature_date date not null,
  -- The first collection under a mandate is FRST, the following ones RCUR.
  first_collection_entry_id text,
  created_at timestamptz not null,
  seq bigserial not null,
  unique (payer_id, iban)
);

create table sepa_batches (
  id text primary key,
  -- pain.008 (direct debits) or pain.001 (credit transfers).
  kind text not null check (kind in ('collection', 'payout')),
  -- Requested collection date (pain.008) or execution date (pain.001).
  requested_date date not null,
  status text not null check (status in ('open', 'closed')),
  -- ISO 20022 message id, at most 35 characters.
  message_id text not null unique,
  -- Set when closed: what the group header carries.
  entry_count integer,
  control_sum bigint,
  created_at timestamptz not null,
  closed_at timestamptz,
  closed_by_kind text,
  closed_by_id text,
  seq bigserial not null
);
-- One open batch per kind and date, whatever the number of concurrent runs.
create unique index sepa_batches_one_open on sepa_batches (kind, requested_date) where status = 'open';

create table sepa_batch_entries (
  id text primary key,
  batch_id text not null references sepa_batches (id),
  -- What the entry pays or collects: single_premium_request, scheduled_premium_collection,
  -- surrender_declaration or withdrawal_refund.
  source_kind text not null check (source_kind in ('single_premium_request', 'scheduled_premium_collection', 'surrender_declaration', 'withdrawal_refund')),
  source_id text not null,
  policy_id text,
  amount bigint not null check (amount > 0),
  currency text not null,
  -- The other party's account (debtor for a collection, creditor for a pay-out), electronic format.
  iban text not null,
  party_name text not null,
  -- Collections only.
  mandate_id text references sepa_mandates (id),
  sequence_type text check (sequence_type in ('FRST', 'RCUR')),
  end_to_end_id text not null,
  remittance text not null,
  created_at timestamptz not null,
  seq bigserial not null,
  -- Each entry is in exactly one batch, even with concurrent runs.
  unique (source_kind, source_id),
  check ((mandate_id is null) = (sequence_type is null))
);
create index sepa_batch_entries_batch on sepa_batch_entries (batch_id, seq);
