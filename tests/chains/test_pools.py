"""Candidate pools: the file format and its refusals, placing addresses in China, placing pool
firms in chain links (checked against ChainKG's industry labels of the same listed firms), and a
pool feeding targets without ever entering the registry."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from districtlens.chains import report
from districtlens.chains.placement import said_rule
from districtlens.chains.pools import place_pool, pool_candidates
from districtlens.chains.templates import shipped_templates
from districtlens.commands.base import Context
from districtlens.commands.chains import FindTargets, load_context, targets
from districtlens.commands.pools import ImportPool, import_pool
from districtlens.errors import InputError
from districtlens.ingest.pools import place_address, read_pool
from districtlens.refdata import provinces
from districtlens.store import ledger
from tests.chains.builders import JINGAN, SHARED
from tests.chains.test_targets import city_store  # noqa: F401  (the fixture)

POOLS = Path(__file__).resolve().parents[2] / "src" / "districtlens" / "refdata" / "pools"
CHAINKG = SHARED / "industry-chains" / "chainkg" / "company-industry-dev.csv"
# ChainKG's Shenwan level-1 industries (the first two digits of its codes) each chain belongs to.
SHENWAN_OF_TRACK = {
    "integrated-circuits": {"27"},
    "biopharma": {"37"},
    "finance-services": {"48", "49"},
    "data-intelligence": {"71", "72", "73"},
    "digital-security": {"71", "73"},
    "smart-health": {"37", "71"},
}


def _pool(path: Path, pool_id: str) -> pl.DataFrame:
    firms, _ = read_pool(path)
    return pool_candidates(
        firms.with_columns(pl.lit(pool_id).alias("pool_id"), pl.lit(None, dtype=pl.String).alias("linked_uscc"))
    )


def test_a_pool_with_a_bad_row_is_refused_whole(tmp_path):
    bad = tmp_path / "pool.csv"
    bad.write_text("firm_id,name,country,revenue\n1,甲公司,China,100\n2,,China,x\n2,乙公司,USA,-5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_pool(bad)
    assert caught.value.key == "pools.invalid_rows"
    assert caught.value.values["count"] == 4  # an empty name, a repeated id, two bad revenues
    said = [(p["values"]["row"], p["values"]["reason"]["key"]) for p in caught.value.values["problems"]]
    assert said == [
        (3, "import.reason.empty"),
        (3, "import.reason.number_below"),
        (4, "import.reason.repeated"),
        (4, "import.reason.number_below"),
    ]
    assert "ligne 4, identifiant de l’entreprise : « 2 » est donné une seconde fois" in caught.value.message("fr")
    assert "第 3 行，名称：为空" in caught.value.message("zh")
    missing = tmp_path / "nocountry.csv"
    missing.write_text("firm_id,name\n1,甲公司\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_pool(missing)
    assert caught.value.key == "pools.missing_columns"


def test_addresses_in_china_are_placed_within_their_province():
    firms, _ = read_pool(POOLS / "cn-listed-sample.csv")
    names = dict(provinces().select("code", "name").iter_rows())
    placed = firms.filter(pl.col("province_code").is_not_null())
    assert placed.height > 0.8 * firms.height
    # A placed city and district always sit inside the placed province and city.
    assert (
        placed.filter(pl.col("city_code").is_not_null())["city_code"].str.slice(0, 2)
        == placed.filter(pl.col("city_code").is_not_null())["province_code"]
    ).all()
    with_district = placed.filter(pl.col("district_code").is_not_null())
    assert (with_district["district_code"].str.slice(0, 4) == with_district["city_code"]).all()
    # An address that starts with a province's full name is placed in that province.
    for address, code in placed.select("address", "province_code").head(300).iter_rows():
        starts = [c for c, n in names.items() if address.startswith(n)]
        if starts:
            assert code == starts[0], address
    assert place_address("上海市静安区江场路1号") == ("31", "3101", "310106")
    assert place_address("北京市海淀区中关村") == ("11", "1101", "110108")


def test_pool_firms_land_in_links_their_chainkg_industry_agrees_with():
    """The placement by name, sector and keywords, measured on ChainKG's Shenwan labels of the
    same listed firms: most of the firms a chain takes are of that chain's Shenwan industries."""
    pool = _pool(POOLS / "cn-listed-sample.csv", "cn")
    labels = pl.read_csv(CHAINKG, infer_schema=False).select(
        ("cn:cn-" + pl.col("company_code").str.slice(0, 6)).alias("key"), pl.col("industry_code").str.slice(0, 2)
    )
    for track, template in shipped_templates().items():
        placed = place_pool(pool, template).select("key").unique().join(labels, on="key", how="inner")
        agreeing = placed.filter(pl.col("industry_code").is_in(list(SHENWAN_OF_TRACK[track])))
        assert placed["key"].n_unique() >= 15, track
        assert agreeing["key"].n_unique() / placed["key"].n_unique() >= 0.6, track


def test_the_sector_mapping_is_the_templates(tmp_path):
    """A sector label places a pool firm in the link whose `sectors` list it, and nowhere else."""
    pool = pl.DataFrame(
        {"key": ["p:1", "p:2"], "name": ["Alpha Ltd", "Beta Ltd"], "name_en": [None, None]},
        schema_overrides={"name_en": pl.String},
    ).with_columns(pl.Series("sector", ["银行", "无关行业"]), pl.lit(None, dtype=pl.String).alias("sector_en"))
    placed = place_pool(pool, shipped_templates()["finance-services"])
    assert placed.select("key", "link_id", "rule", "rule_value").rows() == [("p:1", "banking", "sector", "银行")]
    # The rule is said in the reader's language.
    assert said_rule("sector", "银行", "en") == 'sector "银行"'
    assert said_rule("sector", "银行", "fr") == "secteur « 银行 »"


def test_a_pool_feeds_targets_anywhere_and_never_the_registry(city_store):  # noqa: F811
    before = city_store.con.execute("SELECT count(*) FROM enterprise_version").fetchone()
    ctx = Context(store=city_store, actor="tests")
    imported = import_pool(ctx, ImportPool(file=POOLS / "fortune-global-500-2017.csv", link=False))
    assert imported.pools[0].firms == 500
    assert city_store.con.execute("SELECT count(*) FROM enterprise_version").fetchone() == before
    assert ledger.verify(city_store.con).intact
    found = targets(ctx, FindTargets(track="finance-services", area=JINGAN, top=200))
    from_pool = [t for t in found.targets if t.source == "fortune-global-500-2017"]
    assert from_pool, "the pool gives finance targets"
    for target in from_pool:
        assert target.place and target.uscc is None
        # A pool has no history and no class: growth and density are missing, never zero.
        assert {"growth", "density"} <= set(target.missing)
        assert target.parts["growth"] is None and target.parts["density"] is None
    assert found.pools == ["fortune-global-500-2017"]


def test_pool_firms_linked_to_a_firm_of_the_area_are_left_out(city_store):  # noqa: F811
    context = load_context(city_store, JINGAN)
    inside = context.area_firms.row(0, named=True)
    pool = pl.DataFrame(
        {
            "key": ["p:1", "p:2"],
            "uscc": [None, None],
            "name": ["Another name of an area firm", "Elsewhere Bank"],
            "name_en": [None, None],
            "sector": ["银行", "银行"],
            "sector_en": [None, None],
            "source": ["p", "p"],
            "place": ["USA", "USA"],
            "district_adcode": [None, None],
            "industry_code": [None, None],
            "tags": [None, None],
            "revenue": [None, None],
            "revenue_prior": [None, None],
            "employees": [None, None],
            "rank": [1, 2],
            "linked_uscc": [inside["uscc"], None],
            "district_code": [None, None],
        },
        schema_overrides={
            c: pl.String
            for c in (
                "uscc",
                "name_en",
                "sector_en",
                "district_adcode",
                "industry_code",
                "tags",
                "linked_uscc",
                "district_code",
            )
        }
        | {c: pl.Float64 for c in ("revenue", "revenue_prior", "employees")},
    )
    _, ranked = report.targets(context, shipped_templates()["finance-services"], pools=pool, top=None)
    keys = ranked["key"].to_list()
    assert "p:2" in keys and "p:1" not in keys
