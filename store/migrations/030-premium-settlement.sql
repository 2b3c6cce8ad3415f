-- Settling premium collections (docs/DOMAIN.md, "Premiums and payers"): the payment provider reports a
-- collection collected or rejected (`payments` webhook); a rejection carries its ISO 20022 reason code,
-- and the product's rules say whether the debit is tried again, when, how many times, and whether a
-- rejected scheduled collection suspends its schedule.

-- Single premiums: `submitted` (in a closed SEPA batch) and `rejected` join the statuses.
alter table single_premium_requests drop constraint single_premium_requests_status_check;
alter table single_premium_requests add constraint single_premium_requests_status_check
  check (status in ('awaiting_funds_origin_proof', 'pending_collection', 'submitted', 'collected', 'rejected', 'cancelled'));
alter table single_premium_requests
  add column rejected_at timestamptz,
  add column rejection_code text,
  add column rejection_reason text,
  -- A retry is a new request (a new collection attempt) of the same premium: the rejected attempt it
  -- follows, its attempt number (1 for the first), and the date it may be collected from (null: at once).
  add column retry_of text unique references single_premium_requests (id),
  add column attempt integer not null default 1 check (attempt >= 1),
  add column due_date date,
  add check ((status = 'rejected') = (rejection_code is not null)),
  add check ((retry_of is null) = (attempt = 1));

-- Scheduled collections: the same two statuses, the settlement, and retries.
alter table scheduled_premium_collections drop constraint scheduled_premium_collections_status_check;
alter table scheduled_premium_collections add constraint scheduled_premium_collections_status_check
  check (status in ('pending_collection', 'submitted', 'collected', 'rejected'));
alter table scheduled_premium_collections
  add column collected_at timestamptz,
  add column rejected_at timestamptz,
  add column rejection_code text,
  add column rejection_reason text,
  add column retry_of text unique references scheduled_premium_collections (id),
  add column attempt integer not null default 1 check (attempt >= 1),
  add check ((status = 'rejected') = (rejection_code is not null)),
  add check ((retry_of is null) = (attempt = 1));
-- A due date produces one collection; a retry is due on its own date, which may fall on another due date
-- of the schedule: the due-date key holds for first attempts, a retry's key is the attempt it follows.
alter table scheduled_premium_collections drop constraint scheduled_premium_collections_schedule_id_due_date_key;
create unique index scheduled_premium_collections_due on scheduled_premium_collections (schedule_id, due_date) where retry_of is null;
create index scheduled_premium_collections_policy on scheduled_premium_collections (policy_id);

-- What a product does with a rejected direct debit, per ISO 20022 reason code (like premium_terms: data,
-- no foreign key). A code without a row is not retried and does not suspend the schedule.
create table premium_rejection_rules (
  product_id text not null,
  -- ISO 20022 ExternalStatusReason1Code / ExternalReturnReason1Code, e.g. AM04.
  reason_code text not null check (reason_code ~ '^[A-Z0-9]{4}$'),
  -- Days after the rejection the new attempt is due, and how many new attempts at most (0: none).
  retry_after_days integer check (retry_after_days between 1 and 60),
  max_retries integer not null default 0 check (max_retries between 0 and 5),
  -- A rejected scheduled collection suspends its schedule (the mandate or the account is gone).
  suspends_schedule boolean not null default false,
  primary key (product_id, reason_code),
  check ((max_retries = 0) = (retry_after_days is null))
);
insert into premium_rejection_rules (product_id, reason_code, retry_after_days, max_retries, suspends_schedule)
select p.product_id, r.code, r.days, r.retries, r.suspends
  from (values ('00000000-0000-7000-8000-000000000801'), ('00000000-0000-7000-8000-000000000802')) as p (product_id)
  cross join (values
    -- Insufficient funds: the money may be there next week.
    ('AM04', 7, 1, false),
    -- No reason given by the debtor's bank.
    ('MS03', 7, 1, false),
    -- Closed or blocked account, no valid mandate, debtor deceased: later debits would fail alike.
    ('AC04', null, 0, true),
    ('AC06', null, 0, true),
    ('MD01', null, 0, true),
    ('MD07', null, 0, true)
  ) as r (code, days, retries, suspends);
