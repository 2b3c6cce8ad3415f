-- Billing: a commission statement is of one type, spelled as the public docs spell it (the REST
-- filter `type`): `business-commission` pays the broker a rate on the premiums of its policies;
-- `inducement` is a retrocession paid to the distributor on other grounds (fund fees, campaigns).
-- Statements issued before types existed were all business commissions.
alter table commission_statements
  add column type text not null default 'business-commission'
  check (type in ('inducement', 'business-commission'));
