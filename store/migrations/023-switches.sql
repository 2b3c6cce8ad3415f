-- Switch requests (arbitrages, docs/INVESTMENTS.md): what a self-invested compartment should sell and
-- buy, validated when asked, executed at the first valuation of each fund dated on or after the day
-- the request was received (forward pricing), when the positions move.
create table switch_requests (
  id text primary key,
  policy_id text not null references policies (id),
  compartment_id text not null references compartments (id),
  status text not null check (status in ('requested', 'executed')),
  -- The date the subscriber asked (recorded); pricing runs from received_on, the day we received it.
  requested_at date not null,
  received_on date not null,
  -- The legs as validated: [{isin, direction, unit, amount (minor units of currency) | basisPoints}].
  currency text not null,
  legs jsonb not null,
  requested_by_kind text not null,
  requested_by_id text,
  created_at timestamptz not null,
  executed_at timestamptz,
  -- Per leg: shares and NAV (unit-linked) or amount (euro fund), and the valuation date used.
  execution jsonb
);
create index switch_requests_compartment on switch_requests (compartment_id, created_at);
-- At most one switch waiting per compartment: the next is validated against the positions it leaves.
create unique index switch_requests_one_pending on switch_requests (compartment_id) where status = 'requested';
create index switch_requests_pending on switch_requests (received_on) where status = 'requested';
