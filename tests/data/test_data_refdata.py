"""Reference data shipped with the package loads and holds what its sources hold."""

import csv
from pathlib import Path

import polars as pl

from districtlens import refdata

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_gbt_classes_are_the_shared_transcription_plus_the_restored_3741():
    codes = set(refdata.gbt_classes()["code"].to_list())
    with open(SHARED / "classification" / "gbt4754-2017.csv", encoding="utf-8") as handle:
        shared = {row["code"] for row in csv.DictReader(handle) if row["level"] == "4"}
    assert len(shared) == 1380
    assert codes == shared | {"3741"}
    assert all(len(c) == 4 and c.isdigit() for c in codes)
    assert refdata.gbt_class_codes() == frozenset(codes)


def test_gbt_divisions_sections_and_derived_groups():
    assert refdata.gbt_divisions().height == 97
    assert refdata.gbt_sections().height == 20
    groups = refdata.gbt_groups()
    assert groups.height == 473
    assert groups["classes"].sum() == refdata.gbt_classes().height
    assert groups.filter(groups["group"] == "374")["name"].item() == "航空、航天器及设备制造"
    pharma = refdata.gbt_classes().filter(refdata.gbt_classes()["division"] == "27")
    assert "2761" in pharma["code"].to_list()


def test_shanghai_has_16_districts_with_polygons():
    districts = refdata.shanghai_districts()
    assert districts.height == 16
    assert dict(zip(districts["adcode"], districts["name"], strict=True))["310106"] == "静安区"
    polygons = refdata.district_polygons()
    assert {f["properties"]["adcode"] for f in polygons["features"]} == set(districts["adcode"])


def test_jingan_has_14_streets_including_the_former_zhabei_ones():
    streets = refdata.streets()
    jingan = streets.filter(streets["areaCode"] == "310106")
    assert jingan.height == 14
    assert {"大宁路街道", "彭浦新村街道", "南京西路街道", "彭浦镇"} <= set(jingan["name"])
    assert streets.filter(streets["areaCode"] == "310108").height == 0  # no Zhabei code in 2023


def test_division_tables_sizes():
    assert refdata.provinces().height == 31
    assert refdata.cities().height == 342
    assert refdata.areas().height == 2978


def test_former_districts_point_at_todays_districts():
    former = refdata.former_districts()
    today = set(refdata.shanghai_districts()["adcode"])
    assert set(former["adcode"]) <= today
    mapping = dict(zip(former["old_name"], former["adcode"], strict=True))
    assert mapping["闸北区"] == "310106"
    assert mapping["卢湾区"] == "310101"
    assert mapping["南汇区"] == "310115"
    assert mapping["崇明县"] == "310151"


def test_global500_is_facts_only_and_has_the_pharma_subset():
    g500 = refdata.global500()
    assert g500.columns == ["rank", "company", "industry", "sector", "country"]
    assert g500.height == 500 and g500["rank"].n_unique() == 500
    pharma = refdata.global500_pharma()
    assert "AstraZeneca" in pharma["company"].to_list()
    assert set(pharma["industry"]) == {"Pharmaceuticals"}


def test_development_zones_agree_with_the_division_codes_that_list_them():
    zones = refdata.development_zones()
    single = zones.filter(pl.col("adcode").n_unique().over("name") == 1)
    listed = refdata.streets().filter(pl.col("code").str.slice(6, 1) == "5").select("name", "areaCode")
    both = single.join(listed, on="name")
    assert len(both) >= 6
    assert (both["adcode"] == both["areaCode"]).all(), both
    assert set(zones["adcode"].str.slice(0, 2)) == {"31"}
    assert set(zones["adcode"]) <= set(refdata.areas()["code"])
