-- Policy servicing: compartment lifecycle records.

-- Compartments move open -> active -> (suspended <-> active) -> liquidating -> closed; each step is
-- recorded with who, when and why (docs/DOMAIN.md).
create table compartment_events (
  id bigserial primary key,
  compartment_id text not null references compartments (id),
  at timestamptz not null,
  from_status text,
  to_status text not null,
  actor_kind text not null,
  actor_id text,
  reason text not null
);
create index compartment_events_compartment on compartment_events (compartment_id, id);
create index policies_subscriber on policies (subscriber_id);
