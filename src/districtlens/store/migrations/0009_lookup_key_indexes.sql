-- The lookup indexes on the keys migration 0008 added and filled (in a transaction of their own:
-- DuckDB cannot build an index in the transaction that updated its table).

CREATE INDEX enterprise_version_key ON enterprise_version (uscc_key);
CREATE INDEX fact_version_key ON fact_version (uscc_key);
