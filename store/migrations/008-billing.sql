-- Billing: brokers' commission statements, one per broker and month, with one line per policy.

-- A statement is an issued document: its lines and totals are frozen when it is issued (policy labels
-- included), so a later change to a subscriber or a product never rewrites a past statement.
create table commission_statements (
  id text primary key,
  broker_id text not null references users (id),
  -- The month the statement covers, YYYY-MM (text sorts like the months it names).
  period text not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  currency text not null,
  premium_total bigint not null,
  commission_total bigint not null,
  issued_at timestamptz not null,
  unique (broker_id, period)
);
-- Lists read one broker's statements by period (the unique index above), or everyone's (back-office).
create index commission_statements_period on commission_statements (period desc, id);

create table commission_lines (
  statement_id text not null references commission_statements (id),
  line_no integer not null,
  -- No foreign key to policies: billing owns its tables (docs/ARCHITECTURE.md), and the line is a record of
  -- what was paid, kept as issued.
  policy_id text not null,
  policy_label text not null,
  -- Premiums received on the policy in the period, in the statement's currency (minor units).
  premium bigint not null,
  rate_bp integer not null check (rate_bp between 0 and 10000),
  commission bigint not null,
  primary key (statement_id, line_no)
);
