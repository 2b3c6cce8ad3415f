-- Death settlement: the beneficiary designation (clause bénéficiaire) of each policy, and its history.

-- The current designation of a policy. A policy without a row has the product's default standard clause
-- at version 0; the row appears (at version 0) in the transaction of the first change. `version` is the
-- optimistic-concurrency token (the REST ETag): a change is `update ... where version = <expected>`.
create table beneficiary_designations (
  policy_id text primary key references policies (id),
  version integer not null check (version >= 0),
  kind text not null check (kind in ('standard', 'custom')),
  standard_clause_id text references standard_clauses (id),
  -- Named beneficiaries of a custom clause: id, names, birth date, address, rank, share, acceptance date.
  beneficiaries jsonb not null default '[]'::jsonb,
  -- Null while the policy still has the product's default.
  updated_at timestamptz,
  check ((kind = 'standard') = (standard_clause_id is not null))
);

-- Every designation a policy ever had from version 1 on, with who made it and the consents it relied on:
-- what the clause said on any date is evidence at the insured's death, so rows are never changed.
create table beneficiary_designation_versions (
  policy_id text not null references policies (id),
  version integer not null check (version >= 1),
  kind text not null check (kind in ('standard', 'custom')),
  standard_clause_id text references standard_clauses (id),
  beneficiaries jsonb not null,
  -- Consents of accepted beneficiaries this change removed or altered: [{beneficiaryId, consentedAt}].
  consents jsonb not null,
  actor_kind text not null,
  actor_id text,
  request_id text,
  created_at timestamptz not null,
  primary key (policy_id, version)
);

create function beneficiary_designation_versions_are_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'beneficiary_designation_versions is append-only';
end;
$$;
create trigger beneficiary_designation_versions_append_only before update or delete on beneficiary_designation_versions
  for each row execute function beneficiary_designation_versions_are_append_only();
