-- Versions are looked up by a 64-bit digest of the credit code instead of the code itself.
--
-- An import appends one key per row it writes to the lookup indexes of migration 0006, at commit
-- and on one core: at a million rows, the 18-character codes took 1.6-1.8 s of it, integer keys
-- half that. uscc_key is derived, not content: it is outside the row hash, and `ledger verify`
-- checks it against the code (districtlens.store.keys says how it is computed and looked up).
-- The indexes on the keys are migration 0009: DuckDB cannot build an index in the transaction
-- that updated its table.

DROP INDEX enterprise_version_uscc;
DROP INDEX fact_version_uscc;

ALTER TABLE enterprise_version ADD COLUMN uscc_key UBIGINT;
ALTER TABLE fact_version ADD COLUMN uscc_key UBIGINT;
UPDATE enterprise_version SET uscc_key = md5_number_lower(uscc);
UPDATE fact_version SET uscc_key = md5_number_lower(uscc);

CREATE OR REPLACE VIEW enterprise_current AS
SELECT * EXCLUDE (superseded_seq, uscc_key) FROM enterprise_version WHERE superseded_seq IS NULL;

CREATE OR REPLACE VIEW fact_current AS
SELECT * EXCLUDE (superseded_seq, uscc_key) FROM fact_version WHERE superseded_seq IS NULL;

CREATE OR REPLACE VIEW enterprise_history AS
SELECT * EXCLUDE (superseded_seq, uscc_key), lead(valid_from) OVER (PARTITION BY uscc ORDER BY version) AS valid_to
FROM enterprise_version;

CREATE OR REPLACE VIEW fact_history AS
SELECT * EXCLUDE (superseded_seq, uscc_key), lead(valid_from) OVER (PARTITION BY uscc, year ORDER BY version) AS valid_to
FROM fact_version;
