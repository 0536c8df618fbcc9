-- callgate-store, PostgreSQL schema version 3.
-- Each log entry may carry the digest of the entry before it
-- (`LogEntry::previous`, 64 hex digits), so that a replica sees a log that
-- diverges from what it applied. NULL for entries written before.
ALTER TABLE callgate_log ADD COLUMN previous text;
