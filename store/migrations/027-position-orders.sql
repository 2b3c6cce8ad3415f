-- Position orders (docs/INVESTMENTS.md, "Position orders"): money a compartment is to invest in funds
-- (a buy by allocation: the policy's value at issue, a collected premium) or positions it is to sell
-- (a surrender), executed by forward pricing at each unit-linked fund's first valuation dated on or
-- after the order's trade date, like a switch. The movements it makes go to position_movements
-- (cause `position_order`); the money ledger stays the record of sums in and out.
create table position_orders (
  id text primary key,
  policy_id text not null references policies (id),
  compartment_id text not null references compartments (id),
  direction text not null check (direction in ('buy', 'sell')),
  status text not null check (status in ('pending', 'executed', 'cancelled')),
  -- Forward pricing runs from this date: the day the money was paid, or the request received.
  trade_date date not null,
  currency text not null,
  -- Buy: the amount to invest, in minor units; sell: what was asked (null: everything).
  amount bigint check (amount is null or amount > 0),
  -- The lines as the order was placed: the switch legs' shape ({isin, direction, unit, amount | basisPoints}).
  lines jsonb not null,
  -- What placed it: a subscription (issue), a premium, a surrender declaration; one order per cause and compartment.
  cause_type text not null,
  cause_id text not null,
  created_at timestamptz not null,
  executed_at timestamptz,
  -- Per line: shares and NAV (unit-linked) or amount (euro fund), and the date each moved on. A sell's
  -- euro fund lines move when the order is placed (no price to wait for), the rest at execution.
  execution jsonb,
  -- Sell: what the sale produced, in minor units, once executed.
  proceeds bigint,
  cancelled_reason text
);
create unique index position_orders_once on position_orders (cause_type, cause_id, compartment_id);
create index position_orders_compartment on position_orders (compartment_id, created_at);
create index position_orders_pending on position_orders (trade_date) where status = 'pending';

-- A surrender selling positions waits for its sale: `pending` until every order it placed executed,
-- then `executed` (its amount is then the proceeds). Null: nothing to sell (money not in funds).
alter table surrender_declarations add column sale_status text check (sale_status in ('pending', 'executed'));
