-- Investment targeting (issue #21): candidate pools beyond the city, leads and saved what-if
-- scenarios. All append-only and ledgered like every hashed table.
--
-- pool_firm: one row per firm of an imported pool (a pool is re-imported as a new version; the
-- highest version of a pool is in force). Where the firm is: country, and for China the
-- province, city and district placed from its address (adcodes, null where not placed).
-- `linked_uscc`: the registry enterprise entity resolution linked it to (null when none), so that
-- targets can leave out firms already in the district without comparing names.
CREATE TABLE pool_firm (
    pool_id        VARCHAR NOT NULL,
    version        INTEGER NOT NULL,
    firm_id        VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    name_en        VARCHAR,
    country        VARCHAR NOT NULL,
    province_code  VARCHAR,
    city_code      VARCHAR,
    district_code  VARCHAR,
    address        VARCHAR,
    sector         VARCHAR,
    sector_en      VARCHAR,
    revenue        DOUBLE,
    employees      DOUBLE,
    rank           INTEGER,
    linked_uscc    VARCHAR,
    source_sha256  VARCHAR NOT NULL,
    ledger_seq     BIGINT NOT NULL,
    row_hash       VARCHAR NOT NULL
);

-- lead_version: each change of a lead is a new version (and a ledger entry); the highest
-- version of a lead is its state.
CREATE TABLE lead_version (
    lead_id      VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    track_id     VARCHAR NOT NULL,
    area         VARCHAR NOT NULL,
    target_key   VARCHAR NOT NULL,   -- the target's uscc or pool firm key
    name         VARCHAR NOT NULL,
    place        VARCHAR,            -- where the firm is, as the target said it
    mode         VARCHAR,
    owner        VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    carrier_id   VARCHAR,
    zone_id      VARCHAR,
    next_step    VARCHAR,
    next_date    DATE,
    note         VARCHAR,
    changed_on   DATE NOT NULL,
    valid_from   VARCHAR NOT NULL,
    ledger_seq   BIGINT NOT NULL,
    row_hash     VARCHAR NOT NULL
);

-- scenario: a saved what-if's definition (the firms it adds); computing one writes nothing.
CREATE TABLE scenario (
    scenario_id  VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    area         VARCHAR NOT NULL,
    track_id     VARCHAR,
    definition   VARCHAR NOT NULL,   -- JSON: the targets and hypothetical firms
    ledger_seq   BIGINT NOT NULL,
    row_hash     VARCHAR NOT NULL
);
