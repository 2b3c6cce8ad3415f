-- Support requests opened by a subscriber, or by its broker or back-office on its behalf.

-- Numbers behind the human references (SR-2026-000123). A sequence never hands out a number twice, even
-- to concurrent transactions; a rolled-back request leaves a gap, which is harmless.
create sequence support_request_numbers;

create table support_requests (
  id text primary key,
  number bigint not null unique,
  reference text not null unique,
  subscriber_id text not null references subscribers (id),
  category text not null check (category in ('contract', 'payment', 'surrender', 'beneficiary', 'technical', 'other')),
  subject text not null,
  message text not null,
  status text not null check (status in ('open', 'in_progress', 'closed')),
  opened_by_kind text not null,
  opened_by_id text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
-- A subscriber's requests, and back-office's queue by status; both page by number.
create index support_requests_subscriber on support_requests (subscriber_id, number);
create index support_requests_status on support_requests (status, number);
