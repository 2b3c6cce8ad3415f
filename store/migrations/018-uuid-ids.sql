-- Resource ids are UUIDs (docs/DOMAIN.md, "Ids"). Columns stay text: ids are checked as canonical
-- lowercase UUIDs where clients send them, and rows made before this change keep their ids.
--
-- Reference data seeded by migrations gets its fixed UUIDs here (domain/shared/standard-clauses.ts and
-- domain/demo/demo-ids.ts write the same values): the standard clauses, re-keyed with every reference to
-- them, and the surrender terms of the two demo products.

insert into standard_clauses (id, title, text)
select m.new_id, c.title, c.text
from standard_clauses c
join (values
  ('clause_children', '00000000-0000-7000-8000-000000000c01'),
  ('clause_heirs', '00000000-0000-7000-8000-000000000c02'),
  ('clause_spouse_children', '00000000-0000-7000-8000-000000000c03')
) as m (old_id, new_id) on m.old_id = c.id;

update subscriptions s set standard_clause_id = m.new_id
from (values
  ('clause_children', '00000000-0000-7000-8000-000000000c01'),
  ('clause_heirs', '00000000-0000-7000-8000-000000000c02'),
  ('clause_spouse_children', '00000000-0000-7000-8000-000000000c03')
) as m (old_id, new_id)
where s.standard_clause_id = m.old_id;

update beneficiary_designations d set standard_clause_id = m.new_id
from (values
  ('clause_children', '00000000-0000-7000-8000-000000000c01'),
  ('clause_heirs', '00000000-0000-7000-8000-000000000c02'),
  ('clause_spouse_children', '00000000-0000-7000-8000-000000000c03')
) as m (old_id, new_id)
where d.standard_clause_id = m.old_id;

-- The history is append-only (006) because what a designation said is evidence; the clause it names
-- keeps its title and text, only its key changes, so the guard steps aside for this one statement.
alter table beneficiary_designation_versions disable trigger beneficiary_designation_versions_append_only;
update beneficiary_designation_versions v set standard_clause_id = m.new_id
from (values
  ('clause_children', '00000000-0000-7000-8000-000000000c01'),
  ('clause_heirs', '00000000-0000-7000-8000-000000000c02'),
  ('clause_spouse_children', '00000000-0000-7000-8000-000000000c03')
) as m (old_id, new_id)
where v.standard_clause_id = m.old_id;
alter table beneficiary_designation_versions enable trigger beneficiary_designation_versions_append_only;

delete from standard_clauses where id in ('clause_children', 'clause_heirs', 'clause_spouse_children');

-- The demo products' terms (007). A database seeded before this change keeps its old demo products,
-- whose terms keep their old key: such a database is for demos only and is recreated (README).
update surrender_terms set product_id = '00000000-0000-7000-8000-000000000801' where product_id = 'prd_av_demo'
  and not exists (select 1 from products where id = 'prd_av_demo');
update surrender_terms set product_id = '00000000-0000-7000-8000-000000000802' where product_id = 'prd_per_demo'
  and not exists (select 1 from products where id = 'prd_per_demo');
