-- The SQL that scores a list's candidate pairs with a model (Splink's comparison and match-weight
-- SQL, districtlens.resolve.linker.scoring_sql), written once when the model is trained and kept
-- beside it: linking a list runs it in the store, without loading Splink. NULL for models trained
-- before this migration: linking writes their SQL again each time until `resolve train`.
ALTER TABLE resolve_model ADD COLUMN scoring_sql VARCHAR;

-- How many of the registry's cached names hold each value of the columns whose term frequencies
-- the model adjusts for (districtlens.resolve.linker.TF_COLUMNS), counted as names are added to
-- resolve_feature: linking a list reads a value's frequency instead of counting a million names.
-- The feature cache is emptied so that both are refilled together on the next link (or
-- `resolve train`); it is derived from enterprise_version.
CREATE TABLE resolve_term_count (
    column_name  VARCHAR NOT NULL,
    value        VARCHAR NOT NULL,
    n            BIGINT NOT NULL
);
DELETE FROM resolve_feature;
