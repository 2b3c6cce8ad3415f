-- Investments (docs/INVESTMENTS.md): the fund catalogue gains a currency and an asset class, funds get
-- dated share valuations, and compartments hold positions in funds.

-- Every fund sold so far is a euro product's fund; a fund registered from now on names its currency.
alter table funds add column currency text not null default 'EUR';
-- `unclassified` only for funds catalogued before asset classes were recorded: registering a fund
-- names one of the others.
alter table funds add column asset_class text not null default 'unclassified'
  check (asset_class in ('guaranteed', 'money_market', 'bond', 'equity', 'mixed', 'real_estate', 'commodity', 'alternative', 'unclassified'));
update funds set asset_class = 'guaranteed' where kind = 'euro';

-- One net asset value per share of a unit-linked fund and valuation date: value x 10^-scale of the
-- fund's currency, exact (no floating point anywhere).
create table fund_valuations (
  isin text not null references funds (isin),
  valued_on date not null,
  nav_value bigint not null check (nav_value > 0),
  nav_scale smallint not null check (nav_scale between 0 and 8),
  currency text not null,
  -- Who loaded it (a back-office user, a partner platform, the demo seed) and when.
  loaded_by_kind text not null,
  loaded_by_id text,
  loaded_at timestamptz not null,
  -- Set when an explicit correction replaced the value first loaded (the audit trail keeps the old one).
  corrected_at timestamptz,
  correction_reason text,
  primary key (isin, valued_on)
);
-- The latest valuation on or before a date, per fund: the primary key's order serves it.

-- Who manages a compartment's investments: the subscriber choosing funds (self-invested) or a mandate.
alter table compartments add column management text not null default 'self_invested' check (management in ('self_invested', 'managed'));

-- Every change to what a compartment holds, dated by the valuation date it took effect on: the holding
-- on any date is the sum of the movements up to it, so a value history stays true after switches.
-- Unit-linked funds move shares (shares_value x 10^-shares_scale); the euro fund moves an amount in
-- minor units of the compartment's currency.
create table position_movements (
  id bigserial primary key,
  compartment_id text not null references compartments (id),
  isin text not null references funds (isin),
  effective_on date not null,
  shares_value bigint,
  shares_scale smallint check (shares_scale between 0 and 8),
  amount bigint,
  -- What moved it: the opening of the position (demo, issue), a switch, a surrender.
  cause_type text not null,
  cause_id text not null,
  at timestamptz not null,
  check ((shares_value is not null and shares_scale is not null and amount is null) or (shares_value is null and shares_scale is null and amount is not null))
);
create index position_movements_compartment on position_movements (compartment_id, isin, effective_on);

create function position_movements_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'position_movements is append-only';
end;
$$;
create trigger position_movements_append_only before update or delete on position_movements
  for each row execute function position_movements_is_append_only();
