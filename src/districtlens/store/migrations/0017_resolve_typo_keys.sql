-- Names with one character mistyped meet on tighter keys (districtlens.resolve.linker._typo_keys):
-- the trade name less its last character, less its first, or its first and last with its length,
-- instead of its first or last character alone, whose blocks were too large to keep at a million
-- enterprises. The cache is emptied with its term counts, and both are refilled on the next link
-- (or `resolve train`); it is derived from enterprise_version. A model trained before this
-- migration links without its typo rules until `resolve train`.
ALTER TABLE resolve_feature DROP COLUMN trade_head;
ALTER TABLE resolve_feature DROP COLUMN trade_tail;
ALTER TABLE resolve_feature ADD COLUMN trade_less_last VARCHAR;
ALTER TABLE resolve_feature ADD COLUMN trade_less_first VARCHAR;
ALTER TABLE resolve_feature ADD COLUMN trade_ends VARCHAR;
DELETE FROM resolve_feature;
DELETE FROM resolve_term_count;
