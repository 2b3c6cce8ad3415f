-- Foundation: people, machine clients, sessions, signing keys, rate limits, idempotency, audit, webhooks.

create table distributors (
  id text primary key,
  name text not null,
  created_at timestamptz not null
);

create table users (
  id text primary key,
  email text not null,
  kind text not null check (kind in ('subscriber', 'broker', 'backoffice')),
  password_hash text not null,
  distributor_id text references distributors (id),
  created_at timestamptz not null
);
create unique index users_email_key on users (lower(email));

create table machine_clients (
  id text primary key,
  secret_hash text not null,
  distributor_id text not null references distributors (id),
  created_at timestamptz not null
);

-- Serials are stored normalised: upper-case hex, no colons, no leading zero octets.
create table machine_client_certificates (
  client_id text not null references machine_clients (id),
  serial text not null,
  primary key (client_id, serial)
);

create table sessions (
  id text primary key,
  -- sha-256 of the cookie secret; null for machine sessions, which have no cookie.
  cookie_hash text unique,
  user_id text references users (id),
  client_id text references machine_clients (id),
  cert_serial text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  check ((user_id is null) <> (client_id is null))
);

create table signing_keys (
  kid text primary key,
  alg text not null,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  created_at timestamptz not null,
  -- A retired key signs nothing new but still verifies until every token it signed has expired.
  retired_at timestamptz
);

create table rate_limits (
  bucket text primary key,
  hits integer not null,
  window_ends_at timestamptz not null
);

create table idempotency_keys (
  scope text not null,
  key text not null,
  fingerprint text not null,
  state text not null check (state in ('running', 'done')),
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  primary key (scope, key)
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null,
  actor_kind text not null,
  actor_id text,
  action text not null,
  target_type text not null,
  target_id text,
  request_id text,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_target on audit_log (target_type, target_id);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_is_append_only();

create table webhook_events (
  source text not null,
  webhook_id text not null,
  event_type text not null,
  received_at timestamptz not null,
  handled boolean not null,
  primary key (source, webhook_id)
);

-- Notifications to people (e-mail, SMS) are written here in the same transaction as the change that
-- causes them, and sent by a worker afterwards.
create table notification_outbox (
  id bigserial primary key,
  created_at timestamptz not null,
  recipient_user_id text references users (id),
  channel text not null,
  template text not null,
  payload jsonb not null,
  sent_at timestamptz
);
