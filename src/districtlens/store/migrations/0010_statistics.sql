-- Published statistics as a source, and what a registry needs to be set beside them.
--
-- statistic: one figure as a district (or the city) published it, in the unit it was published
-- in and normalised (value_base: 万元 for money, a count for 户/家/人, a share in %, km²). `year`
-- is NULL for a timeless fact (a district's area). `measure` names the registry measure the
-- indicator maps to, when one exists (tax, entities, entities.private, ...). Versioned by reload:
-- a new import of the same (adcode, year, indicator) adds a version; the view shows the latest.
CREATE TABLE statistic (
    adcode          VARCHAR NOT NULL,
    district        VARCHAR NOT NULL,
    year            INTEGER,
    indicator       VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    value           DOUBLE NOT NULL,
    unit            VARCHAR NOT NULL,
    value_base      DOUBLE NOT NULL,
    unit_base       VARCHAR NOT NULL,
    measure         VARCHAR,
    note            VARCHAR,
    source_url      VARCHAR,
    source_doc      VARCHAR,
    source_id       BIGINT NOT NULL,
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE VIEW statistic_current AS
SELECT * FROM statistic
QUALIFY row_number() OVER (PARTITION BY adcode, coalesce(year, -1), indicator ORDER BY version DESC) = 1;

-- The registry's ownership type (国有及集体 / 私营 / 外商投资 / 个体工商户, as the file gives
-- it) and headquarters status (跨国公司地区总部, 总部企业, ...). Both are outside the row hash
-- while NULL (ledger.OPTIONAL_HASHED), so the rows written before this migration keep their hash.
ALTER TABLE enterprise_version ADD COLUMN ownership_type VARCHAR;
ALTER TABLE enterprise_version ADD COLUMN hq_status VARCHAR;

-- A zone's representative point, where a public source gives one (carriers already have theirs).
ALTER TABLE zone ADD COLUMN lon DOUBLE;
ALTER TABLE zone ADD COLUMN lat DOUBLE;

CREATE OR REPLACE VIEW enterprise_current AS
SELECT * EXCLUDE (superseded_seq) FROM enterprise_version WHERE superseded_seq IS NULL;

CREATE OR REPLACE VIEW enterprise_history AS
SELECT * EXCLUDE (superseded_seq), lead(valid_from) OVER (PARTITION BY uscc ORDER BY version) AS valid_to
FROM enterprise_version;
