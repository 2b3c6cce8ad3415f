-- Evidence documents (justificatifs): files a subscriber, their broker or back-office upload to prove
-- something about one subject (an IBAN's owner, an early-release case, a beneficiary's acceptance or
-- consent), each reviewed by back-office. Kept apart from a subscription's documents: these outlive the
-- subscription journey and belong to the policy's servicing.
create table evidence_documents (
  id text primary key,
  subscriber_id text not null references subscribers (id),
  policy_id text references policies (id),
  kind text not null check (kind in ('iban_proof', 'early_release_proof', 'acceptance_endorsement', 'beneficiary_consent')),
  subject_id text not null,
  file_name text not null,
  content_type text not null,
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null,
  content bytea not null,
  status text not null check (status in ('received', 'accepted', 'refused')),
  review_reason text,
  reviewed_by_kind text,
  reviewed_by_id text,
  reviewed_at timestamptz,
  uploaded_by_kind text not null,
  uploaded_by_id text,
  created_at timestamptz not null,
  check ((status = 'received') = (reviewed_at is null))
);
create index evidence_documents_subject on evidence_documents (kind, subject_id, created_at);
create index evidence_documents_subscriber on evidence_documents (subscriber_id, created_at);
