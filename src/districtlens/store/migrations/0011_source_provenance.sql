-- The ledger vouches for the source table too (which file, with which SHA-256, an import read):
-- each row carries the entry that wrote it and a hash of its content, like every hashed table
-- (store/ledger.py: HASHED_TABLES). The rows written before this migration are adopted by one
-- ledger entry, which Python appends after this SQL, in the same transaction (ledger.adopt_sources).

ALTER TABLE source ADD COLUMN ledger_seq BIGINT;
ALTER TABLE source ADD COLUMN row_hash VARCHAR;
