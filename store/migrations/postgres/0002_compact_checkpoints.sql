-- callgate-store, PostgreSQL schema version 2.
-- A checkpoint may carry the company in callgate's compact binary form
-- (`Company::to_checkpoint`) beside its JSON document: a start loads it in
-- about half the time. NULL for checkpoints written before.
ALTER TABLE callgate_checkpoints ADD COLUMN compact bytea;
