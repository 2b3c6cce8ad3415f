-- Death claims, the beneficiaries found (docs/DEATH-CLAIMS.md): each line of a claim becomes a row of its
-- own, so a person can be identified, searched for, renounce, and have a file of documents and a date
-- the file became complete (which starts the one-month payment clock, L132-23-1).
create table death_claim_beneficiaries (
  id text primary key,
  claim_id text not null references death_claims (id),
  -- Order of the line in its claim (the designation's order, then persons identified from a clause).
  position integer not null,
  rank integer not null check (rank >= 1),
  -- named: a person (named by the designation, or identified from a class clause); class_clause: the clause itself.
  kind text not null check (kind in ('named', 'class_clause')),
  -- The class-clause line a person was identified from; null for the designation's own lines.
  clause_line_id text references death_claim_beneficiaries (id),
  designation_beneficiary_id text,
  first_name text,
  last_name text,
  birth_date date,
  -- How an identified person relates to the insured ("child", "spouse"...), as back-office found it.
  relationship text,
  -- Share of the rank in basis points as designated (named lines); null for a class clause line.
  share_basis_points integer check (share_basis_points is null or share_basis_points between 1 and 10000),
  clause text,
  status text not null check (status in ('found', 'to_identify', 'identified', 'searching', 'renounced')),
  accepted_at date,
  renounced_on date,
  renunciation_reference text,
  -- When every required document of the beneficiary's file was accepted: the payment clock starts here.
  file_completed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (claim_id, position),
  check ((kind = 'class_clause') = (clause is not null)),
  check ((status = 'renounced') = (renounced_on is not null))
);
create index death_claim_beneficiaries_claim on death_claim_beneficiaries (claim_id, position);

-- The search for a beneficiary who cannot be found (L132-8): every step kept, with its date.
create table death_claim_beneficiary_search_steps (
  id text primary key,
  beneficiary_id text not null references death_claim_beneficiaries (id),
  kind text not null check (kind in ('agira_query_sent', 'agira_answered', 'registry_search', 'letter_sent', 'other', 'found', 'not_found')),
  happened_on date not null,
  note text,
  recorded_by_kind text not null,
  recorded_by_id text,
  recorded_at timestamptz not null
);
create index death_claim_beneficiary_search_steps_line on death_claim_beneficiary_search_steps (beneficiary_id, recorded_at);

-- The lines stored as jsonb on each claim move here, in their order, with UUIDv7 ids whose time part is
-- the notice's (so they sort with the ids the service hands out).
insert into death_claim_beneficiaries (id, claim_id, position, rank, kind, designation_beneficiary_id, first_name, last_name, birth_date,
  share_basis_points, clause, status, accepted_at, created_at, updated_at)
select
  encode(set_byte(set_byte(overlay(uuid_send(gen_random_uuid()) placing substring(int8send((extract(epoch from c.notified_at) * 1000)::bigint) from 3) from 1 for 6),
    6, 112 | (get_byte(uuid_send(gen_random_uuid()), 6) & 15)), 8, 128 | (get_byte(uuid_send(gen_random_uuid()), 8) & 63)), 'hex')::uuid::text,
  c.id, l.ordinality::integer, (l.line ->> 'rank')::integer, l.line ->> 'kind', l.line ->> 'beneficiaryId', l.line ->> 'firstName', l.line ->> 'lastName',
  (l.line ->> 'birthDate')::date, (l.line ->> 'shareBasisPoints')::integer, l.line ->> 'clause', l.line ->> 'status', (l.line ->> 'acceptedAt')::date,
  c.notified_at, c.notified_at
from death_claims c cross join lateral jsonb_array_elements(c.beneficiaries) with ordinality as l (line, ordinality);

alter table death_claims drop column beneficiaries;

-- A beneficiary's documents are evidence about their claim line (identity, IBAN proof, the tax form).
alter table evidence_documents drop constraint evidence_documents_kind_check;
alter table evidence_documents add constraint evidence_documents_kind_check
  check (kind in ('iban_proof', 'early_release_proof', 'acceptance_endorsement', 'beneficiary_consent', 'funds_origin_proof', 'death_claim_document'));
