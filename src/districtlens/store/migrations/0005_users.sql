-- Users of the web app. Append-only like every hashed table: adding a user, changing a role,
-- a password or the carriers an operator may see adds a version; the highest version is in force.
-- Sessions are not stored: they live in the serving process and end with it.

CREATE TABLE web_user (
    username      VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    role          VARCHAR NOT NULL,       -- admin, analyst, operator, viewer
    carriers      VARCHAR NOT NULL,       -- JSON list of carrier ids an operator is bound to ([] otherwise)
    password_hash VARCHAR NOT NULL,       -- argon2id, PHC string format
    active        BOOLEAN NOT NULL,
    valid_from    VARCHAR NOT NULL,
    ledger_seq    BIGINT NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE VIEW web_user_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY username ORDER BY version DESC) AS rn
    FROM web_user
) WHERE rn = 1;
