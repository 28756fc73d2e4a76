"""Where an enterprise is: address -> district adcode, and street and functional zone where the
address allows it.

Evidence, each kind named in `located_by`:
- `district-name`: the address names a county-level area of China (静安区, 浦东新区, 鼓楼区 ...),
  disambiguated by the province and city it also names when the name alone is ambiguous;
- `former-name`: it names a district or county that has since merged (上海市闸北区 is today's
  静安区 310106; 卢湾区 -> 黄浦区; 南汇区 -> 浦东新区; 崇明县 -> 崇明区), from refdata;

and, for an address that names no district:
- `development-zone`: it names a development zone, industrial park or free-trade-zone area of the
  province it names, from the catalogue in refdata (上海市莘庄工业区 -> 闵行区; 中国（上海）自由贸易
  试验区, whose 2013 and 2015 areas all lie in Pudong -> 浦东新区). A zone that spans districts
  (its 临港新片区, 漕河泾开发区) decides nothing alone: it only bounds what the other evidence may
  say;
- `learned-zone`: a zone the catalogue lacks, seen in addresses already placed by name in one
  district only (as roads are learned);
- `town-name`: it names a town or street (月浦镇) whose name is unique in the province it names,
  from the division codes;
- `learned-town`: a town the division codes lack (a former name: 川沙镇 is today's 川沙新镇), seen in
  addresses already placed by name in one district only;
- `road-gazetteer`: its road was seen, in addresses already placed, in one district only (a road
  seen in several districts proves nothing);
- `district-name` with other evidence: a district name found in several provinces (宝山区, 普陀区)
  and no province to tell them apart places nothing alone, but bounds what the evidence above may
  say (宝山区江杨北路... with 江杨北路 seen in Shanghai's Baoshan only: `district-name+road-gazetteer`);
- `district-short-name` with other evidence: a district named without its suffix at the head of
  the address (上海浦东..., 松江叶榭镇...) places nothing alone (宝山路 is a road of Jing'an), but
  a town of that district (`district-short-name+town-name`) or a road seen in it only
  (`district-short-name+road-gazetteer`) right after the name places the address.
Several kinds may agree (`development-zone+road-gazetteer`); when any two disagree, or a spanning
zone excludes what they say, the address stays `unresolved`, with no district: never a silent
guess.

Every step is a vectorised regular expression over the whole column (polars, Rust regex).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, cached_property

import polars as pl

from districtlens import refdata
from districtlens.cores import per_core

# A road is the shortest run of Han characters ending in a road word, once the province, city,
# district and street/town that may precede it are stripped away.
ROAD = r"^([\p{Han}0-9]{1,12}?(?:大道|公路|路|大街|街))"
STREET_PREFIX = r"^([\p{Han}]{2,8}?(?:街道|镇|乡))"
# A zone or park named before the road: a run of Han characters (never a road word, so that a road
# is not taken for part of a zone) ending in a zone word; 张江高科技园东区 keeps its quarter, and
# 自由贸易试验区（保税片区） its bracketed area.
ZONE_WORD = (
    r"(?:自由贸易试验区|自贸试验区|新片区|工业园区|工业区|开发区|高科技园区|高科技园|科技园区|科技园"
    r"|经济园区|园区|保税区|产业区|产业基地)"
)
ZONE = rf"[\p{{Han}}（）()&&[^路街]]{{2,16}}?{ZONE_WORD}(?:[东西南北中]区)?(?:（\p{{Han}}{{1,8}}）)?"
ZONE_PREFIX = rf"^(?:{ZONE})+"
MIN_ROAD_SIGHTINGS = 2  # a road seen once may be a typo; two sightings in one district only is evidence
MIN_ZONE_SIGHTINGS = 2  # the same for a zone the catalogue lacks, or a town the division codes lack
# The order in which agreeing kinds of evidence are named in `located_by`.
EVIDENCE_ORDER = (
    "district-name",
    "district-short-name",
    "development-zone",
    "learned-zone",
    "town-name",
    "learned-town",
    "road-gazetteer",
)


def _alternation(names: list[str]) -> str:
    # Longest first, so 浦东新区 wins over a shorter name it contains.
    return "|".join(sorted(set(names), key=len, reverse=True))


@dataclass(eq=False)
class Gazetteer:
    """What addresses are matched against. Build with `Gazetteer.default()` and `with_zones`."""

    areas: pl.DataFrame  # name, adcode, province_code, city_name, former (bool)
    streets: pl.DataFrame  # name, street_code, adcode
    provinces: pl.DataFrame  # name, province_code (full and short names)
    cities: pl.DataFrame  # name, city_code
    roads: pl.DataFrame  # road, adcode: roads seen in one district only
    zone_streets: pl.DataFrame  # zone_id, street_code
    zone_roads: pl.DataFrame  # zone_id, adcode, road
    development_zones: pl.DataFrame  # name, adcode (one row per district), learned (bool)
    learned_towns: pl.DataFrame  # name, adcode: towns the division codes lack, learned from the registry

    @classmethod
    @cache
    def default(cls) -> Gazetteer:
        cities = refdata.cities()
        provinces = refdata.provinces()
        short = provinces.with_columns(
            pl.col("name").str.replace(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区)$", "")
        )
        areas = (
            refdata.areas()
            .join(
                cities.select(pl.col("code").alias("cityCode"), pl.col("name").alias("city_name")),
                on="cityCode",
                how="left",
            )
            .select(
                "name",
                pl.col("code").alias("adcode"),
                pl.col("provinceCode").alias("province_code"),
                "city_name",
                pl.lit(False).alias("former"),
            )
        )
        former = refdata.former_districts().select(
            pl.col("old_name").alias("name"),
            "adcode",
            pl.col("adcode").str.slice(0, 2).alias("province_code"),
            pl.lit(None, pl.Utf8).alias("city_name"),
            pl.lit(True).alias("former"),
        )
        return cls(
            areas=pl.concat([areas, former]),
            streets=refdata.streets().select(
                "name", pl.col("code").alias("street_code"), pl.col("areaCode").alias("adcode")
            ),
            provinces=pl.concat([provinces, short]).select("name", pl.col("code").alias("province_code")).unique(),
            cities=cities.filter(pl.col("name") != "市辖区").select("name", pl.col("code").alias("city_code")),
            roads=pl.DataFrame(schema={"road": pl.Utf8, "adcode": pl.Utf8}),
            zone_streets=pl.DataFrame(schema={"zone_id": pl.Utf8, "street_code": pl.Utf8}),
            zone_roads=pl.DataFrame(schema={"zone_id": pl.Utf8, "adcode": pl.Utf8, "road": pl.Utf8}),
            development_zones=refdata.development_zones().select("name", "adcode", pl.lit(False).alias("learned")),
            learned_towns=pl.DataFrame(schema={"name": pl.Utf8, "adcode": pl.Utf8}),
        )

    def with_roads(self, roads: pl.DataFrame) -> Gazetteer:
        return replace(self, roads=roads)

    def with_learned_zones(self, zones: pl.DataFrame) -> Gazetteer:
        """The catalogue plus zones learned from the registry (name, adcode); a learned name the
        catalogue already holds is ignored: the catalogue knows when a zone spans districts."""
        catalogue = self.development_zones.filter(~pl.col("learned"))
        learned = zones.filter(~pl.col("name").is_in(catalogue["name"].implode())).select(
            "name", "adcode", pl.lit(True).alias("learned")
        )
        return replace(self, development_zones=pl.concat([catalogue, learned]))

    def with_learned_towns(self, towns: pl.DataFrame) -> Gazetteer:
        """Towns learned from the registry (name, adcode) that the division codes lack."""
        return replace(self, learned_towns=towns.filter(~pl.col("name").is_in(self.streets["name"].implode())))

    def with_zones(self, zone_streets: pl.DataFrame, zone_roads: pl.DataFrame) -> Gazetteer:
        return replace(self, zone_streets=zone_streets, zone_roads=zone_roads)

    @cached_property
    def province_pattern(self) -> str:
        return _alternation(self.provinces["name"].to_list())

    @cached_property
    def city_pattern(self) -> str:
        return _alternation(self.cities["name"].to_list())

    @cached_property
    def area_pattern(self) -> str:
        return _alternation(self.areas["name"].to_list())

    @cached_property
    def short_areas(self) -> pl.DataFrame:
        """name (a county-level name without its suffix: 浦东, 松江), adcode, province_code,
        city_name: names of two characters or more only."""
        short = pl.col("name").str.replace(r"(?:新区|自治县|区|县)$", "")
        return (
            self.areas.with_columns(short.alias("_short"))
            .filter((pl.col("_short") != pl.col("name")) & (pl.col("_short").str.len_chars() >= 2))
            .select(pl.col("_short").alias("name"), "adcode", "province_code", "city_name")
            .unique()
        )

    @cached_property
    def short_area_pattern(self) -> str:
        return _alternation(self.short_areas["name"].to_list())

    @cached_property
    def development_zone_pattern(self) -> str:
        # Zone names may hold brackets (中国（上海）自由贸易试验区（保税片区）): escape them.
        return _alternation([re.escape(name) for name in self.development_zones["name"].to_list()])

    @cached_property
    def prefix_pattern(self) -> str:
        return (
            rf"^\s*(?:中国)?\s*(?:{self.province_pattern})?(?:{self.city_pattern})?"
            rf"(?:{self.area_pattern})?"
        )


def street_and_road(addresses: pl.Series, gazetteer: Gazetteer) -> pl.DataFrame:
    """The street or town and the road an address names, where it names them:
    '上海市浦东新区张江镇祖冲之路899号' -> ('张江镇', '祖冲之路')."""
    return _street_and_road(addresses.fill_null("").str.replace(gazetteer.prefix_pattern, ""))


def _street_and_road(rest: pl.Series) -> pl.DataFrame:
    """`street_and_road` of what follows an address's province, city and district: the street or
    town that opens it, then the road, once the zones and parks named before it are passed
    ('莘庄工业区华宁路4999号' -> road '华宁路'); `zone` is the first zone so named."""
    # A town's name followed by a road word is a road's name (龙镇路 is no town of 龙).
    street = rest.str.extract(STREET_PREFIX + r"(?:[^路街]|$)", 1)
    after_street = _strip_where(rest, street.is_not_null(), STREET_PREFIX)
    zone = after_street.str.extract(f"^({ZONE})", 1)
    road = _strip_where(after_street, zone.is_not_null(), ZONE_PREFIX).str.extract(ROAD, 1)
    return pl.DataFrame({"street": street, "road": road, "zone": zone})


def _strip_where(text: pl.Series, where: pl.Series, pattern: str) -> pl.Series:
    """`text` with `pattern` cut from the rows `where` is true, the others as they are: only those
    rows are searched (a replace over every row costs, and few rows need it)."""
    rows = where.arg_true()
    if not len(rows):
        return text
    return text.clone().scatter(rows, text.gather(rows).str.replace(pattern, ""))


def road_of(addresses: pl.Series, gazetteer: Gazetteer) -> pl.Series:
    """The road an address names, or null: '上海市静安区南京西路1266号' -> '南京西路'."""
    return street_and_road(addresses, gazetteer)["road"]


def learn_zones(addresses: pl.Series, adcodes: pl.Series, gazetteer: Gazetteer) -> pl.DataFrame:
    """Zones named before the road, seen at least MIN_ZONE_SIGHTINGS times, all in one district:
    (name, adcode)."""
    return _names_in_one_district(street_and_road(addresses, gazetteer)["zone"], adcodes)


def _names_in_one_district(names: pl.Series, adcodes: pl.Series) -> pl.DataFrame:
    """(name, adcode) of the zone or town names seen at least MIN_ZONE_SIGHTINGS times, all in
    one district."""
    seen = pl.DataFrame({"name": names, "adcode": adcodes}).drop_nulls()
    per_name = seen.group_by("name").agg(
        pl.col("adcode").n_unique().alias("districts"), pl.col("adcode").first(), pl.len().alias("n")
    )
    return per_name.filter((pl.col("districts") == 1) & (pl.col("n") >= MIN_ZONE_SIGHTINGS)).select("name", "adcode")


def learn_roads(addresses: pl.Series, adcodes: pl.Series, gazetteer: Gazetteer) -> pl.DataFrame:
    """Roads seen at least MIN_ROAD_SIGHTINGS times, all in one district: (road, adcode)."""
    return _roads_in_one_district(road_of(addresses, gazetteer), adcodes)


def _roads_in_one_district(roads: pl.Series, adcodes: pl.Series) -> pl.DataFrame:
    seen = pl.DataFrame({"road": roads, "adcode": adcodes}).drop_nulls()
    per_road = seen.group_by("road").agg(
        pl.col("adcode").n_unique().alias("districts"), pl.col("adcode").first(), pl.len().alias("n")
    )
    return per_road.filter((pl.col("districts") == 1) & (pl.col("n") >= MIN_ROAD_SIGHTINGS)).select("road", "adcode")


def locate(addresses: pl.Series, gazetteer: Gazetteer) -> pl.DataFrame:
    """One row per address: district_adcode, street_code, zone_id, located_by."""
    return _locate(addresses, gazetteer).drop("road", "zone", "street")


def _locate(addresses: pl.Series, gazetteer: Gazetteer) -> pl.DataFrame:
    """`locate`, with the road each address names (null where none), on one slice of the
    addresses per core (`per_core`)."""
    return pl.concat(per_core(addresses, lambda part: _locate_slice(part, gazetteer)))


def _locate_slice(addresses: pl.Series, gazetteer: Gazetteer) -> pl.DataFrame:
    frame = pl.DataFrame({"address": addresses.cast(pl.Utf8)}).with_row_index("_i")
    text = pl.col("address").fill_null("")
    # Most addresses open with province, city and district: anchored matches find them at once;
    # only the others are searched throughout.
    frame = _leading_names(frame.with_columns(text.str.replace(r"^\s*(?:中国)?\s*", "").alias("_rest")), gazetteer)
    rest = frame.filter(pl.col("_area").is_null()).select(
        "_i",
        *[
            text.str.extract(f"({pattern})", 1).alias(name)
            for name, pattern in (
                ("_province", gazetteer.province_pattern),
                ("_city", gazetteer.city_pattern),
                ("_area", gazetteer.area_pattern),
            )
        ],
    )
    frame = frame.update(rest, on="_i", how="left", include_nulls=False)
    frame = frame.join(gazetteer.provinces.rename({"name": "_province"}), on="_province", how="left")

    # An area name may exist in several provinces or cities: keep it only where one candidate fits.
    candidates = (
        frame.filter(pl.col("_area").is_not_null())
        .select("_i", "_area", "_city", "province_code")
        .join(gazetteer.areas.rename({"name": "_area", "province_code": "_cand_province"}), on="_area")
        .filter(pl.col("province_code").is_null() | (pl.col("province_code") == pl.col("_cand_province")))
        .filter(
            pl.col("_city").is_null()
            | pl.col("city_name").is_null()
            | (pl.col("city_name") == pl.col("_city"))
            | (pl.col("city_name") == "市辖区")
        )
    )
    placed = candidates.filter(pl.len().over("_i") == 1).select("_i", pl.col("adcode").alias("_by_name"), "former")
    ambiguous = (
        candidates.filter(pl.len().over("_i") > 1)
        .select("_i", "adcode", pl.lit("district-name").alias("kind"))
        .unique(["_i", "adcode"])
    )
    frame = frame.join(placed, on="_i", how="left")

    frame = pl.concat([frame, _street_and_road(frame["_rest"]).rename({"street": "_street"})], how="horizontal")
    frame = frame.join(
        _placed_without_district(frame.filter(pl.col("_by_name").is_null()), gazetteer, ambiguous),
        on="_i",
        how="left",
    )
    frame = frame.update(_placed_by_short_name(frame, gazetteer), on="_i", how="left", include_nulls=False)
    frame = frame.with_columns(
        pl.coalesce("_by_name", "_by_evidence").alias("district_adcode"),
        pl.when(pl.col("_by_name").is_not_null() & pl.col("former"))
        .then(pl.lit("former-name"))
        .when(pl.col("_by_name").is_not_null())
        .then(pl.lit("district-name"))
        .otherwise(pl.col("_evidence").fill_null("unresolved"))
        .alias("located_by"),
    )

    streets = gazetteer.streets.rename({"name": "_street", "adcode": "district_adcode"})
    frame = frame.join(streets, on=["_street", "district_adcode"], how="left")

    by_street = gazetteer.zone_streets.unique("street_code", keep="first").rename({"zone_id": "_zone_s"})
    by_road = gazetteer.zone_roads.unique(["adcode", "road"], keep="first").rename(
        {"zone_id": "_zone_r", "adcode": "district_adcode"}
    )
    frame = (
        frame.join(by_street, on="street_code", how="left")
        .join(by_road, on=["district_adcode", "road"], how="left")
        .with_columns(pl.coalesce("_zone_s", "_zone_r").alias("zone_id"))
    )
    return frame.sort("_i").select(
        "district_adcode", "street_code", "zone_id", "located_by", "road", "zone", pl.col("_street").alias("street")
    )


def _placed_without_district(
    unplaced: pl.DataFrame, gazetteer: Gazetteer, hints: pl.DataFrame | None = None
) -> pl.DataFrame:
    """_i, _by_evidence, _evidence for the addresses that name no district (`unplaced`: _i, _rest,
    province_code, _street, road): the district every piece of evidence agrees on, and the kinds
    of evidence, or no row where there is none or it disagrees.

    `hints` (_i, adcode, kind): the districts a name in the address may mean (an ambiguous
    district name, a short one); such an address is placed only where the evidence agrees on one
    of them, and the name's kind opens `_evidence`. A hint lends its province to an address that
    names none, so that the towns and zones of that province count."""
    empty = pl.DataFrame(schema={"_i": pl.UInt32, "_by_evidence": pl.Utf8, "_evidence": pl.Utf8})
    if unplaced.is_empty():
        return empty
    if hints is None:
        hints = pl.DataFrame(schema={"_i": pl.UInt32, "adcode": pl.Utf8, "kind": pl.Utf8})
    hinted_province = hints.select("_i", pl.col("adcode").str.slice(0, 2).alias("_hint_province")).unique()
    unplaced = (
        unplaced.join(hinted_province, on="_i", how="left")
        .with_columns(pl.coalesce("province_code", "_hint_province").alias("province_code"))
        .drop("_hint_province")
    )
    in_province = pl.col("adcode").str.slice(0, 2) == pl.col("province_code")
    zones = (
        unplaced.select(
            "_i", "province_code", pl.col("_rest").str.extract_all(gazetteer.development_zone_pattern).alias("name")
        )
        .explode("name")
        .join(gazetteer.development_zones, on="name")
        .filter(in_province)
        .with_columns(pl.col("adcode").n_unique().over("_i", "name").alias("_districts"))
    )
    decisive = zones.filter(pl.col("_districts") == 1).select(
        "_i",
        pl.when(pl.col("learned")).then(pl.lit("learned-zone")).otherwise(pl.lit("development-zone")).alias("kind"),
        "adcode",
    )
    # A spanning zone bounds the answer: the districts every spanning zone of the address lies in.
    spanning = zones.filter(pl.col("_districts") > 1)
    bounds = (
        spanning.with_columns(pl.col("name").n_unique().over("_i").alias("_zones"))
        .group_by("_i", "adcode")
        .agg(pl.len().alias("_n"), pl.col("_zones").first())
        .filter(pl.col("_n") == pl.col("_zones"))
        .select("_i", pl.col("adcode").alias("_allowed"))
    )
    named_towns = unplaced.select("_i", "province_code", pl.col("_street").alias("name"))
    towns = pl.concat(
        [
            named_towns.join(gazetteer.streets.select("name", "adcode"), on="name").with_columns(
                pl.lit("town-name").alias("kind")
            ),
            named_towns.join(gazetteer.learned_towns, on="name").with_columns(pl.lit("learned-town").alias("kind")),
        ]
    )
    towns = (
        towns.filter(in_province)
        .filter(pl.col("adcode").n_unique().over("_i") == 1)
        .select("_i", "kind", "adcode")
        .unique()
    )
    roads = (
        unplaced.select("_i", "road")
        .join(gazetteer.roads, on="road")
        .select("_i", pl.lit("road-gazetteer").alias("kind"), "adcode")
    )
    evidence = pl.concat([decisive, towns, roads]).unique()
    agreed = (
        evidence.group_by("_i")
        .agg(pl.col("adcode").n_unique().alias("_n"), pl.col("adcode").first(), pl.col("kind").unique())
        .filter(pl.col("_n") == 1)
    )
    bounded = spanning.select("_i").unique().with_columns(pl.lit(True).alias("_bounded"))
    agreed = (
        agreed.join(bounded, on="_i", how="left")
        .join(bounds, left_on=["_i", "adcode"], right_on=["_i", "_allowed"], how="left", coalesce=False)
        .filter(pl.col("_bounded").is_null() | pl.col("_allowed").is_not_null())
    )
    # A hinted address: only where the evidence agrees on a district the name may mean.
    hint_kind = hints.select("_i", pl.col("adcode").alias("_hinted"), pl.col("kind").alias("_hint_kind"))
    agreed = (
        agreed.join(hints.select("_i").unique().with_columns(pl.lit(True).alias("_has_hint")), on="_i", how="left")
        .join(hint_kind, left_on=["_i", "adcode"], right_on=["_i", "_hinted"], how="left")
        .filter(pl.col("_has_hint").is_null() | pl.col("_hint_kind").is_not_null())
    )
    order = {kind: rank for rank, kind in enumerate(EVIDENCE_ORDER)}
    return agreed.select(
        "_i",
        pl.col("adcode").alias("_by_evidence"),
        pl.concat_list(
            pl.when(pl.col("_hint_kind").is_not_null())
            .then(pl.concat_list(pl.col("_hint_kind")))
            .otherwise(pl.lit([], pl.List(pl.Utf8))),
            pl.when(pl.col("_bounded")).then(pl.lit(["development-zone"])).otherwise(pl.lit([], pl.List(pl.Utf8))),
            pl.col("kind"),
        )
        .list.unique()
        .list.eval(pl.element().sort_by(pl.element().replace_strict(order, return_dtype=pl.Int8)))
        .list.join("+")
        .alias("_evidence"),
    ).cast({"_i": pl.UInt32})


def _placed_by_short_name(frame: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """_i, _street, road, _by_evidence, _evidence for the addresses still unplaced that open
    (after province and city) with a district's short name (上海浦东..., 松江叶榭镇...): placed
    where a town or road right after the name agrees on one district the name may mean."""
    columns = pl.Schema(
        {"_i": pl.UInt32, "_street": pl.Utf8, "road": pl.Utf8, "_by_evidence": pl.Utf8, "_evidence": pl.Utf8}
    )
    open_ = (
        frame.filter(pl.col("_area").is_null() & pl.col("_by_evidence").is_null())
        .select(
            "_i",
            "_rest",
            "_city",
            "province_code",
            pl.col("_rest").str.extract(f"^({gazetteer.short_area_pattern})", 1).alias("_short"),
        )
        .filter(pl.col("_short").is_not_null())
    )
    if open_.is_empty():
        return pl.DataFrame(schema=columns)
    hints = (
        open_.select("_i", "_short", "_city", "province_code")
        .join(gazetteer.short_areas.rename({"name": "_short", "province_code": "_cand_province"}), on="_short")
        .filter(pl.col("province_code").is_null() | (pl.col("province_code") == pl.col("_cand_province")))
        .filter(
            pl.col("_city").is_null()
            | pl.col("city_name").is_null()
            | (pl.col("city_name") == pl.col("_city"))
            | (pl.col("city_name") == "市辖区")
        )
        .select("_i", "adcode", pl.lit("district-short-name").alias("kind"))
        .unique(["_i", "adcode"])
    )
    rest = open_.with_columns(pl.col("_rest").str.slice(pl.col("_short").str.len_chars()).alias("_rest"))
    rest = pl.concat([rest, _street_and_road(rest["_rest"]).rename({"street": "_street"})], how="horizontal")
    found = _placed_without_district(rest, gazetteer, hints)
    return (
        rest.select("_i", "_street", "road")
        .join(found, on="_i", how="inner")
        .filter(pl.col("_evidence").str.starts_with("district-short-name+"))
        .select(columns.names())
        .cast(columns)
    )


def _leading_names(frame: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """_province, _city and _area: the names that open `_rest`, each right after the one before
    (or null), as one anchored pattern with an optional group for each would find them; `_rest`
    becomes what follows them, as `street_and_road` would find it.

    Each name is cut off by an anchored replace rather than captured: a regex with capture
    groups runs on a slower engine, and these alternations hold thousands of names."""
    for name, pattern in (
        ("_province", gazetteer.province_pattern),
        ("_city", gazetteer.city_pattern),
        ("_area", gazetteer.area_pattern),
    ):
        after = pl.col("_rest").str.replace(f"^(?:{pattern})", "")
        taken = pl.col("_rest").str.len_chars() - after.str.len_chars()
        frame = frame.with_columns(
            pl.when(taken > 0).then(pl.col("_rest").str.head(taken)).alias(name), after.alias("_rest")
        )
    return frame


def locate_batch(addresses: pl.Series, gazetteer: Gazetteer, known: pl.DataFrame) -> pl.DataFrame:
    """`locate` for a new batch: the road, zone and town gazetteers learn from `known` (address,
    district_adcode of addresses already placed by a district name) and from the batch's own
    addresses placed by name, then place the batch's addresses that name no district."""
    first = _locate(addresses, gazetteer)
    by_name = first["located_by"].is_in(["district-name", "former-name"])
    seen = street_and_road(known["address"], gazetteer)
    adcodes = pl.concat([known["district_adcode"], first["district_adcode"].filter(by_name)])
    learned_roads = _roads_in_one_district(pl.concat([seen["road"], first["road"].filter(by_name)]), adcodes)
    learned_zones = _names_in_one_district(pl.concat([seen["zone"], first["zone"].filter(by_name)]), adcodes)
    learned_towns = _names_in_one_district(pl.concat([seen["street"], first["street"].filter(by_name)]), adcodes)
    first = first.drop("road", "zone", "street")
    if learned_roads.is_empty() and learned_zones.is_empty() and learned_towns.is_empty():
        return first
    # Only addresses that name no district can gain from what was learned: place those again.
    unplaced = (~by_name).arg_true()
    learned = gazetteer.with_roads(learned_roads).with_learned_zones(learned_zones).with_learned_towns(learned_towns)
    again = locate(addresses.gather(unplaced), learned)
    return (
        first.with_row_index("_i")
        .update(again.with_columns(unplaced.alias("_i")), on="_i", include_nulls=False)
        .drop("_i")
    )
