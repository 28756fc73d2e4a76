-- The entry model `targets --opportunities` ranks by (issue #25): the skops file written by
-- `metrics backtest --save-model`, kept so that it need not be passed on every call. Append-only
-- like every hashed table: `metrics model set` adds a version; the highest version is in force.
-- The row hash covers the file's SHA-256 (not its bytes, which can be megabytes): reading the
-- model checks the bytes against it.

CREATE TABLE entry_model (
    version       INTEGER NOT NULL,
    file_name     VARCHAR NOT NULL,       -- the name of the file it was set from
    model_sha256  VARCHAR NOT NULL,       -- of model_bytes
    meta          VARCHAR NOT NULL,       -- JSON: features, training panels and periods, convention, threshold, scores
    model_bytes   BLOB NOT NULL,          -- the skops file, as it was
    valid_from    VARCHAR NOT NULL,
    ledger_seq    BIGINT NOT NULL,
    row_hash      VARCHAR NOT NULL
);
