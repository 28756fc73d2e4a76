-- Core schema: sources, the ledger, enterprises and their yearly facts (append-only, versioned),
-- and the reference district's organisation (zones, carriers, tracks, claims).
--
-- Versioned tables are append-only: an import never updates or deletes a row. A changed value
-- adds a version; its validity ends where the next version of the same key begins (see the
-- *_history views). Every row carries the ledger entry that wrote it and a hash of its content,
-- so that `ledger verify` can prove the rows are those the ledger recorded.

CREATE TABLE ledger (
    seq        BIGINT PRIMARY KEY,
    ts         VARCHAR NOT NULL,          -- ISO-8601 UTC, kept as text so the hash input is exact
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,
    payload    VARCHAR NOT NULL,          -- canonical JSON
    prev_hash  VARCHAR NOT NULL,
    hash       VARCHAR NOT NULL
);

CREATE TABLE source (
    source_id   BIGINT PRIMARY KEY,       -- the ledger seq of the import that created it
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,         -- registry, roster, pack, demo, tenants, leads, ...
    file_name   VARCHAR,
    file_sha256 VARCHAR,
    imported_at VARCHAR NOT NULL
);

CREATE TABLE enterprise_version (
    uscc            VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    name            VARCHAR NOT NULL,
    name_en         VARCHAR,
    legal_form      VARCHAR,
    founded         DATE,
    status          VARCHAR,
    address         VARCHAR,
    district_adcode VARCHAR,
    street_code     VARCHAR,
    zone_id         VARCHAR,
    located_by      VARCHAR,              -- how the address was placed: district-name, old-name, road-gazetteer, unresolved
    industry_code   VARCHAR,              -- GB/T 4754-2017 four-digit class
    business_scope  VARCHAR,
    tags            VARCHAR,              -- ';'-separated
    synthetic       BOOLEAN NOT NULL,
    source_id       BIGINT NOT NULL,
    valid_from      VARCHAR NOT NULL,     -- ISO timestamp of the import that made the version
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE fact_version (
    uscc        VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    revenue     DOUBLE,                   -- 万元 CNY
    tax         DOUBLE,                   -- 万元 CNY
    employees   DOUBLE,
    rd_spend    DOUBLE,                   -- 万元 CNY
    synthetic   BOOLEAN NOT NULL,
    source_id   BIGINT NOT NULL,
    valid_from  VARCHAR NOT NULL,
    ledger_seq  BIGINT NOT NULL,
    row_hash    VARCHAR NOT NULL
);

CREATE VIEW enterprise_history AS
SELECT *, lead(valid_from) OVER (PARTITION BY uscc ORDER BY version) AS valid_to
FROM enterprise_version;

CREATE VIEW fact_history AS
SELECT *, lead(valid_from) OVER (PARTITION BY uscc, year ORDER BY version) AS valid_to
FROM fact_version;

-- The latest version of each enterprise and of each enterprise-year: a cache of the history,
-- replaced in the transaction of every write so that reads need not rank the whole history.
-- `ledger verify` checks that it holds exactly the latest versions.
CREATE TABLE enterprise_current AS SELECT * FROM enterprise_version LIMIT 0;
CREATE TABLE fact_current AS SELECT * FROM fact_version LIMIT 0;

-- The organisation of a district: loaded from a pack (packs/<name>/), versioned by reload.
CREATE TABLE district_pack (
    pack_id         VARCHAR PRIMARY KEY,
    district_adcode VARCHAR NOT NULL,
    name_zh         VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    peers           VARCHAR,              -- JSON: {"central": ["310101", ...]}
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE zone (
    zone_id         VARCHAR PRIMARY KEY,
    pack_id         VARCHAR NOT NULL,
    district_adcode VARCHAR NOT NULL,
    name_zh VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    role            VARCHAR,              -- core, expansion, support, radiation, ...
    orientation     VARCHAR,              -- JSON list of track ids
    orientation_note VARCHAR,
    streets         VARCHAR,              -- JSON list of street codes
    roads           VARCHAR,              -- JSON list of road names that place an address in the zone
    polygon         VARCHAR,              -- GeoJSON geometry, optional
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE carrier (
    carrier_id      VARCHAR PRIMARY KEY,
    pack_id         VARCHAR NOT NULL,
    name_zh VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    kind            VARCHAR NOT NULL,     -- university-science-park, incubator, maker-space, cultural-creative-park, rd-centre, innovation-campus, hi-tech-park, innovation-community
    level           VARCHAR,              -- national, municipal, district
    zone_id         VARCHAR,
    district_adcode VARCHAR NOT NULL,
    floor_space_m2  DOUBLE,
    area_km2        DOUBLE,
    lon DOUBLE, lat DOUBLE,
    synthetic       BOOLEAN NOT NULL,
    note            VARCHAR,
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE track (
    track_id        VARCHAR PRIMARY KEY,
    pack_id         VARCHAR NOT NULL,
    name_zh VARCHAR, name_en VARCHAR, name_fr VARCHAR,
    classes         VARCHAR,              -- JSON list of GB/T 4754-2017 classes (4 digits) or divisions (2 digits)
    keywords        VARCHAR,              -- JSON list
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE claim (
    claim_id        VARCHAR PRIMARY KEY,
    pack_id         VARCHAR NOT NULL,
    quote           VARCHAR NOT NULL,     -- in the original language of the source
    quote_lang      VARCHAR NOT NULL,
    translations    VARCHAR NOT NULL,     -- JSON {"en": ..., "zh": ...}
    source          VARCHAR NOT NULL,
    source_date     DATE,
    subject         VARCHAR,              -- track, zone, carrier or enterprise id it speaks of
    asserted        VARCHAR,              -- JSON {"value": 14, "unit": "enterprises", "of": 50}
    comparison      VARCHAR,              -- equal, at-least, about, rank, none
    query           VARCHAR,              -- JSON query definition, null when not computable
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);
