-- Death claims paid on time, or with late interest (docs/DEATH-CLAIMS.md, "Payment and late interest").

-- The legal interest rate (Code monétaire et financier L313-2): fixed for each half-year by an arrêté of the
-- minister of the economy published in the Journal officiel shortly before the half-year starts, with one
-- rate for creditors who are natural persons not acting for their professional needs (`consumer`) and one
-- for every other creditor (`other`). Held as data: back-office loads each new half-year's pair.
create table legal_interest_rates (
  category text not null check (category in ('consumer', 'other')),
  valid_from date not null,
  valid_to date not null,
  -- Annual rate in basis points (6.67 % = 667): the arrêtés publish two decimals.
  rate_basis_points integer not null check (rate_basis_points between 0 and 10000),
  -- Where the rate comes from, in our words (the arrêté and its Journal officiel issue).
  source text not null,
  loaded_by_kind text not null,
  loaded_by_id text,
  loaded_at timestamptz not null,
  primary key (category, valid_from),
  check (valid_to >= valid_from)
);

-- Rates of the arrêtés fixing the legal interest rate for each half-year, 2023 to the first half of 2026.
insert into legal_interest_rates (category, valid_from, valid_to, rate_basis_points, source, loaded_by_kind, loaded_at) values
  ('consumer', '2023-01-01', '2023-06-30', 447, 'Arrêté fixing the legal interest rate for the first half of 2023 (Journal officiel, December 2022)', 'system', now()),
  ('other',    '2023-01-01', '2023-06-30', 206, 'Arrêté fixing the legal interest rate for the first half of 2023 (Journal officiel, December 2022)', 'system', now()),
  ('consumer', '2023-07-01', '2023-12-31', 682, 'Arrêté of 27 June 2023 fixing the legal interest rate for the second half of 2023 (Journal officiel of 30 June 2023)', 'system', now()),
  ('other',    '2023-07-01', '2023-12-31', 422, 'Arrêté of 27 June 2023 fixing the legal interest rate for the second half of 2023 (Journal officiel of 30 June 2023)', 'system', now()),
  ('consumer', '2024-01-01', '2024-06-30', 801, 'Arrêté fixing the legal interest rate for the first half of 2024 (Journal officiel, December 2023)', 'system', now()),
  ('other',    '2024-01-01', '2024-06-30', 507, 'Arrêté fixing the legal interest rate for the first half of 2024 (Journal officiel, December 2023)', 'system', now()),
  ('consumer', '2024-07-01', '2024-12-31', 816, 'Arrêté fixing the legal interest rate for the second half of 2024 (Journal officiel, June 2024)', 'system', now()),
  ('other',    '2024-07-01', '2024-12-31', 492, 'Arrêté fixing the legal interest rate for the second half of 2024 (Journal officiel, June 2024)', 'system', now()),
  ('consumer', '2025-01-01', '2025-06-30', 721, 'Arrêté fixing the legal interest rate for the first half of 2025 (Journal officiel, December 2024)', 'system', now()),
  ('other',    '2025-01-01', '2025-06-30', 371, 'Arrêté fixing the legal interest rate for the first half of 2025 (Journal officiel, December 2024)', 'system', now()),
  ('consumer', '2025-07-01', '2025-12-31', 665, 'Arrêté of 19 June 2025 fixing the legal interest rate for the second half of 2025 (Journal officiel of 24 June 2025)', 'system', now()),
  ('other',    '2025-07-01', '2025-12-31', 276, 'Arrêté of 19 June 2025 fixing the legal interest rate for the second half of 2025 (Journal officiel of 24 June 2025)', 'system', now()),
  ('consumer', '2026-01-01', '2026-06-30', 667, 'Arrêté of 15 December 2025 fixing the legal interest rate for the first half of 2026 (Journal officiel of 26 December 2025)', 'system', now()),
  ('other',    '2026-01-01', '2026-06-30', 262, 'Arrêté of 15 December 2025 fixing the legal interest rate for the first half of 2026 (Journal officiel of 26 December 2025)', 'system', now());

-- One payment of one beneficiary's part of a claim: the capital (the claim's value x their share) and the
-- late interest owed to the day it was sent, sent together to the payment provider, which reports it paid
-- or rejected through the `payments` webhook (as surrender payouts are).
create table death_claim_payments (
  id text primary key,
  claim_id text not null references death_claims (id),
  policy_id text not null references policies (id),
  beneficiary_id text not null references death_claim_beneficiaries (id),
  status text not null check (status in ('sent', 'paid', 'rejected')),
  capital_amount bigint not null check (capital_amount > 0),
  interest_amount bigint not null check (interest_amount >= 0),
  currency text not null,
  -- The account, in the beneficiary's name (holder checked against their names), in electronic format.
  iban text not null,
  holder_name text not null,
  -- The payment clock: the file complete, the due date (one calendar month later), the day interest ran to.
  file_completed_at timestamptz not null,
  due_date date not null,
  interest_to date not null,
  days_late integer not null check (days_late >= 0),
  -- Days charged alike (rate, multiple, year length), as computed; the rate category used.
  interest_segments jsonb not null,
  rate_category text not null check (rate_category in ('consumer', 'other')),
  sent_by_kind text not null,
  sent_by_id text,
  request_id text,
  sent_at timestamptz not null,
  paid_at timestamptz,
  rejected_at timestamptz,
  rejection_reason text,
  check ((status = 'paid') = (paid_at is not null)),
  check ((status = 'rejected') = (rejected_at is not null))
);
create index death_claim_payments_claim on death_claim_payments (claim_id, id);
-- One payment on its way or made per beneficiary: a rejected one may be followed by another.
create unique index death_claim_payments_live on death_claim_payments (beneficiary_id) where status in ('sent', 'paid');

-- The ledger: the capital leaves the policy (death_benefit_payout). Late interest is the insurer's own money,
-- never the policy's value: it is recorded (late_interest) for the same cause so the books show all that was
-- paid, and the policy's totals (domain/policy/policy-money.ts) leave it out.
alter table policy_money_movements drop constraint policy_money_movements_kind_check;
alter table policy_money_movements add constraint policy_money_movements_kind_check
  check (kind in ('premium', 'entry_fee', 'entry_fee_refund', 'surrender_payout', 'refund', 'death_benefit_payout', 'late_interest'));
alter table policy_money_movements drop constraint policy_money_movements_cause_type_check;
alter table policy_money_movements add constraint policy_money_movements_cause_type_check
  check (cause_type in ('subscription', 'payment', 'surrender_declaration', 'refund', 'death_claim_payment'));
