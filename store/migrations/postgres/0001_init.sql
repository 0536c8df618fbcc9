-- callgate-store, PostgreSQL schema version 1.
-- Applied by `PostgresStore::connect` in one transaction, under a
-- transaction-scoped advisory lock, in the schema the store was given (or the
-- connection's current schema). Every table is prefixed, so the store can
-- share a schema with the host's own tables.
--
-- The JSON columns are `text`, not `jsonb`: a store gives the text back byte
-- for byte, and `jsonb` would reorder keys and drop whitespace. Revisions are
-- `bigint`: the crate's `u64` revisions never exceed `i64::MAX`.

-- The schema's version: one row, which the store reads at every connect and
-- refuses to go past (a newer release wrote the schema).
CREATE TABLE callgate_schema_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint NOT NULL CHECK (version >= 0)
);

-- The host's tenant key and the company it names. A restart finds its
-- company, and so its log, by the key.
CREATE TABLE callgate_tenants (
    tenant  text PRIMARY KEY,
    company text NOT NULL UNIQUE
);

-- One row per accepted change, keyed by the company and the revision the
-- change applies to. The primary key is the writers' lock: two writers that
-- planned at the same revision cannot both store (the store tells that
-- conflict by the constraint's name).
CREATE TABLE callgate_log (
    company  text   NOT NULL,
    revision bigint NOT NULL CHECK (revision >= 0),
    change   text   NOT NULL,
    actor    text,
    context  text   NOT NULL,
    CONSTRAINT callgate_log_pkey PRIMARY KEY (company, revision)
);

-- The latest checkpoint of each company: its document before the log entry
-- at `revision`.
CREATE TABLE callgate_checkpoints (
    company  text   PRIMARY KEY,
    revision bigint NOT NULL CHECK (revision >= 0),
    document text   NOT NULL
);
