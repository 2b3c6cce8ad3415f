-- A retired signing key signs nothing again: its private part is wiped when it retires (the public part
-- verifies its tokens until they expire; housekeeping then deletes the row).
alter table signing_keys alter column private_jwk drop not null;

update signing_keys set private_jwk = null where retired_at is not null;
