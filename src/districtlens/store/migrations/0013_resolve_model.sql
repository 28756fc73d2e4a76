-- The linkage model of the store and the registry's name features it reads.
--
-- resolve_model: each trained model (Splink settings with their m and u values, as JSON), with
-- when and on what it was trained; linking a list reads the latest and never trains, unless the
-- store has none yet. Append-only: `resolve train` adds a version.
CREATE TABLE resolve_model (
    version         BIGINT NOT NULL,
    trained_at      VARCHAR NOT NULL,
    records         BIGINT NOT NULL,   -- registry names it was trained on (every version's name, English name)
    enterprises     BIGINT NOT NULL,
    labelled_pairs  BIGINT NOT NULL,   -- pairs of names of one enterprise that estimated m (0: starting values)
    method          VARCHAR NOT NULL,  -- labels (m from names of one enterprise) or starting-values
    settings        VARCHAR NOT NULL,
    ledger_seq      BIGINT NOT NULL
);

-- A cache, derived from enterprise_version and rebuilt from it at will: one row per distinct name
-- of an enterprise (current and former names, English name) with the linker's features
-- (districtlens.resolve.linker.FEATURE_COLUMNS), so that linking a list reads the registry's
-- candidates by their blocking keys instead of taking a million names apart each time.
CREATE TABLE resolve_feature (
    feature_key  VARCHAR NOT NULL,     -- md5 of uscc, name, name_en, address
    version_seq  BIGINT NOT NULL,      -- the ledger_seq of the newest version it was read from
    unique_id    VARCHAR, uscc VARCHAR, clean VARCHAR, script VARCHAR, trade_key VARCHAR,
    trade_en VARCHAR, form VARCHAR, core VARCHAR, core_head VARCHAR, body VARCHAR, place_head VARCHAR,
    pattern VARCHAR, roman_all VARCHAR, roman_head VARCHAR, roman_first VARCHAR, initials VARCHAR,
    lead VARCHAR, trade_head VARCHAR, trade_tail VARCHAR, business VARCHAR, legal_form VARCHAR,
    location VARCHAR, addr_road VARCHAR, addr_no VARCHAR
);
