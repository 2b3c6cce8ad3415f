-- Death claims (docs/DEATH-CLAIMS.md): the notice of an insured's death, one claim per policy of theirs.

-- A claim exists from the notice on and freezes its policy: the shared check (PolicyFreeze) reads this
-- table, so a policy is frozen exactly when a claim row for it is committed.
create table death_claims (
  id text primary key,
  policy_id text not null unique references policies (id),
  subscriber_id text not null references subscribers (id),
  -- The notice that opened the claims of every policy of the insured at once.
  notice_id text not null,
  status text not null check (status in ('notified')),
  date_of_death date not null,
  source text not null check (source in ('backoffice', 'partner_platform', 'agira', 'family')),
  -- The death certificate: an evidence upload (kind death_certificate) or a document reference.
  certificate_reference text not null,
  -- Value fixed at notice (product rule: the recorded value of each compartment; docs/DEATH-CLAIMS.md).
  value_amount bigint not null check (value_amount >= 0),
  value_currency text not null,
  value_basis text not null check (value_basis in ('recorded_value_at_notice')),
  -- The designation in force at the date of death, as read: version 0 = the product's default clause.
  designation_version integer not null,
  -- Lines found from it, rank by rank: named persons with shares, or a class clause still to identify.
  beneficiaries jsonb not null,
  notified_by_kind text not null,
  notified_by_id text,
  request_id text,
  notified_at timestamptz not null
);
create index death_claims_subscriber on death_claims (subscriber_id);
create index death_claims_notice on death_claims (notice_id);

-- A scheduled premium ends with the insured's life; it never resumes.
alter table premium_schedules drop constraint premium_schedules_status_check;
alter table premium_schedules add constraint premium_schedules_status_check check (status in ('active', 'suspended', 'ended'));

-- A waiting switch is stopped by the notice, with its reason. Open surrender declarations become
-- `rejected` with the reason INSURED_DECEASED (their existing rejection path), not a new status.
alter table switch_requests drop constraint switch_requests_status_check;
alter table switch_requests add constraint switch_requests_status_check check (status in ('requested', 'executed', 'stopped'));
alter table switch_requests add column stopped_reason text;
