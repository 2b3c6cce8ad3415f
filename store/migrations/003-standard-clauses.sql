-- The published standard beneficiary clauses (reference data, used by subscriptions and death settlement).
insert into standard_clauses (id, title, text) values
('clause_spouse_children', 'Spouse, then children, then heirs',
 'My spouse, not divorced nor legally separated, failing that my PACS partner, failing that my children born or to be born, living or represented, in equal shares, failing that my heirs.'),
('clause_children', 'Children, then heirs',
 'My children born or to be born, living or represented, in equal shares, failing that my heirs.'),
('clause_heirs', 'Heirs',
 'My heirs.');
