-- Proofs before money: a PER early release waits for its supporting documents, and an accepted
-- beneficiary (L132-9 Code des assurances) is recorded from a signed endorsement and blocks what needs
-- their consent.

-- A PER early release (L224-4 CMF) is `awaiting_documents` until back-office has accepted every
-- supporting document its case needs; only then is it `received` and sent for payment.
alter table surrender_declarations drop constraint surrender_declarations_status_check;
alter table surrender_declarations add constraint surrender_declarations_status_check
  check (status in ('awaiting_documents', 'received', 'processing', 'paid', 'rejected'));
-- The early-release case of a PER declaration (null for an assurance-vie): it says which documents are due.
alter table surrender_declarations add column early_release_case text;
update surrender_declarations d set early_release_case = d.reason
  from policies p join products pr on pr.id = p.product_id
  where p.id = d.policy_id and pr.kind = 'per';
-- L132-21 runs from the complete file: no deadline while documents are awaited.
alter table surrender_declarations alter column due_by drop not null;
alter table surrender_declarations add constraint surrender_declarations_due_by_once_complete
  check ((status = 'awaiting_documents') = (due_by is null));
-- A declaration awaiting its documents still holds the policy: one open total surrender per policy.
drop index surrender_declarations_one_open_total;
create unique index surrender_declarations_one_open_total on surrender_declarations (policy_id)
  where kind = 'total' and status in ('awaiting_documents', 'received', 'processing');

-- Each recorded acceptance of the benefit, with the signed endorsement it rests on and who recorded it.
create table beneficiary_acceptances (
  policy_id text not null references policies (id),
  beneficiary_id text not null,
  -- The date the beneficiary accepted (YYYY-MM-DD, from the endorsement), at least 30 days after the
  -- contract's conclusion.
  accepted_on date not null,
  endorsement_id text not null,
  -- The designation version that first shows the acceptance.
  designation_version integer not null,
  recorded_by_kind text not null,
  recorded_by_id text,
  request_id text,
  recorded_at timestamptz not null,
  primary key (policy_id, beneficiary_id)
);

-- A written consent of an accepted beneficiary agrees to one operation: once a surrender or a
-- designation change has relied on it, it cannot be relied on again.
create table beneficiary_consent_uses (
  evidence_id text primary key,
  policy_id text not null references policies (id),
  beneficiary_id text not null,
  -- 'surrender_declaration' or 'beneficiary_designation', and its id (declaration id, or policy id:version).
  used_by_type text not null check (used_by_type in ('surrender_declaration', 'beneficiary_designation')),
  used_by_id text not null,
  used_at timestamptz not null
);

-- Which item of its subject a proof is for: the required document of an early release it proves
-- (`death_certificate`...), or the beneficiary an acceptance endorsement or consent is about.
alter table evidence_documents add column item text;
