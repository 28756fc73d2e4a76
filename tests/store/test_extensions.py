"""The DuckDB extensions the product uses load offline from their wheels."""

import pytest

from districtlens.errors import StoreError
from districtlens.store.db import load_extension


def test_spatial_loads_and_answers_point_in_polygon(store):
    load_extension(store.con, "spatial")
    inside = store.con.execute(
        "SELECT ST_Contains(ST_GeomFromText('POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))'), ST_Point(1, 1))"
    ).fetchone()[0]
    assert inside is True


def test_fts_loads_and_builds_an_index(store):
    load_extension(store.con, "fts")
    store.con.execute("CREATE TABLE doc (id INTEGER, body VARCHAR)")
    store.con.execute("INSERT INTO doc VALUES (1, 'blockchain platform'), (2, 'drug discovery')")
    store.con.execute("PRAGMA create_fts_index('doc', 'id', 'body')")
    hits = store.con.execute(
        "SELECT id FROM (SELECT id, fts_main_doc.match_bm25(id, 'drug') AS score FROM doc) WHERE score IS NOT NULL"
    ).fetchall()
    assert hits == [(2,)]


def test_unknown_extension_is_a_clear_error(store):
    with pytest.raises(StoreError, match="not installed"):
        load_extension(store.con, "no_such_extension")
