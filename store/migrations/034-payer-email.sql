-- A payer who is not the subscriber may give an e-mail address: SEPA Core pre-notifies the debtor, and a
-- rejected debit is the payer's to know about. `self` payers are reached at the subscriber's address.
alter table payers add column email text;
alter table payers add constraint payers_self_has_no_email check (relationship <> 'self' or email is null);
