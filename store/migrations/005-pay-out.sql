-- Pay-out IBANs: the bank accounts a subscriber's surrenders, early releases and settlements are paid to.

create table payout_ibans (
  id text primary key,
  subscriber_id text not null references subscribers (id),
  -- Electronic format (upper case, no spaces), checked against ISO 13616 and the SEPA scope.
  iban text not null,
  holder_name text not null,
  country text not null,
  is_default boolean not null,
  created_at timestamptz not null,
  -- Registration order, also within one clock tick: lists read in the order IBANs were added.
  seq bigserial not null,
  -- An IBAN is registered once per subscriber; this index also serves lookups by subscriber.
  unique (subscriber_id, iban)
);

-- At most one default per subscriber, whatever concurrent writers do (docs/DOMAIN.md): the service
-- serialises a subscriber's IBAN writes, and this index refuses a second default if anything slips past.
create unique index payout_ibans_one_default on payout_ibans (subscriber_id) where is_default;
