"""The serving process's readers: cursors reused from request to request, each request a
snapshot named by the ledger seq, and a failed query never leaving a cursor unusable."""

from __future__ import annotations

import duckdb
import pytest

from districtlens.store import open_store
from districtlens.store.web_users import save_user
from districtlens.web.state import ServerState


def test_readers_reuse_cursors_see_each_write_and_survive_a_failed_query(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    state = ServerState(path)
    try:
        with state.reader() as first:
            seq, cursor = first.seq, first.con
        with state.writer() as store:
            save_user(store, "ana", role="viewer", carriers=[], password_hash="x", actor="test")
        with state.reader() as second:
            assert second.con is cursor  # reused, and its old transaction ended
            assert second.seq == seq + 1
            assert second.con.execute("SELECT count(*) FROM web_user").fetchone()[0] == 1
        with pytest.raises(duckdb.CatalogException), state.reader() as failing:
            failing.con.execute("SELECT * FROM no_such_table")
        with state.reader() as after:
            assert after.seq == seq + 1
            assert after.con.execute("SELECT count(*) FROM web_user").fetchone()[0] == 1
        # Two requests at once get two cursors: a snapshot is never shared.
        with state.reader() as one, state.reader() as two:
            assert one.con is not two.con
    finally:
        state.close()


def test_link_firms_are_the_district_firms_placed_in_the_link(web_store):
    """The dashboard lists a link's firms from the city's placements the chain page already made:
    exactly the district's firms that placing them alone puts in the link, largest first."""
    import polars as pl

    from districtlens.chains import report
    from districtlens.chains.placement import place
    from districtlens.chains.templates import shipped_templates
    from districtlens.store import open_store
    from districtlens.web import figures

    template = shipped_templates()["biopharma"]
    with open_store(web_store["db"], read_only=True) as store:
        context = report.load_context(store, "310106")
    alone = place(context.area_firms, template)
    checked = 0
    for link in template.links:
        listed = figures.link_firms(context, template, link.id)
        expected = set(alone.filter(pl.col("link_id") == link.id)["uscc"].to_list())
        assert {row["uscc"] for row in listed} == expected, link.id
        revenues = [row["revenue"] for row in listed if row["revenue"] is not None]
        assert revenues == sorted(revenues, reverse=True)
        checked += len(listed)
    assert checked > 0
