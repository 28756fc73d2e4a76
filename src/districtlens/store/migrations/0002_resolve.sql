-- Entity resolution: rows of sources that carry no credit code (tenant lists, lead lists), and the
-- decisions that link each row to an enterprise of the registry (enterprise_current).
--
-- Append-only like the rest of the store: a review decision or an undo adds a new decision for
-- the same row (`supersedes` names the one it replaces); nothing is updated or deleted, so every
-- merge and every split stays on record with its evidence and its ledger entry.

CREATE TABLE resolve_record (
    source_id   BIGINT NOT NULL,          -- source.source_id of the import
    record_id   VARCHAR NOT NULL,         -- as in the file
    name        VARCHAR NOT NULL,
    name_en     VARCHAR,
    uscc        VARCHAR,                  -- as given (may be invalid or empty)
    address     VARCHAR,
    ledger_seq  BIGINT NOT NULL,
    row_hash    VARCHAR NOT NULL
);

CREATE TABLE resolve_link (
    link_id     BIGINT NOT NULL,          -- unique, increasing: what `resolve undo ID` names
    source_id   BIGINT NOT NULL,
    record_id   VARCHAR NOT NULL,
    uscc        VARCHAR,                  -- the enterprise the row is linked to (NULL: none)
    probability DOUBLE,                   -- the model's match probability for that enterprise
    status      VARCHAR NOT NULL,         -- linked, review, unknown, accepted, rejected, undone
    evidence    VARCHAR,                  -- JSON: per field, the comparison level it fell in
    decided_by  VARCHAR NOT NULL,         -- 'model' or the person
    supersedes  BIGINT,                   -- the link_id this decision replaces
    ledger_seq  BIGINT NOT NULL,
    row_hash    VARCHAR NOT NULL
);

-- The decision in force for each row: the latest.
CREATE VIEW resolve_link_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY source_id, record_id ORDER BY link_id DESC) AS rn
    FROM resolve_link
) WHERE rn = 1;

-- What a person has to decide: model links between the review floor and the threshold.
CREATE VIEW resolve_review_queue AS
SELECT l.*, r.name, e.name AS enterprise_name
FROM resolve_link_current l
JOIN resolve_record r USING (source_id, record_id)
LEFT JOIN enterprise_current e ON e.uscc = l.uscc
WHERE l.status = 'review';
