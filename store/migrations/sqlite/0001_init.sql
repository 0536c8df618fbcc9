-- callgate-store, SQLite schema version 1.
-- Every table is prefixed, so the store can share a file with the host's own
-- tables. STRICT makes SQLite refuse a value of the wrong type.

-- The host's tenant key and the company it names. A restart finds its
-- company, and so its log, by the key.
CREATE TABLE callgate_tenants (
    tenant  TEXT PRIMARY KEY,
    company TEXT NOT NULL UNIQUE
) STRICT;

-- One row per accepted change, keyed by the company and the revision the
-- change applies to. The primary key is the writers' lock: two writers that
-- planned at the same revision cannot both store.
CREATE TABLE callgate_log (
    company  TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 0),
    change   TEXT NOT NULL,
    actor    TEXT,
    context  TEXT NOT NULL,
    PRIMARY KEY (company, revision)
) STRICT, WITHOUT ROWID;

-- The latest checkpoint of each company: its document before the log entry
-- at `revision`.
CREATE TABLE callgate_checkpoints (
    company  TEXT PRIMARY KEY,
    revision INTEGER NOT NULL CHECK (revision >= 0),
    document TEXT NOT NULL
) STRICT;
