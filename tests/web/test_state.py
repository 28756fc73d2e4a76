"""The serving process's readers: cursors reused from request to request, each request a
snapshot named by the ledger seq, and a failed query never leaving a cursor unusable."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from districtlens.store import open_store
from districtlens.store.web_users import save_user
from districtlens.web import api
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
        state.wait_warm()  # the new snapshot's search index, read on a cursor of its own
        with state.reader() as second:
            assert second.con is cursor  # reused, and its old transaction ended
            assert second.seq == seq + 1
            assert second.con.execute("SELECT count(*) FROM web_user").fetchone()[0] == 1
        with pytest.raises(duckdb.CatalogException), state.reader() as failing:
            failing.con.execute("SELECT * FROM no_such_table")
        with state.reader() as after:
            assert after.seq == seq + 1
            assert after.con.execute("SELECT count(*) FROM web_user").fetchone()[0] == 1
        # An answer cached for the seq is served without a transaction.
        with state.reader() as cached:
            assert state.cached(cached, "answer", (), lambda: cached.con.execute("SELECT 42").fetchone()[0]) == 42
        with state.reader() as hit:
            assert state.cached(hit, "answer", (), lambda: pytest.fail("computed again")) == 42
            assert hit._cursor is None  # no transaction begun
        # Two requests at once get two cursors: a snapshot is never shared.
        with state.reader() as one, state.reader() as two:
            assert one.con is not two.con
    finally:
        state.close()


def test_link_firms_are_the_district_firms_placed_in_the_link(web_app):
    """The dashboard lists a link's firms from the city's placements the chain page already made:
    exactly the district's firms that placing them alone puts in the link, largest first."""
    import polars as pl

    from districtlens.chains.placement import place
    from districtlens.chains.templates import shipped_templates
    from districtlens.commands.chains import load_context
    from districtlens.web import figures

    template = shipped_templates()["biopharma"]
    # Through the session's server, which holds the store open for writing in this process.
    with web_app.state.server.reader() as store:
        context = load_context(store, "310106")
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


def test_the_search_index_follows_each_write(tmp_path):
    import polars as pl

    from districtlens.commands import Context
    from districtlens.commands.enterprises import import_frame
    from tests.helpers import make_uscc

    def load(store, i, name):
        frame = pl.DataFrame({"uscc": [make_uscc(i)], "name": [name], "industry_code": ["6513"]})
        assert import_frame(
            Context(store=store, actor="test"), frame, source={"name": name, "kind": "roster"}, synthetic=False
        ).written

    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        load(store, 1, "上海甲乙科技有限公司")
    state = ServerState(path)
    try:
        with state.reader() as before:
            kept = state.search_index(before)
            assert state.search_index(before) is kept  # read once per snapshot
            with state.writer() as store:
                load(store, 2, "上海丙丁科技有限公司")
            with state.reader() as after:
                assert after.seq == before.seq + 1
                total, rows = state.search_index(after).find("科技", limit=10, offset=0)
                assert total == 2 and {r["uscc"] for r in rows} == {make_uscc(1), make_uscc(2)}
                newest = state.search_index(after)
            # A request begun before the write gets the newest index too: newer, never stale.
            assert state.search_index(before) is newest
            assert newest.find("科技", limit=10, offset=0)[0] == 2
    finally:
        state.close()


def test_search_finds_what_a_plain_scan_of_every_version_finds(web_app):
    """The index against the plainest reference: Python's `in` over each version's names, code and
    address, lower-cased, on the demo store; fragments of real names, addresses and codes, in
    upper case too, and one that matches nothing."""
    from districtlens.store.search import SearchIndex

    # Through the session's server, which holds the store open for writing in this process.
    with web_app.state.server.reader() as store:
        versions = store.con.execute("SELECT uscc, name, name_en, address FROM enterprise_version").fetchall()
        current = dict(store.con.execute("SELECT uscc, name FROM enterprise_current").fetchall())
        index = SearchIndex.read(store)
        samples = versions[:: max(1, len(versions) // 12)]
        needles = {"科技", "有限公司", "zzz-none", "SHANGHAI", "Tech"}
        for uscc, name, name_en, address in samples:
            needles |= {name[2:5], (address or "")[3:8], uscc[4:12].lower(), (name_en or "x")[:6].upper()}
        checked = 0
        for needle in sorted(n for n in needles if n.strip()):
            expected = {u for u, *texts in versions if any(needle.lower() in (t or "").lower() for t in (u, *texts))}
            total, rows = index.find(needle, limit=5, offset=0)
            assert total == len(expected), needle
            assert {r["uscc"] for r in rows} <= expected
            first = sorted(expected, key=lambda u: (current[u], u))[:5]
            assert [r["uscc"] for r in rows] == first, needle
            assert all(r["name"] == current[r["uscc"]] for r in rows)
            checked += total > 0
        assert checked >= 10


def test_profiles_come_from_the_store_until_histories_are_held_then_follow_each_write(tmp_path):
    import polars as pl

    from districtlens.commands import Context
    from districtlens.commands.enterprises import import_frame
    from districtlens.store.histories import history
    from tests.helpers import make_uscc

    def load(store, name):
        frame = pl.DataFrame({"uscc": [make_uscc(1)], "name": [name], "industry_code": ["6513"]})
        assert import_frame(
            Context(store=store, actor="test"), frame, source={"name": name, "kind": "roster"}, synthetic=False
        ).written

    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        load(store, "上海甲乙科技有限公司")
    state = ServerState(path)
    try:
        with state.reader() as first:
            assert state.held() == {"seq": first.seq, "search_index": None, "histories": None}
            looked_up = state.history(first, make_uscc(1))
            assert [v["name"] for v in looked_up["enterprise"]] == ["上海甲乙科技有限公司"]
        state._warm()
        with state.reader() as held:
            assert state.held() == {"seq": held.seq, "search_index": held.seq, "histories": held.seq}
            assert state.history(held, make_uscc(1)) == looked_up == history(held, make_uscc(1))
            assert state.history(held, make_uscc(2)) == {"enterprise": [], "facts": []}
        with state.writer() as store:
            load(store, "上海甲乙数据科技有限公司")
        # Whether or not the new snapshot's histories are held yet, a profile shows the write.
        with state.reader() as after:
            versions = state.history(after, make_uscc(1))["enterprise"]
            assert [v["name"] for v in versions] == ["上海甲乙科技有限公司", "上海甲乙数据科技有限公司"]
        state.wait_warm()
        with state.reader() as later:
            assert state.held()["histories"] == later.seq == state.seq
            assert state.history(later, make_uscc(1)) == history(later, make_uscc(1))
            assert state.history(later, make_uscc(1))["enterprise"][0]["valid_to"] is not None
    finally:
        state.close()


def test_writes_while_the_server_reads_what_it_holds_make_it_read_once_more_not_once_each(tmp_path):
    import threading

    path = tmp_path / "s.duckdb"
    open_store(path).close()
    state = ServerState(path)
    started, release, calls = threading.Event(), threading.Event(), []

    def slow_warm():
        calls.append(1)
        started.set()
        release.wait(10)

    state._warm = slow_warm
    try:
        state.warm_in_background()
        assert started.wait(10)
        for _ in range(4):  # four writes while it reads
            state.warm_in_background()
        assert [t.name for t in threading.enumerate()].count("warm") == 1
        release.set()
        state.wait_warm()
        assert len(calls) == 2
        assert state._warmer is None
        state.warm_in_background()  # a later write starts a reader again
        state.wait_warm()
        assert len(calls) == 3
    finally:
        release.set()
        state.close()


def test_warming_computes_the_first_pages_views_for_the_newest_snapshot(web_store, tmp_path):
    """At start and after each write the server computes the overview's and industries' figures,
    so that a first visit finds them (at a million enterprises they take seconds)."""
    path = tmp_path / "warm.duckdb"
    shutil.copyfile(web_store["db"], path)
    state = ServerState(path, first_views=api.first_views)
    try:
        state.warm_in_background()
        state.wait_warm()
        with state.reader() as store:
            for name, args in (("overview", ()), ("industries", (None,)), ("industry-mix", ()), ("relatedness", ())):
                assert state.cached(store, name, args, lambda name=name: pytest.fail(f"{name} computed again")), name
        with state.writer() as store:
            save_user(store, "ana", role="viewer", carriers=[], password_hash="x", actor="test")
        state.wait_warm()
        with state.reader() as store:
            assert state.cached(store, "relatedness", (), lambda: pytest.fail("not computed for the write"))
    finally:
        state.close()
