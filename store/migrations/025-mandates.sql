-- Mandates (docs/INVESTMENTS.md): investment profiles back-office manages, each with a target
-- allocation a delegated compartment is rebalanced to.
create table mandates (
  id text primary key,
  name text not null,
  -- 1 (prudent) to 7 (dynamic), the scale of the funds' SRI.
  risk_level integer not null check (risk_level between 1 and 7),
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- The target allocation: a share of the compartment per fund, in basis points, 10000 in all (checked
-- by the domain when the whole allocation is replaced).
create table mandate_allocations (
  mandate_id text not null references mandates (id),
  isin text not null references funds (isin),
  basis_points integer not null check (basis_points between 1 and 10000),
  primary key (mandate_id, isin)
);

-- The mandate a managed compartment is delegated to (null while self-invested).
alter table compartments add column mandate_id text references mandates (id);
