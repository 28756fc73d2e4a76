-- One enterprise's history (the dashboard's profile, `enterprise show`) is a lookup by credit
-- code in tables of millions of versions: without an index each one scans the whole table.
-- ART indexes make it a point lookup; the version tables are append-only, so they only grow.

CREATE INDEX enterprise_version_uscc ON enterprise_version (uscc);
CREATE INDEX fact_version_uscc ON fact_version (uscc);
