-- English names met by meaning (issue #20): two more linker features in the registry's feature
-- cache (districtlens.resolve.english.meanings): `meaning`, a Chinese name's words translated
-- (or an English name's first word), and `sense`, its blocking key. The cache is emptied, since
-- its rows lack them; it is derived from enterprise_version and refilled on the next link.
ALTER TABLE resolve_feature ADD COLUMN meaning VARCHAR;
ALTER TABLE resolve_feature ADD COLUMN sense VARCHAR;
DELETE FROM resolve_feature;
