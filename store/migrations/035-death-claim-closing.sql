-- Death claims paid through the pay-out files and closed once every part is paid (docs/DEATH-CLAIMS.md).

-- A death claim payment sent for payment is a pay-out of the back-office SEPA run, like a surrender: each
-- payment is in one pain.001 batch at most (the entries' unique key on source_kind, source_id).
alter table sepa_batch_entries drop constraint sepa_batch_entries_source_kind_check;
alter table sepa_batch_entries add constraint sepa_batch_entries_source_kind_check
  check (source_kind in ('single_premium_request', 'scheduled_premium_collection', 'surrender_declaration', 'withdrawal_refund', 'death_claim_payment'));
-- The run reads the payments sent, oldest first.
create index death_claim_payments_sent on death_claim_payments (sent_at, id) where status = 'sent';

-- A claim is closed when every beneficiary who takes a part of it is paid; its policy ends with it.
alter table death_claims drop constraint death_claims_status_check;
alter table death_claims add constraint death_claims_status_check check (status in ('notified', 'closed'));
alter table death_claims add column closed_at timestamptz;
alter table death_claims add constraint death_claims_closed_at check ((status = 'closed') = (closed_at is not null));

-- The account a beneficiary's RIB (item iban_proof of their file) shows, declared when it is uploaded and
-- confirmed by back-office's acceptance of the document: a claim payment goes to the IBAN of the latest
-- accepted one. One row per RIB document.
create table death_claim_rib_ibans (
  document_id text primary key references evidence_documents (id),
  beneficiary_id text not null references death_claim_beneficiaries (id),
  -- Electronic format (upper case, no spaces), ISO 13616 checked.
  iban text not null
);
create index death_claim_rib_ibans_beneficiary on death_claim_rib_ibans (beneficiary_id);
