"""District packs: data, not code. One folder per district (`jingan/`): pack.yaml (the district,
its zones, carriers and tracks), claims.yaml, claim-queries.yaml, space.yaml, programmes.yaml.
They are read and validated by `districtlens.ingest.packs`."""
