-- Pay-out IBANs need the subscriber (README, "Pay-out IBANs"): an IBAN receives money only once the
-- subscriber has confirmed it, a RIB proof of it was accepted and its holder is the subscriber (or
-- back-office approved the holder). Until then it waits, and it can be neither the default nor paid to.

alter table payout_ibans
  -- pending_confirmation -> awaiting_proof -> (awaiting_review) -> confirmed, or refused by back-office.
  add column status text not null default 'pending_confirmation'
    check (status in ('pending_confirmation', 'awaiting_proof', 'awaiting_review', 'confirmed', 'refused')),
  -- `subscription_debit`: the debit IBAN checked at subscription, confirmed from the policy's issue.
  add column origin text not null default 'registration' check (origin in ('registration', 'subscription_debit')),
  -- subscriber, broker, machine, backoffice, system; rows older than this migration: unknown.
  add column registered_by_kind text not null default 'unknown',
  add column registered_by_id text,
  add column subscriber_confirmed_at timestamptz,
  add column proof_accepted_at timestamptz,
  -- The holder name matched the subscriber's (normalised) at registration.
  add column holder_matches boolean not null default false,
  add column holder_approved_at timestamptz,
  add column refusal_reason text,
  -- The one-time code sent to the subscriber's phone: its hash only, with its expiry and counters.
  add column otp_hash text,
  add column otp_expires_at timestamptz,
  add column otp_attempts integer not null default 0,
  add column otp_sends integer not null default 0,
  add column updated_at timestamptz;

update payout_ibans set updated_at = created_at;
alter table payout_ibans alter column updated_at set not null;
alter table payout_ibans alter column registered_by_kind drop default;

-- Before this migration nobody confirmed anything: an IBAN that is the debit IBAN of one of the
-- subscriber's issued policies was checked at subscription and is confirmed, every other one waits
-- for the subscriber and loses the default.
update payout_ibans i set status = 'confirmed', origin = 'subscription_debit', holder_matches = true
  where exists (select 1 from policies p join subscriptions s on s.id = p.subscription_id where p.subscriber_id = i.subscriber_id and s.debit_iban = i.iban);
update payout_ibans set is_default = false where status <> 'confirmed' and is_default;

-- A broker's or partner's registration of an IBAN the subscriber already has is stored as a request of
-- its own (it must look exactly like a new one, README): the uniqueness holds for the other registrants.
alter table payout_ibans drop constraint payout_ibans_subscriber_id_iban_key;
create unique index payout_ibans_registered_once on payout_ibans (subscriber_id, iban) where registered_by_kind not in ('broker', 'machine');
create index payout_ibans_by_subscriber on payout_ibans (subscriber_id, seq);

-- The debit IBAN of every issued policy becomes a confirmed pay-out IBAN of its subscriber.
insert into payout_ibans (id, subscriber_id, iban, holder_name, country, is_default, created_at, status, origin, registered_by_kind, holder_matches, updated_at)
  select distinct on (s.subscriber_id, s.debit_iban)
      'pib_' || md5(s.subscriber_id || ':' || s.debit_iban), s.subscriber_id, s.debit_iban, s.debit_holder, substr(s.debit_iban, 1, 2),
      false, p.issued_at, 'confirmed', 'subscription_debit', 'system', true, p.issued_at
    from policies p join subscriptions s on s.id = p.subscription_id
    where not exists (select 1 from payout_ibans i where i.subscriber_id = s.subscriber_id and i.iban = s.debit_iban)
    order by s.subscriber_id, s.debit_iban, p.issued_at;

-- A subscriber with confirmed IBANs and no default gets their oldest confirmed one as the default.
update payout_ibans i set is_default = true
  where i.status = 'confirmed'
    and not exists (select 1 from payout_ibans d where d.subscriber_id = i.subscriber_id and d.is_default)
    and i.seq = (select min(f.seq) from payout_ibans f where f.subscriber_id = i.subscriber_id and f.status = 'confirmed');

-- Only a confirmed IBAN can be the default, whatever a writer does.
alter table payout_ibans add constraint payout_ibans_default_confirmed check (not is_default or status = 'confirmed');
