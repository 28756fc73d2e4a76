"""Pool firms already in the district are recognised by entity resolution (not by exact name) and
left out of targets; the pool never enters the registry. On the demo store, whose registry the
resolver can learn from."""

from __future__ import annotations

import shutil

import polars as pl

from districtlens.chains.templates import shipped_templates
from districtlens.commands.base import Context
from districtlens.commands.chains import FindTargets, targets
from districtlens.commands.pools import ImportPool, import_pool
from districtlens.store import open_store
from districtlens.store.chains import CLOSED_STATUS_PATTERN

AREA = "310106"


def test_pool_firms_of_the_district_are_linked_and_left_out(web_store, tmp_path):
    db = tmp_path / "pool.duckdb"
    shutil.copyfile(web_store["serve_copy"], db)
    with open_store(db) as store:
        inside = store.con.execute(
            "SELECT uscc, name, address FROM enterprise_current"
            " WHERE district_adcode = ? AND address IS NOT NULL"
            " AND NOT regexp_matches(coalesce(status, ''), ?) ORDER BY uscc LIMIT 150",
            [AREA, CLOSED_STATUS_PATTERN],
        ).pl()
        # (Firms in business: one deregistered here may well be courted back from elsewhere.)
        # The same firms as a pool writes them: another legal-form wording, addresses without the
        # district (so that only entity resolution, not the place, can tell they are here), ranks
        # and sectors that the templates map to links, so that they could be targets.
        sectors = sorted({s for t in shipped_templates().values() for link in t.links for s in link.sectors})
        pool = inside.select(
            pl.int_range(1, inside.height + 1).cast(pl.String).alias("firm_id"),
            pl.col("name").str.replace("有限公司", "有限责任公司").alias("name"),
            pl.lit("China").alias("country"),
            pl.col("address").str.replace("静安区", ""),
            pl.Series("sector", [sectors[i % len(sectors)] for i in range(inside.height)]),
            pl.int_range(1, inside.height + 1).alias("rank"),
        )
        renamed = pool.filter(pl.col("name") != inside["name"]).height
        assert renamed > 0
        path = tmp_path / "fair.csv"
        pool.write_csv(path)
        control = tmp_path / "control.csv"
        pool.write_csv(control)
        registry_before = store.con.execute("SELECT count(*) FROM enterprise_version").fetchone()
        imported = import_pool(Context(store=store, actor="test"), ImportPool(file=path, pool="fair")).pools[0]
        import_pool(Context(store=store, actor="test"), ImportPool(file=control, pool="control", link=False))
        assert imported.link_note is None
        assert imported.linked >= 0.8 * inside.height
        assert store.con.execute("SELECT count(*) FROM enterprise_version").fetchone() == registry_before
        linked = store.con.execute("SELECT firm_id, linked_uscc FROM pool_firm WHERE linked_uscc IS NOT NULL").pl()
        truth = dict(zip(pool["firm_id"].to_list(), inside["uscc"].to_list(), strict=True))
        right = sum(truth[f] == u for f, u in linked.iter_rows())
        assert right >= 0.95 * linked.height
        ctx = Context(store=store, actor="test")
        unlinked = 0
        for track in shipped_templates():
            found = targets(ctx, FindTargets(track=track, area=AREA, top=500))
            sources = [t.source for t in found.targets]
            unlinked += sources.count("control")
            # Only the firms the resolver did not link to themselves may remain.
            assert sources.count("fair") <= inside.height - right, track
        assert unlinked > 0, "without linking, the same firms would be proposed"
