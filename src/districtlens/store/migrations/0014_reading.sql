-- Reading texts (issue #24): the documents read, the claims proposed from their sentences, and
-- each decision on a proposal. All three are append-only and hashed: accepting writes the claim
-- (table claim) and the decision in one ledger entry; a proposal is never edited.

CREATE TABLE read_document (
    doc_sha256      VARCHAR PRIMARY KEY,  -- of the extracted text, which every span refers to
    name            VARCHAR NOT NULL,     -- the file name, or what the person who pasted it called it
    format          VARCHAR NOT NULL,     -- txt, md, html, docx, pdf
    language        VARCHAR NOT NULL,     -- zh, fr, en (detected)
    text            VARCHAR NOT NULL,
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE claim_proposal (
    proposal_id     VARCHAR PRIMARY KEY,
    doc_sha256      VARCHAR NOT NULL,
    language        VARCHAR NOT NULL,
    quote           VARCHAR NOT NULL,     -- the sentence, exactly as the text has it
    span_start      INTEGER NOT NULL,     -- character offsets of the quote in the document's text
    span_end        INTEGER NOT NULL,
    figure          VARCHAR NOT NULL,     -- JSON {text, start, end, value, unit, year, kind, comparison[, of, period]}
    query           VARCHAR,              -- JSON query of the claims vocabulary; null for a statement of intent
    kind            VARCHAR NOT NULL,     -- figure, count, ranking, intent
    comparison      VARCHAR NOT NULL,     -- equal, at-least, about, rank, none
    subject         VARCHAR,              -- the firm (uscc) or place (kind:id) the sentence names first
    district_adcode VARCHAR,              -- the district the text speaks of
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE claim_decision (
    proposal_id     VARCHAR PRIMARY KEY,
    decision        VARCHAR NOT NULL,     -- accepted, rejected
    claim_id        VARCHAR,              -- the claim written on acceptance
    decided_by      VARCHAR NOT NULL,
    ledger_seq      BIGINT NOT NULL,
    row_hash        VARCHAR NOT NULL
);
