-- Scheduled premiums (docs/DOMAIN.md, "Premiums and payers"): a policy's schedule and the collections
-- its due dates produce.

-- At most one schedule per policy; its owner or their broker changes, suspends and resumes it.
create table premium_schedules (
  id text primary key,
  policy_id text not null unique references policies (id),
  payer_id text not null references payers (id),
  frequency text not null check (frequency in ('monthly', 'quarterly', 'annual')),
  amount bigint not null check (amount > 0),
  currency text not null,
  -- 1 to 28: every month has the day, so a due date never slides.
  day_of_month integer not null check (day_of_month between 1 and 28),
  -- Electronic format, copied from the payer's IBANs.
  iban text not null,
  holder_name text not null,
  allocation jsonb not null,
  status text not null check (status in ('active', 'suspended')),
  -- The next due date the run will collect; moves on as collections are produced, and on resume.
  next_due_date date not null,
  created_by_kind text not null,
  created_by_id text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index premium_schedules_due on premium_schedules (next_due_date) where status = 'active';

-- One collection per schedule and due date, whatever the number of replicas running the due-date job:
-- the unique key is the guarantee, the job's row locks only keep replicas from doing the work twice.
create table scheduled_premium_collections (
  id text primary key,
  schedule_id text not null references premium_schedules (id),
  policy_id text not null references policies (id),
  due_date date not null,
  amount bigint not null check (amount > 0),
  currency text not null,
  iban text not null,
  allocation jsonb not null,
  status text not null check (status in ('pending_collection', 'collected', 'rejected')),
  created_at timestamptz not null,
  unique (schedule_id, due_date)
);
