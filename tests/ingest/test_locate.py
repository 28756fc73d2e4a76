"""Addresses to districts: current names, pre-merger names, the learned road gazetteer, and no guesses."""

import polars as pl

from districtlens import cores as slicing
from districtlens.ingest.locate import Gazetteer, learn_roads, locate, road_of

G = Gazetteer.default()


def place(addresses, gazetteer=G):
    return locate(pl.Series(addresses, dtype=pl.Utf8), gazetteer).to_dicts()


def test_current_district_names():
    found = place(["上海市静安区南京西路1266号", "上海市浦东新区张江镇祖冲之路899号", "北京市海淀区中关村大街1号"])
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310106", "district-name"),
        ("310115", "district-name"),
        ("110108", "district-name"),
    ]
    assert found[1]["street_code"] == "310115125"  # 张江镇


def test_pre_merger_district_names():
    found = place(
        ["上海市闸北区共和新路3088号", "上海市卢湾区淮海中路1号", "上海市南汇区惠南镇1号", "上海市崇明县城桥镇1号"]
    )
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310106", "former-name"),
        ("310101", "former-name"),
        ("310115", "former-name"),
        ("310151", "former-name"),
    ]


def test_ambiguous_name_needs_its_province():
    found = place(["鼓楼区中山路1号", "江苏省南京市鼓楼区中山路1号", "福建省福州市鼓楼区五四路1号"])
    assert [f["district_adcode"] for f in found] == [None, "320106", "350102"]
    assert found[0]["located_by"] == "unresolved"


def test_road_gazetteer_learns_roads_seen_in_one_district_only():
    seen = pl.Series(
        [
            "上海市静安区江场三路1号",
            "上海市静安区江场三路9号",
            "上海市静安区中山北路1号",
            "上海市普陀区中山北路2号",
            "上海市普陀区中山北路3号",
            "上海市静安区万荣路1号",
        ]
    )
    districts = pl.Series(["310106", "310106", "310106", "310107", "310107", "310106"])
    roads = learn_roads(seen, districts, G)
    assert roads.sort("road").to_dicts() == [{"road": "江场三路", "adcode": "310106"}]
    found = place(["江场三路100号", "中山北路100号", "万荣路5号", None], G.with_roads(roads))
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310106", "road-gazetteer"),
        (None, "unresolved"),
        (None, "unresolved"),
        (None, "unresolved"),
    ]


def test_road_extraction_skips_the_administrative_prefix():
    roads = road_of(pl.Series(["上海市静安区南京西路1266号", "上海静安区大宁路街道共和新路1号", "江场三路1号"]), G)
    assert roads.to_list() == ["南京西路", "共和新路", "江场三路"]


def test_zones_by_street_and_by_road():
    zoned = G.with_zones(
        pl.DataFrame({"zone_id": ["daning"], "street_code": ["310106019"]}),
        pl.DataFrame({"zone_id": ["shibei"], "adcode": ["310106"], "road": ["江场三路"]}),
    )
    street_name = G.streets.filter(pl.col("street_code") == "310106019")["name"][0]
    found = place(
        [f"上海市静安区{street_name}共和新路1号", "上海市静安区江场三路1号", "上海市静安区南京西路1号"], zoned
    )
    assert [f["zone_id"] for f in found] == ["daning", "shibei", None]


def test_a_batch_learns_roads_from_the_store_and_from_itself():
    from districtlens.ingest.locate import locate_batch

    known = pl.DataFrame({"address": ["上海市静安区江场三路1号"], "district_adcode": ["310106"]})
    batch = pl.Series(["上海市静安区江场三路2号", "江场三路100号", "上海市闸北区共和新路1号", "共和新路9号", "某路1号"])
    found = locate_batch(batch, G, known).to_dicts()
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310106", "district-name"),
        ("310106", "road-gazetteer"),
        ("310106", "former-name"),
        (None, "unresolved"),
        (None, "unresolved"),
    ]


def test_addresses_are_placed_alike_whatever_slices_they_are_located_in(monkeypatch):
    batch = pl.Series(
        [
            "上海市静安区南京西路1266号",
            None,
            "江场三路100号",
            "上海市闸北区共和新路3088号",
            "福建省福州市鼓楼区五四路1号",
            "鼓楼区中山路1号",
            "上海市浦东新区张江镇祖冲之路899号",
        ]
    )
    roads = pl.DataFrame({"road": ["江场三路"], "adcode": ["310106"]})
    found = {}
    for cores in (1, 2, 3, 16):
        monkeypatch.setattr(slicing.os, "cpu_count", lambda cores=cores: cores)
        found[cores] = locate(batch, G.with_roads(roads))
    assert all(frame.equals(found[1]) for frame in found.values())
    assert found[1]["located_by"].to_list() == [
        "district-name",
        "unresolved",
        "road-gazetteer",
        "former-name",
        "district-name",
        "unresolved",
        "district-name",
    ]
