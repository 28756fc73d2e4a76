"""The synthetic registry: deterministic, valid codes and classes, plausible district profiles."""

import polars as pl
import pytest

from districtlens import refdata
from districtlens.demo import COLUMNS, generate_registry
from districtlens.ingest.packs import load_pack

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_is_valid(code: str) -> bool:
    """GB 32100-2015, written out independently of the generator."""
    if len(code) != 18 or any(ch not in CHARSET for ch in code):
        return False
    total = sum(CHARSET.index(ch) * (3**i % 31) for i, ch in enumerate(code[:17]))
    return CHARSET[(31 - total % 31) % 31] == code[17]


@pytest.fixture(scope="module")
def registry():
    return generate_registry(seed=11, n_enterprises=20_000)


def test_check_function_rejects_a_changed_character():
    assert uscc_is_valid("91350100M000100Y43")  # a published example code
    assert not uscc_is_valid("91350100M000100Y44")


def test_columns_are_the_import_format_all_text(registry):
    assert registry.columns == COLUMNS
    assert all(dtype == pl.String for dtype in registry.dtypes)
    assert registry.null_count().sum_horizontal().item() == 0


def test_deterministic_per_seed():
    a = generate_registry(seed=3, n_enterprises=2_000)
    assert a.equals(generate_registry(seed=3, n_enterprises=2_000))
    assert not a.equals(generate_registry(seed=4, n_enterprises=2_000))


def test_every_uscc_is_valid_and_unique_per_enterprise(registry):
    codes = registry["uscc"].unique().to_list()
    assert all(uscc_is_valid(c) for c in codes)
    assert registry.select(pl.struct("uscc", "year").is_duplicated().any()).item() is False
    assert registry.group_by("uscc").agg(pl.col("name").n_unique())["name"].max() == 1
    assert len(codes) == 20_000


def test_every_industry_code_is_a_class(registry):
    assert set(registry["industry_code"].unique()) <= refdata.gbt_class_codes()


def test_every_district_appears_in_addresses(registry):
    names = refdata.shanghai_districts()["name"].to_list()
    for name in names:
        assert registry["address"].str.contains(name, literal=True).any(), name
    assert registry["address"].str.contains("上海市闸北区", literal=True).any()
    assert (~registry["address"].str.contains("区|县")).any()  # some name no district


def test_values_parse_and_years_cover_the_period(registry):
    assert set(registry["year"].unique()) == {str(y) for y in range(2019, 2025)}
    assert (registry["revenue"].cast(pl.Float64) >= 0).all()
    assert (registry["employees"].cast(pl.Int64) >= 1).all()
    founded = registry["founded"].str.to_date("%Y-%m-%d")
    assert founded.null_count() == 0
    per_year = registry.group_by("year").len().sort("year")["len"].to_list()
    assert per_year[-1] > per_year[0]  # the registry grows


def test_named_enterprises_are_in_jingan(registry):
    for enterprise in load_pack("jingan").enterprises:
        rows = registry.filter(pl.col("name") == enterprise.names.zh)
        assert rows.height >= 1, enterprise.id
        others = [n for n in refdata.shanghai_districts()["name"] if n != "静安区"]
        assert not rows["address"].str.contains("|".join(others)).any()
        assert rows["uscc"].str.slice(2, 6).is_in(["310106", "310108"]).all()


def test_jingan_leans_to_its_tracks(registry):
    pack = load_pack("jingan")
    track_classes = {
        c
        for t in pack.tracks
        if t.id
        in {
            "biopharma",
            "data-intelligence",
            "finance-services",
            "professional-services",
            "digital-security",
        }
        for c in t.classes
    }
    firms = registry.filter(pl.col("year") == "2024").with_columns(
        region=pl.col("uscc").str.slice(2, 6).replace({"310108": "310106"}),
        on_track=pl.col("industry_code").is_in(list(track_classes)),
    )
    share = firms.group_by("region").agg(pl.col("on_track").mean()).sort("on_track", descending=True)
    ranks = share["region"].to_list()
    assert ranks.index("310106") <= 1, share
    manufacturing = (
        firms.with_columns(mfg=pl.col("industry_code").str.slice(0, 1).is_in(["2", "3"]))
        .group_by("region")
        .agg(pl.col("mfg").mean())
    )
    by_region = dict(zip(manufacturing["region"], manufacturing["mfg"], strict=True))
    assert by_region["310106"] < by_region["310114"] and by_region["310106"] < by_region["310117"]
