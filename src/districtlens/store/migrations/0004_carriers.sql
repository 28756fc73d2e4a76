-- Carriers, space and programmes: capacity schedules, tenancies, the innovation pipeline, and
-- programmes with their actions and KPIs.
--
-- Append-only like the rest of the store. A carrier's capacity schedule is replaced whole by a
-- new schedule_version; a lease, a project, a stage event and a programme change by adding a
-- version. The *_current views read the version in force. Every row carries the ledger entry
-- that wrote it and its row hash.

-- Floor space delivered to a carrier: `area_m2` of `use` becomes available on `available_from`.
CREATE TABLE capacity_block (
    carrier_id       VARCHAR NOT NULL,
    schedule_version INTEGER NOT NULL,
    use              VARCHAR NOT NULL,     -- office, lab, housing, commercial, education, unspecified
    available_from   DATE NOT NULL,
    area_m2          DOUBLE NOT NULL,
    synthetic        BOOLEAN NOT NULL,     -- true where the figure or its date is an assumption
    note             VARCHAR,
    source_id        BIGINT NOT NULL,
    ledger_seq       BIGINT NOT NULL,
    row_hash         VARCHAR NOT NULL
);

-- The schedule in force: the latest version of each carrier's schedule; a carrier that has none
-- but whose pack gives its floor space holds that space, undated and of unspecified use.
CREATE VIEW capacity_current AS
SELECT b.carrier_id, b.use, b.available_from, b.area_m2, b.synthetic, b.note
FROM capacity_block b
JOIN (SELECT carrier_id, max(schedule_version) AS v FROM capacity_block GROUP BY carrier_id) m
  ON m.carrier_id = b.carrier_id AND m.v = b.schedule_version
UNION ALL
SELECT c.carrier_id, 'unspecified', DATE '0001-01-01', c.floor_space_m2, c.synthetic,
       'floor space given by the district pack'
FROM carrier c
WHERE c.floor_space_m2 IS NOT NULL
  AND c.carrier_id NOT IN (SELECT carrier_id FROM capacity_block);

-- A lease: a tenant of a carrier, identified by (carrier, tenant, start) in `lease_key`. The
-- tenant is its valid credit code when the file gave one, else its name; a code-less tenant is
-- linked to the registry through the resolver (resolve_record / resolve_link of migration 0002).
CREATE TABLE tenancy_version (
    lease_key          VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    carrier_id         VARCHAR NOT NULL,
    tenant_name        VARCHAR,
    uscc_given         VARCHAR,            -- the valid credit code the file gave, upper-cased
    resolve_source_id  BIGINT,             -- the resolver's source and record for the row
    resolve_record_id  VARCHAR,
    use                VARCHAR NOT NULL,
    area_m2            DOUBLE NOT NULL,
    lease_start        DATE NOT NULL,
    lease_end          DATE,               -- the last day of the lease (inclusive); NULL: open-ended
    synthetic          BOOLEAN NOT NULL,
    source_id          BIGINT NOT NULL,
    source_row         BIGINT,             -- the row of the file, as a spreadsheet shows it
    valid_from         VARCHAR NOT NULL,
    ledger_seq         BIGINT NOT NULL,
    row_hash           VARCHAR NOT NULL
);

CREATE VIEW tenancy_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY lease_key ORDER BY version DESC) AS rn
    FROM tenancy_version
) WHERE rn = 1;

-- Who each tenant is, read now: a code in the registry is `registered`; otherwise the resolver's
-- decision in force says `linked` (or accepted by a person), `review` or `unknown`.
CREATE VIEW tenancy_tenant AS
SELECT t.*,
       CASE WHEN e.uscc IS NOT NULL THEN e.uscc
            WHEN l.status IN ('linked', 'accepted') THEN l.uscc END AS uscc,
       CASE WHEN e.uscc IS NOT NULL THEN 'registered'
            WHEN l.status IN ('linked', 'accepted') THEN 'linked'
            WHEN l.status = 'review' THEN 'review'
            ELSE 'unknown' END AS tenant_status,
       l.probability AS link_probability,
       l.link_id
FROM tenancy_current t
LEFT JOIN enterprise_current e ON e.uscc = t.uscc_given
LEFT JOIN resolve_link_current l
  ON l.source_id = t.resolve_source_id AND l.record_id = t.resolve_record_id;

-- Projects and teams of the innovation pipeline, and the stages they entered.
CREATE TABLE pipeline_project (
    project_id    VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    carrier_id    VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    track_id      VARCHAR,
    ladder        VARCHAR NOT NULL,        -- pharma or venture (carriers.pipeline.LADDERS)
    intake_date   DATE NOT NULL,
    uscc          VARCHAR,                 -- the enterprise the project became, once registered
    graduated_on  DATE,
    synthetic     BOOLEAN NOT NULL,
    source_id     BIGINT NOT NULL,
    valid_from    VARCHAR NOT NULL,
    ledger_seq    BIGINT NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE VIEW pipeline_project_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY project_id ORDER BY version DESC) AS rn
    FROM pipeline_project
) WHERE rn = 1;

CREATE TABLE pipeline_stage_event (
    project_id    VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    version       INTEGER NOT NULL,        -- a corrected date adds a version
    entered_on    DATE NOT NULL,
    synthetic     BOOLEAN NOT NULL,
    source_id     BIGINT NOT NULL,
    ledger_seq    BIGINT NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE VIEW pipeline_stage_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY project_id, stage ORDER BY version DESC) AS rn
    FROM pipeline_stage_event
) WHERE rn = 1;

-- Programmes (a plan), their actions, and each action's KPIs. A programme is reloaded whole: a
-- changed definition adds a version of the programme with all its actions and KPIs.
CREATE TABLE programme_version (
    programme_id      VARCHAR NOT NULL,
    version           INTEGER NOT NULL,
    district_adcode   VARCHAR NOT NULL,    -- the district whose enterprises the KPIs count
    name_zh           VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    thresholds        VARCHAR NOT NULL,    -- JSON {"on_track": 0.95, "at_risk": 0.85}
    note              VARCHAR,
    definition_sha256 VARCHAR NOT NULL,    -- of the canonical JSON definition: unchanged reloads write nothing
    source_id         BIGINT NOT NULL,
    valid_from        VARCHAR NOT NULL,
    ledger_seq        BIGINT NOT NULL,
    row_hash          VARCHAR NOT NULL
);

CREATE TABLE programme_action (
    programme_id  VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    action_id     VARCHAR NOT NULL,
    position      INTEGER NOT NULL,
    name_zh VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    named_by      VARCHAR,                 -- who named it (the source does not name the six actions)
    note          VARCHAR,
    ledger_seq    BIGINT NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE TABLE programme_kpi (
    programme_id  VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    action_id     VARCHAR NOT NULL,
    kpi_id        VARCHAR NOT NULL,
    position      INTEGER NOT NULL,
    name_zh VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    unit          VARCHAR,
    measure       VARCHAR NOT NULL,        -- JSON query in the vocabulary of carriers.programmes.MEASURES
    direction     VARCHAR NOT NULL,        -- increase or decrease
    baseline      VARCHAR,                 -- JSON {"at": date, "value": number or absent (measured)}
    targets       VARCHAR NOT NULL,        -- JSON [{"by": date, "value": number}, ...]
    thresholds    VARCHAR,                 -- JSON, overrides the programme's
    note          VARCHAR,
    ledger_seq    BIGINT NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE VIEW programme_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY programme_id ORDER BY version DESC) AS rn
    FROM programme_version
) WHERE rn = 1;
