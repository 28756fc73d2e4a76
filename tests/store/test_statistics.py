"""Published statistics: the import, the reconciliation, and the demo calibrated to them."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from districtlens.chains.templates import shipped_templates
from districtlens.commands import Context
from districtlens.commands import chains as chain_commands
from districtlens.commands import statistics as commands
from districtlens.commands.enterprises import import_frame
from districtlens.config import DEMO_ENTERPRISES, DEMO_SEED
from districtlens.demo import generate_registry
from districtlens.errors import InputError, NotFound
from districtlens.ingest.packs import load_pack, pack_rows
from districtlens.ingest.read import read_table
from districtlens.ingest.statistics import parse_statistics
from districtlens.store import ledger, open_store
from districtlens.store.packs import write_pack

PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "data" / "published-statistics"
BULLETIN = PUBLISHED / "shanghai-districts-published.csv"
JINGAN = "310106"
OWNERSHIP_INDICATORS = {
    "state-collective": "国有及集体企业户数",
    "private": "私营企业户数",
    "foreign": "外商投资企业户数",
    "individual": "个体工商户户数",
}

pytestmark = [
    pytest.mark.skipif(not BULLETIN.exists(), reason="the shared published statistics are not here"),
    # The module builds the full demo store once (a module fixture): keep it on one xdist worker.
    pytest.mark.xdist_group("statistics"),
]


def published_figure(indicator: str, year: int = 2023) -> float:
    rows = pl.read_csv(BULLETIN, infer_schema=False).filter(
        (pl.col("adcode") == JINGAN) & (pl.col("indicator") == indicator) & (pl.col("year") == str(year))
    )
    assert rows.height == 1, indicator
    return float(rows["value"].item())


@pytest.fixture(scope="module")
def parsed():
    return parse_statistics(read_table(BULLETIN).frame)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's pack and registry (the demo build's seed and size) with the shared statistics."""
    path = tmp_path_factory.mktemp("statistics") / "demo.duckdb"
    with open_store(path) as store:
        ctx = Context(store=store, actor="test")
        write_pack(store, pack_rows(load_pack("jingan")), actor="test")
        report = import_frame(
            ctx, generate_registry(DEMO_SEED, DEMO_ENTERPRISES), source={"name": "demo", "kind": "demo"}, synthetic=True
        )
        assert report.written
        imported = commands.import_statistics(ctx, commands.ImportStatistics(file=BULLETIN))
        assert imported.written
    return path


def test_every_figure_of_the_shared_file_is_read_with_its_unit_normalised(parsed):
    assert not parsed.problems
    rows = parsed.rows
    assert rows.height == pl.read_csv(BULLETIN, infer_schema=False).height
    gdp = rows.filter(pl.col("indicator") == "地区生产总值(GDP)").row(0, named=True)
    assert (gdp["unit_base"], gdp["value_base"]) == ("万元", pytest.approx(gdp["value"] * 10_000))
    assert set(rows["unit_base"]) <= {"万元", "entities", "persons", "%", "km2"}


def test_a_figure_without_a_year_is_a_timeless_fact(parsed):
    timeless = parsed.rows.filter(pl.col("year").is_null())
    assert timeless["indicator"].to_list() == ["区域面积"]
    assert timeless["unit_base"].item() == "km2"


def test_indicators_map_to_measures_only_where_the_registry_has_one(parsed):
    measure = dict(parsed.rows.filter(pl.col("adcode") == JINGAN).select("indicator", "measure").unique().iter_rows())
    assert measure["全区税收收入"] == "tax"
    assert measure["区级税收收入"] is None  # the district's share of the tax, not the registry's
    assert measure["第三产业增加值占GDP比重"] == "share.tertiary"
    assert measure["第三产业增加值"] is None
    assert measure["地区生产总值(GDP)"] is None
    for group, indicator in OWNERSHIP_INDICATORS.items():
        assert measure[indicator] == f"entities.{group}"


def test_a_file_with_a_bad_row_is_refused_whole(store, tmp_path):
    bad = tmp_path / "bad.csv"
    text = BULLETIN.read_text(encoding="utf-8").splitlines()
    text.append("静安区,310106,2023,某指标,12,公顷,,,")
    text.append("静安区,310106,23,另一指标,12,户,,,")
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        commands.import_statistics(Context(store=store, actor="t"), commands.ImportStatistics(file=bad))
    assert refused.value.key == "statistics.invalid_rows" and refused.value.values["count"] == 2
    reasons = [(p["values"]["column"]["key"], p["values"]["reason"]) for p in refused.value.values["examples"]]
    assert ("import.column.year", {"key": "import.reason.not_a_year", "values": {"value": "23"}}) in reasons
    assert "« 23 » n’est pas une année" in refused.value.message("fr")
    assert store.con.execute("SELECT count(*) FROM statistic").fetchone()[0] == 0
    assert ledger.last_seq(store.con) == 0


def test_a_reimport_writes_only_what_changed_and_keeps_the_ledger_intact(store, tmp_path):
    ctx = Context(store=store, actor="t")
    first = commands.import_statistics(ctx, commands.ImportStatistics(file=BULLETIN))
    again = commands.import_statistics(ctx, commands.ImportStatistics(file=BULLETIN))
    assert first.written and first.figures == first.rows_read
    assert not again.written and again.unchanged == again.rows_read
    revised = tmp_path / "revised.csv"
    revised.write_text(
        BULLETIN.read_text(encoding="utf-8").replace(",全区税收收入,847.50,", ",全区税收收入,850.00,"), encoding="utf-8"
    )
    third = commands.import_statistics(ctx, commands.ImportStatistics(file=revised))
    assert third.figures == 1
    current = store.con.execute(
        "SELECT value, version FROM statistic_current WHERE indicator = '全区税收收入' AND year = 2023"
    ).fetchall()
    assert current == [(850.0, 2)]
    assert ledger.verify(store.con).intact
    store.con.execute("UPDATE statistic SET value = 1 WHERE indicator = '全区税收收入' AND version = 1")
    assert not ledger.verify(store.con).intact


def test_reconcile_sets_the_registry_beside_the_bulletin(demo, cli):
    result = cli("reconcile", "--area", JINGAN, "--year", "2023", "--db", demo, "--json")
    assert result.exit_code == 0, result.stderr
    done = json.loads(result.stdout)
    assert done["year"] == 2023 and done["synthetic_registry"]
    figures = {f["measure"]: f for f in done["figures"]}
    entities = figures["entities"]
    assert entities["published"] == published_figure("年末登记在册各类市场主体(不含分支机构)")
    assert entities["registry"] == done["registered_entities"] > 0
    assert entities["coverage"] == pytest.approx(entities["registry"] / entities["published"])
    by_ownership = sum(figures[f"entities.{g}"]["registry"] for g in OWNERSHIP_INDICATORS)
    assert by_ownership == entities["registry"]  # every demo entity has an ownership type
    assert figures["tax"]["published"] == pytest.approx(published_figure("全区税收收入") * 10_000)
    assert figures["tax"]["registry"] > 0
    assert "地区生产总值(GDP)" in {p["indicator"] for p in done["published_only"]}
    hq = figures["hq.multinational"]  # published for 2022 only: the latest running total
    assert hq["year"] == 2022 and hq["note"]["key"] == "reconcile.count_as_of"
    lacks = {m["key"] for m in done["lacks"]}
    assert "reconcile.short_entities" in lacks and "reconcile.lacks_ownership" not in lacks
    # A shortfall is data until said: the count and the amount in each language's own way.
    short = [lack for lack in done["lacks"] if lack["key"].startswith("reconcile.short_")]
    assert short and all(set(lack["values"]["missing"]) in ({"count"}, {"money_wan"}) for lack in short)
    french = " ".join(cli("reconcile", "--area", JINGAN, "--year", "2023", "--db", demo, "--lang", "fr").output.split())
    shortfalls = [line for line in french.split(" - ") if "de moins que le chiffre publié" in line]
    assert shortfalls and not any("万元" in line for line in shortfalls)


def test_a_shortfall_is_said_by_each_language_s_rules():
    from districtlens.errors import said

    shortfall = {
        "key": "reconcile.short_money",
        "values": {"indicator": "全区税收收入", "missing": {"money_wan": 123456.0}},
    }
    french = "« 全区税收收入 » : le registre totalise 1,23\u202fMd\u202fCNY de moins que le chiffre publié"
    assert said(shortfall, "fr") == french
    assert said(shortfall, "zh") == "「全区税收收入」：登记库比公报少 12.3 亿元"
    entities = {"key": "reconcile.short_entities", "values": {"indicator": "x", "missing": {"count": 12345}}}
    assert "12 345" in str(said(entities, "fr")).replace("\u202f", " ").replace("\xa0", " ")


def test_reconcile_without_published_figures_says_so(demo):
    with open_store(demo, read_only=True) as store, pytest.raises(NotFound) as missing:
        commands.reconcile(Context(store=store, actor="t"), commands.Reconcile(area="310104"))
    assert missing.value.key == "statistics.none_for_area"


def test_demo_entities_follow_the_bulletins_ownership_mix(demo):
    with open_store(demo, read_only=True) as store:
        done = commands.reconcile(Context(store=store, actor="t"), commands.Reconcile(area=JINGAN, year=2023))
    figures = {f.measure: f for f in done.figures}
    published_total = sum(published_figure(i) for i in OWNERSHIP_INDICATORS.values())
    for group, indicator in OWNERSHIP_INDICATORS.items():
        registry_share = figures[f"entities.{group}"].registry / done.registered_entities
        assert registry_share == pytest.approx(published_figure(indicator) / published_total, abs=0.015), group


def test_demo_tertiary_share_of_revenue_is_near_the_published_share_of_value_added(demo):
    """A proxy, stated as such in the reconciliation: revenue is not value added."""
    with open_store(demo, read_only=True) as store:
        done = commands.reconcile(Context(store=store, actor="t"), commands.Reconcile(area=JINGAN, year=2023))
    tertiary = next(f for f in done.figures if f.measure == "share.tertiary")
    assert tertiary.published == published_figure("第三产业增加值占GDP比重")
    assert abs(tertiary.gap_points) <= 5
    assert tertiary.note is not None and tertiary.note.key == "reconcile.proxy_tertiary"


def test_demo_has_headquarters_in_jingan(demo):
    with open_store(demo, read_only=True) as store:
        done = commands.reconcile(Context(store=store, actor="t"), commands.Reconcile(area=JINGAN, year=2022))
    hq = next(f for f in done.figures if f.measure == "hq.multinational")
    assert hq.published == published_figure("落户静安的跨国公司地区总部累计(截至2022-07)", 2022)
    assert hq.registry >= 1


def test_demo_chain_health_in_jingan_leaves_work_for_targeting(demo):
    statuses: dict[str, list[str]] = {}
    with open_store(demo, read_only=True) as store:
        ctx = Context(store=store, actor="t")
        for track in shipped_templates():
            health = chain_commands.show(ctx, chain_commands.ShowChain(track=track, area=JINGAN))
            statuses[track] = [link.status for link in health.links]
    with_gaps = [t for t, s in statuses.items() if "missing" in s and "weak" in s]
    assert len(with_gaps) >= 3, statuses
    assert {s for links in statuses.values() for s in links} == {"missing", "weak", "present", "strong"}


def test_rows_written_before_the_new_registry_columns_keep_their_hash(store, tmp_path):
    """ownership_type and hq_status are left out of the row hash while NULL (ledger.OPTIONAL_HASHED):
    the hash of such a row is the one the columns before migration 0010 give."""
    ctx = Context(store=store, actor="t")
    registry = generate_registry(5, 50).drop("ownership_type", "hq_status")
    import_frame(ctx, registry, source={"name": "old roster", "kind": "roster"}, synthetic=True)
    before = [c for c in ledger.HASHED_TABLES["enterprise_version"] if c not in ("ownership_type", "hq_status")]
    old_hash = (
        "sha256(concat_ws(chr(31), " + ", ".join(f"coalesce(CAST({c} AS VARCHAR), chr(30))" for c in before) + "))"
    )
    differ = store.con.execute(f"SELECT count(*) FROM enterprise_version WHERE row_hash <> {old_hash}").fetchone()[0]
    assert differ == 0
    assert ledger.verify(store.con).intact
    store.con.execute(
        "UPDATE enterprise_version SET ownership_type = '私营企业'"
        " WHERE uscc = (SELECT min(uscc) FROM enterprise_version)"
    )
    assert not ledger.verify(store.con).intact


def test_ownership_and_headquarters_are_imported_and_exported(store, tmp_path):
    ctx = Context(store=store, actor="t")
    registry = generate_registry(5, 300)
    import_frame(ctx, registry, source={"name": "roster", "kind": "roster"}, synthetic=True)
    out = tmp_path / "export.csv"
    from districtlens.commands.enterprises import ExportEnterprises, export_enterprises

    export_enterprises(ctx, ExportEnterprises(out=out))
    exported = pl.read_csv(out, infer_schema=False)
    given = registry.unique("uscc", keep="last").select("uscc", "ownership_type", "hq_status")
    both = exported.select("uscc", "ownership_type", "hq_status").join(given, on="uscc", suffix="_given")
    assert both.height == given.height
    assert (both["ownership_type"] == both["ownership_type_given"]).all()
    assert (both["hq_status"].fill_null("") == both["hq_status_given"]).all()


class _Untouchable(list):
    """Claims that fail the test when anything reads them."""

    def __iter__(self):
        raise AssertionError("the demo generator read the pack's claims")

    __len__ = __getitem__ = __iter__  # type: ignore[assignment]


def test_the_demo_generator_never_reads_the_claims(monkeypatch):
    import dataclasses

    from districtlens.demo import registry

    real = load_pack("jingan")
    monkeypatch.setattr(registry, "load_pack", lambda name: dataclasses.replace(real, claims=_Untouchable()))
    registry._track_keywords.cache_clear()
    try:
        with_claims_hidden = generate_registry(7, 500)
    finally:
        registry._track_keywords.cache_clear()
    monkeypatch.undo()
    assert with_claims_hidden.equals(generate_registry(7, 500))
