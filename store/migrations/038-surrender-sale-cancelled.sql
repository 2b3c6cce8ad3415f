-- A surrender declaration rejected while its sale waited (the payment provider's rejection, a notice of
-- death) cancels that sale's orders: the declaration's sale is then `cancelled` too, as its orders say
-- (docs/INVESTMENTS.md, "Position orders"). An executed sale stays `executed`: it did produce its proceeds.
alter table surrender_declarations drop constraint surrender_declarations_sale_status_check;
alter table surrender_declarations add constraint surrender_declarations_sale_status_check check (sale_status in ('pending', 'executed', 'cancelled'));
-- Declarations rejected before this migration kept `pending` while their orders were cancelled.
update surrender_declarations set sale_status = 'cancelled' where status = 'rejected' and sale_status = 'pending';
