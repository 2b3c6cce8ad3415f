-- The standard beneficiary clauses go into French contracts (subscription form, death settlement): their
-- titles and texts are the usual French wording, not the English placeholders seeded by 003.
update standard_clauses set
  title = 'Conjoint, à défaut enfants, à défaut héritiers',
  text = 'Mon conjoint, non divorcé ni séparé de corps, à défaut mon partenaire lié par un PACS, à défaut mes enfants nés ou à naître, vivants ou représentés, par parts égales, à défaut mes héritiers.'
where id = 'clause_spouse_children';
update standard_clauses set
  title = 'Enfants, à défaut héritiers',
  text = 'Mes enfants nés ou à naître, vivants ou représentés, par parts égales, à défaut mes héritiers.'
where id = 'clause_children';
update standard_clauses set
  title = 'Héritiers',
  text = 'Mes héritiers.'
where id = 'clause_heirs';
