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


def test_addresses_that_name_a_zone_or_town_and_no_district():
    # The examples: a municipal zone, a national zone's sub-park, a town, a spanning zone.
    found = place(
        [
            "上海市莘庄工业区华宁路4999号",
            "上海市漕河泾开发区松江高科技园莘砖公路258号",
            "上海市月浦镇龙镇路95号",
            "上海市张江高科技园东区瑞庆路528号",
            "中国（上海）自由贸易试验区张江路665号",
        ]
    )
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310112", "development-zone"),
        ("310117", "development-zone"),
        ("310113", "town-name"),
        ("310115", "development-zone"),
        ("310115", "development-zone"),  # the free-trade zone's 2013 and 2015 areas are all Pudong's
    ]
    assert found[2]["street_code"] == G.streets.filter(pl.col("name") == "月浦镇")["street_code"][0]


def test_a_spanning_zone_is_decided_by_the_road_it_allows_and_only_by_it():
    roads = pl.DataFrame({"road": ["张江路", "桂平路", "南团公路"], "adcode": ["310115", "310104", "310120"]})
    found = place(
        [
            "中国（上海）自由贸易试验区张江路665号",
            "中国（上海）自由贸易试验区桂平路1号",
            "上海市桂平路481号",
            "中国（上海）自由贸易试验区临港新片区南团公路1号",
            "中国（上海）自由贸易试验区临港新片区桂平路1号",
            "中国（上海）自由贸易试验区临港新片区环湖西二路888号",
        ],
        G.with_roads(roads),
    )
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310115", "development-zone+road-gazetteer"),
        (None, "unresolved"),  # the zone says Pudong, the road Xuhui
        ("310104", "road-gazetteer"),
        ("310120", "development-zone+road-gazetteer"),  # the Lingang area spans Fengxian too
        (None, "unresolved"),  # Xuhui is no part of the Lingang area
        (None, "unresolved"),  # the Lingang area alone spans districts: it proves nothing
    ]


def test_evidence_that_disagrees_places_nothing():
    roads = pl.DataFrame({"road": ["华宁路", "宝胜路"], "adcode": ["310112", "310115"]})
    found = place(
        ["上海市莘庄工业区华宁路1号", "上海市松江工业区宝胜路33号", "上海市月浦镇莘庄工业区1号"], G.with_roads(roads)
    )
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310112", "development-zone+road-gazetteer"),
        (None, "unresolved"),  # the zone says Songjiang, the road Pudong
        (None, "unresolved"),  # the town says Baoshan, the zone Minhang
    ]


def test_zones_and_towns_count_only_in_the_province_the_address_names():
    found = place(["江苏省莘庄工业区华宁路1号", "莘庄工业区华宁路1号", "江苏省月浦镇1号", "河南省城关镇人民路1号"])
    assert [f["located_by"] for f in found] == ["unresolved"] * 4


def test_zones_the_catalogue_lacks_are_learned_like_roads():
    from districtlens.ingest.locate import learn_zones, locate_batch

    seen = pl.Series(
        ["上海市青浦区白鹤工业园区鹤祥路1号", "上海市青浦区白鹤工业园区鹤吉路2号", "上海市奉贤区某某园区1号"]
    )
    districts = pl.Series(["310118", "310118", "310120"])
    assert learn_zones(seen, districts, G).to_dicts() == [{"name": "白鹤工业园区", "adcode": "310118"}]
    known = pl.DataFrame({"address": seen, "district_adcode": districts})
    found = locate_batch(pl.Series(["上海市白鹤工业园区鹤联路9号", "上海市某某园区2号"]), G, known).to_dicts()
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310118", "learned-zone"),
        (None, "unresolved"),  # seen once: maybe a typo
    ]


def test_the_road_after_a_zone_is_the_road():
    roads = road_of(
        pl.Series(["上海市莘庄工业区华宁路4999号", "上海市青浦工业园区外青松公路5500号", "上海市月浦镇龙镇路95号"]), G
    )
    assert roads.to_list() == ["华宁路", "外青松公路", "龙镇路"]


def test_street_level_units_of_the_division_codes_that_are_no_towns_place_too():
    found = place(
        ["上海市菊园新区平城路1号", "中国（上海）自由贸易试验区（保税片区）富特北路1号", "上海市佘山度假区林荫新路1号"]
    )
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310114", "development-zone"),
        ("310115", "development-zone"),  # the bonded area, unlike the whole free-trade zone, is Pudong's
        ("310117", "development-zone"),
    ]


def test_the_road_after_a_bracketed_zone_area():
    roads = road_of(pl.Series(["中国（上海）自由贸易试验区（保税片区）富特北路1号"]), G)
    assert roads.to_list() == ["富特北路"]


def test_towns_the_division_codes_lack_are_learned_like_roads():
    from districtlens.ingest.locate import locate_batch

    # 川沙镇 is today's 川沙新镇: the 2023 codes lack the old name, the registry still writes it.
    known = pl.DataFrame(
        {
            "address": ["上海市浦东新区川沙镇川大路1号", "上海市浦东新区川沙镇川沙路2号", "上海市浦东新区月浦镇1号"],
            "district_adcode": ["310115", "310115", "310115"],
        }
    )
    found = locate_batch(pl.Series(["上海市川沙镇华夏东路9号", "上海市月浦镇1号"]), G, known).to_dicts()
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310115", "learned-town"),
        ("310113", "town-name"),  # the division codes know 月浦镇: a misfiled address teaches nothing
    ]


def test_a_short_district_name_places_only_with_a_town_or_road_of_that_district():
    roads = pl.DataFrame({"road": ["东方路", "芳甸路"], "adcode": ["310115", "310104"]})
    found = place(
        [
            "松江叶榭镇叶昌路18号",  # no province, no suffix: 叶榭镇 is Songjiang's
            "上海市浦东东方路985号",
            "浦东芳甸路77弄",  # the road says Xuhui, the name Pudong
            "上海市宝山路1号",  # 宝山路 is a road (of Jing'an), no district
            "上海松江1号",  # the short name alone proves nothing
        ],
        G.with_roads(roads),
    )
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310117", "district-short-name+town-name"),
        ("310115", "district-short-name+road-gazetteer"),
        (None, "unresolved"),
        (None, "unresolved"),
        (None, "unresolved"),
    ]
    assert found[0]["street_code"] == G.streets.filter(pl.col("name") == "叶榭镇")["street_code"][0]


def test_a_district_name_of_several_provinces_is_decided_by_the_evidence_it_allows():
    # 宝山区 and 普陀区 are also districts of Heilongjiang and Zhejiang: without a province the name
    # places nothing alone, and other evidence counts only where it agrees with one of them.
    roads = pl.DataFrame({"road": ["江杨北路", "兰溪路"], "adcode": ["310113", "310106"]})
    found = place(["宝山区江杨北路1568弄", "普陀区兰溪路900弄", "宝山区罗泾镇罗宁路1515号"], G.with_roads(roads))
    assert [(f["district_adcode"], f["located_by"]) for f in found] == [
        ("310113", "district-name+road-gazetteer"),
        (None, "unresolved"),  # the road says Jing'an, the name Putuo
        ("310113", "district-name+town-name"),  # 罗泾镇 is Shanghai Baoshan's
    ]
