-- Outbox delivery (docs/WEBHOOKS.md, docs/EMAIL.md). Two kinds of work leave the database after the
-- change that causes them has committed: webhook deliveries to partners' endpoints, and messages to
-- people (notification_outbox). A replica claims due work by taking a lease (`lease_owner`,
-- `lease_until`) in a short transaction with SKIP LOCKED, and makes the attempt outside any
-- transaction: an HTTP call or an SMTP session may take seconds, and PGlite has one connection. A
-- replica killed mid-attempt leaves a lease that expires, and the work is attempted again.

-- A partner's endpoint. `distributor_id` null: a back-office endpoint, which receives every event.
create table webhook_endpoints (
  id uuid primary key,
  distributor_id text references distributors (id),
  url text not null,
  description text,
  -- null: every event type; otherwise only these.
  event_types text[],
  status text not null check (status in ('enabled', 'disabled')),
  -- Why a disabled endpoint is disabled: its owner did it, or it failed for 5 days in a row.
  disabled_reason text check (disabled_reason in ('by_owner', 'failing')),
  -- Start of the current run of failed attempts; null after any success.
  failing_since timestamptz,
  created_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check ((status = 'disabled') = (disabled_reason is not null))
);
create index webhook_endpoints_distributor on webhook_endpoints (distributor_id);

-- Signing secrets (`whsec_` + base64). The current one has no expiry; after a rotation the previous one
-- keeps signing beside it until `expires_at`.
create table webhook_endpoint_secrets (
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  secret text not null,
  created_at timestamptz not null,
  expires_at timestamptz,
  primary key (endpoint_id, created_at)
);

-- An event for partners (outbound: `webhook_events` records the inbound ones), written in the
-- transaction of the change. `resource` holds the variables of the REST read that returns the
-- resource; `data` is that read's answer, rendered once just after commit, so every delivery and every
-- retry of the event sends the same body.
create table outbound_events (
  id text primary key,
  type text not null,
  created_at timestamptz not null,
  -- Whose customers the event concerns; null: back-office endpoints only.
  distributor_id text references distributors (id),
  resource jsonb not null,
  data jsonb,
  rendered_at timestamptz
);
create index outbound_events_unrendered on outbound_events (created_at) where rendered_at is null;

-- One event to one endpoint, fanned out in the event's transaction to the endpoints enabled then.
create table webhook_deliveries (
  id uuid primary key,
  event_id text not null references outbound_events (id),
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  status text not null check (status in ('pending', 'succeeded', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (event_id, endpoint_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at);

-- Every attempt, kept for the partner to read: never the response body, only its status and timing.
create table webhook_delivery_attempts (
  delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  attempted_at timestamptz not null,
  status_code integer,
  duration_ms integer not null,
  error text,
  primary key (delivery_id, attempt)
);

-- Messages to people: the existing outbox gains what sending needs. `message_id` is the public id
-- (GET /v1/emailing/messages/{id}); `sender`, `subject` and `idempotency_key` come from the e-mailing
-- route; domain notifications render their subject from the template.
alter table notification_outbox add column message_id uuid;
alter table notification_outbox add column sender text;
alter table notification_outbox add column subject text;
alter table notification_outbox add column requested_by text;
alter table notification_outbox add column idempotency_key text;
alter table notification_outbox add column status text not null default 'pending' check (status in ('pending', 'sent', 'failed'));
alter table notification_outbox add column attempts integer not null default 0;
alter table notification_outbox add column next_attempt_at timestamptz;
alter table notification_outbox add column lease_owner text;
alter table notification_outbox add column lease_until timestamptz;
alter table notification_outbox add column last_error text;
update notification_outbox set status = 'sent' where sent_at is not null;
update notification_outbox set next_attempt_at = created_at where next_attempt_at is null;
alter table notification_outbox alter column next_attempt_at set not null;
create unique index notification_outbox_message_id on notification_outbox (message_id);
-- A key names one message per caller: reusing it is the documented 409 `conflict`.
create unique index notification_outbox_idempotency_key on notification_outbox (requested_by, idempotency_key);
create index notification_outbox_due on notification_outbox (next_attempt_at) where status = 'pending';
