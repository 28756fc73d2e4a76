"""The synthetic registry generator (see the package docstring for the profiles)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

from districtlens import refdata
from districtlens.ingest.packs import load_pack
from districtlens.ingest.validate import USCC_ALPHABET
from districtlens.yamltext import load_yaml

COLUMNS = [
    "uscc",
    "name",
    "name_en",
    "legal_form",
    "address",
    "industry_code",
    "founded",
    "status",
    "year",
    "revenue",
    "tax",
    "employees",
    "rd_spend",
    "business_scope",
    "tags",
    "ownership_type",
    "hq_status",
]

# GB 32100-2015: the 31-character set and the weights 3^i mod 31 of positions 1..17.
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
# GB 11714-1997 organisation code (positions 9-17 of a USCC): weights of its first 8 characters.
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ORG_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"  # letters valid in both code sets

# Trade-name syllables with their pinyin, for names like 上海华睿... / Shanghai Huarui ...
SYLLABLES = [
    ("华", "hua"),
    ("睿", "rui"),
    ("博", "bo"),
    ("鑫", "xin"),
    ("瑞", "rui"),
    ("泰", "tai"),
    ("恒", "heng"),
    ("联", "lian"),
    ("创", "chuang"),
    ("新", "xin"),
    ("达", "da"),
    ("源", "yuan"),
    ("科", "ke"),
    ("智", "zhi"),
    ("信", "xin"),
    ("明", "ming"),
    ("德", "de"),
    ("海", "hai"),
    ("天", "tian"),
    ("宏", "hong"),
    ("嘉", "jia"),
    ("诚", "cheng"),
    ("安", "an"),
    ("润", "run"),
    ("佳", "jia"),
    ("云", "yun"),
    ("卓", "zhuo"),
    ("越", "yue"),
    ("锦", "jin"),
    ("瀚", "han"),
    ("领", "ling"),
    ("弘", "hong"),
    ("致", "zhi"),
    ("远", "yuan"),
    ("辰", "chen"),
    ("启", "qi"),
    ("晟", "sheng"),
    ("盛", "sheng"),
    ("汇", "hui"),
    ("融", "rong"),
    ("拓", "tuo"),
    ("峰", "feng"),
    ("广", "guang"),
    ("东", "dong"),
    ("方", "fang"),
    ("益", "yi"),
    ("康", "kang"),
    ("和", "he"),
    ("美", "mei"),
    ("星", "xing"),
    ("宇", "yu"),
    ("众", "zhong"),
    ("合", "he"),
    ("思", "si"),
    ("迈", "mai"),
    ("凯", "kai"),
    ("磊", "lei"),
    ("浩", "hao"),
    ("悦", "yue"),
    ("沃", "wo"),
    ("璞", "pu"),
    ("靖", "jing"),
    ("霖", "lin"),
    ("皓", "hao"),
    ("麒", "qi"),
    ("骏", "jun"),
    ("昊", "hao"),
    ("钧", "jun"),
    ("曜", "yao"),
    ("烨", "ye"),
    ("珏", "jue"),
    ("琪", "qi"),
    ("蓝", "lan"),
    ("青", "qing"),
    ("禾", "he"),
    ("木", "mu"),
    ("桥", "qiao"),
    ("舟", "zhou"),
    ("川", "chuan"),
    ("岚", "lan"),
    ("朗", "lang"),
    ("复", "fu"),
    ("永", "yong"),
    ("立", "li"),
]
# (name suffix zh, name suffix en, legal form): limited company, company limited by shares.
LEGAL_FORMS = [
    ("有限公司", "Co., Ltd.", "有限责任公司"),
    ("股份有限公司", "Co., Ltd.", "股份有限公司"),
]
PARTNERSHIP = ("（有限合伙）", "L.P.", "有限合伙企业")
INDIVIDUAL = ("经营部", "Trading Store", "个体工商户")
# The bulletins' four ownership groups, in the order of profiles.yaml's `ownership` mixes.
OWNERSHIP_TYPES = ["国有及集体企业", "私营企业", "外商投资企业", "个体工商户"]
STATE, PRIVATE, FOREIGN, INDIVIDUAL_BUSINESS = range(4)
MULTINATIONAL_HQ = "跨国公司地区总部"
OTHER_HQ = "总部企业"
STATUS_ACTIVE = ["存续", "在业"]
STATUS_CLOSED = "注销"
TAGS = {"高新技术企业": 0, "专精特新": 1, "外资": 2, "总部": 3}
# Yearly factor of the baskets COVID hit (2020 and 2022 lockdowns in Shanghai).
COVID_YEAR_FACTOR = {2019: 1.0, 2020: 0.82, 2021: 1.0, 2022: 0.85, 2023: 1.02, 2024: 1.05}


@dataclass(frozen=True)
class _Profiles:
    adcodes: list[str]
    district_names: list[str]
    shares: np.ndarray  # [D]
    central: np.ndarray  # [D] bool
    basket_ids: list[str]
    basket_cum: np.ndarray  # [D, B] cumulative probabilities
    individual_cum: np.ndarray  # [D, B] the same over the baskets individual businesses take
    baskets: list[dict[str, Any]]
    secondary_odds: np.ndarray  # [D, B] chance that an enterprise of the basket is in a secondary class
    ownership_cum: np.ndarray  # [D, 4] cumulative shares of OWNERSHIP_TYPES
    mnc_hq_rate: np.ndarray  # [D] share of foreign-invested enterprises that are regional HQs
    hq_rate: np.ndarray  # [D] share of other enterprises that are headquarters
    roads: list[str]  # all roads, grouped by district
    road_district: np.ndarray  # [R] district index
    road_former: list[str]  # [R] pre-merger district name or ''
    road_offset: np.ndarray  # [D] first road of the district
    road_count: np.ndarray  # [D]
    ambiguous: list[str]


def _yaml(name: str) -> dict[str, Any]:
    return load_yaml(resources.files("districtlens.demo").joinpath(name).read_text("utf-8"))


@cache
def _profiles() -> _Profiles:
    profiles, roads_doc = _yaml("profiles.yaml"), _yaml("roads.yaml")
    names = dict(
        zip(
            *refdata.shanghai_districts().select("adcode", "name").to_dict(as_series=False).values(),
            strict=True,
        )
    )
    adcodes = sorted(profiles["districts"])
    if adcodes != sorted(names):
        raise ValueError("demo profiles must cover exactly the 16 districts of refdata")
    basket_ids = list(profiles["baskets"])
    classes = refdata.gbt_class_codes()
    for basket_id, basket in profiles["baskets"].items():
        unknown = [c for c in basket["classes"] if c not in classes]
        if unknown:
            raise ValueError(f"demo basket {basket_id}: not GB/T 4754-2017 classes: {unknown}")
    weights = np.array(
        [
            [
                profiles["districts"][a]["weights"].get(b, profiles["districts"][a]["weights"]["base"])
                for b in basket_ids
            ]
            for a in adcodes
        ],
        dtype=float,
    )
    cum = _cumulative(weights)
    takes_individuals = np.array([bool(profiles["baskets"][b].get("individuals")) for b in basket_ids])
    individual_cum = _cumulative(weights * takes_individuals)
    # A district's `secondary` factor scales the odds of a basket's secondary (factory) classes.
    sec_share = np.array([np.mean([is_secondary(c) for c in profiles["baskets"][b]["classes"]]) for b in basket_ids])
    factor = np.array([profiles["districts"][a].get("secondary", 1.0) for a in adcodes], dtype=float)[:, None]
    secondary_odds = sec_share * factor / (sec_share * factor + (1 - sec_share))
    mixes = profiles["ownership"]["mixes"]
    mix_of = [mixes[profiles["districts"][a].get("ownership", profiles["ownership"]["default"])] for a in adcodes]
    ownership_cum = _cumulative(np.array([[m["weights"][t] for t in OWNERSHIP_TYPES] for m in mix_of], dtype=float))
    roads: list[str] = []
    road_district: list[int] = []
    road_former: list[str] = []
    offsets: list[int] = []
    counts: list[int] = []
    for i, adcode in enumerate(adcodes):
        entry = roads_doc["districts"][adcode]
        offsets.append(len(roads))
        pairs = [(r, entry.get("former_all", "")) for r in entry["roads"]]
        pairs += [(r, old) for old, rs in (entry.get("former") or {}).items() for r in rs]
        roads += [r for r, _ in pairs]
        road_former += [f for _, f in pairs]
        road_district += [i] * len(pairs)
        counts.append(len(pairs))
    if len(set(roads)) != len(roads) or set(roads) & set(roads_doc["ambiguous"]):
        raise ValueError("demo roads must each lie in one district and not be ambiguous")
    return _Profiles(
        adcodes=adcodes,
        district_names=[names[a] for a in adcodes],
        shares=np.array([profiles["districts"][a]["share"] for a in adcodes], dtype=float),
        central=np.array([bool(profiles["districts"][a].get("central")) for a in adcodes]),
        basket_ids=basket_ids,
        basket_cum=cum,
        individual_cum=individual_cum,
        baskets=list(profiles["baskets"].values()),
        secondary_odds=secondary_odds,
        ownership_cum=ownership_cum,
        mnc_hq_rate=np.array([m["multinational_hq_of_foreign"] for m in mix_of], dtype=float),
        hq_rate=np.array([m["headquarters_of_others"] for m in mix_of], dtype=float),
        roads=roads,
        road_district=np.array(road_district),
        road_former=road_former,
        road_offset=np.array(offsets),
        road_count=np.array(counts),
        ambiguous=roads_doc["ambiguous"],
    )


def _cumulative(weights: np.ndarray) -> np.ndarray:
    """Row-wise cumulative probabilities of non-negative weights (last column exactly 1)."""
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    cum[:, -1] = 1.0
    return cum


def is_secondary(code: str) -> bool:
    """Whether a GB/T 4754-2017 class is in the secondary sector (China's three-sector rule of
    2018: divisions 06-10, 12-42 and 44-50; 05, 11 and 43 serve the other sectors and are tertiary)."""
    division = int(code[:2])
    return 6 <= division <= 42 and division != 11 or 44 <= division <= 50


def uscc_check_chars(first17: np.ndarray) -> np.ndarray:
    """GB 32100-2015 check characters of an [n, 17] array of charset indices (0..30).

    check = 31 - (sum_i w_i * c_i mod 31), with w_i = 3^i mod 31, and 31 written as '0'.
    """
    check = 31 - (first17 @ USCC_WEIGHTS) % 31
    return np.where(check == 31, 0, check)


def _org_check(body8: np.ndarray) -> np.ndarray:
    """GB 11714 check character of [n, 8] organisation-code values (digits 0-9, A=10 ... Z=35),
    as a USCC charset index: C9 = 11 - (sum w_i c_i mod 11); 10 is 'X' and 11 is '0'."""
    check = 11 - (body8 @ ORG_WEIGHTS) % 11
    return np.where(check == 11, 0, np.where(check == 10, USCC_ALPHABET.index("X"), check))


def _uscc_codes(rng: np.random.Generator, region: np.ndarray, new_style: np.ndarray, kind: np.ndarray) -> pl.Series:
    """Unique 18-character codes: '9' (registered with market regulation) + the registrant kind
    (1 an enterprise, 2 an individual business) + region code ([n, 6] digits) + organisation code
    + check."""
    n = len(region)
    uscc_value = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
    org_value = np.array([int(ch, 36) for ch in USCC_ALPHABET])  # the charset's GB 11714 values
    letters = np.array([uscc_value[ch] for ch in ORG_LETTERS])
    codes = np.empty((n, 17), dtype=np.int64)
    codes[:, 0], codes[:, 1] = 9, kind
    codes[:, 2:8] = region
    todo = np.arange(n)
    while len(todo):
        m = len(todo)
        body = rng.integers(0, 10, size=(m, 8))
        mixed = rng.random((m, 6)) < 0.4
        tail = np.where(mixed, letters[rng.integers(0, len(letters), size=(m, 6))], body[:, 2:])
        new = new_style[todo]
        body[new, 0], body[new, 1] = uscc_value["M"], uscc_value["A"]
        body[new, 2:] = tail[new]
        codes[todo, 8:16] = body
        codes[todo, 16] = _org_check(org_value[body])
        as_text = _as_text(np.column_stack([codes, uscc_check_chars(codes)]))
        todo = np.flatnonzero(~as_text.is_first_distinct().to_numpy())
    return _as_text(np.column_stack([codes, uscc_check_chars(codes)]))


def _as_text(indices: np.ndarray) -> pl.Series:
    charset = np.frombuffer(USCC_ALPHABET.encode("ascii"), dtype=np.uint8)
    return pl.Series(charset[indices].view(f"S{indices.shape[1]}").ravel()).cast(pl.String)


def _ownership(rng: np.random.Generator, p: _Profiles, district: np.ndarray) -> np.ndarray:
    """Each enterprise's ownership group: a district's enterprises take its mix in exact quotas
    (largest remainders), shuffled, so that a small registry still follows the published mix."""
    ownership = np.empty(len(district), dtype=np.int64)
    shares = np.diff(p.ownership_cum, axis=1, prepend=0.0)
    for d in range(len(p.adcodes)):
        rows = np.flatnonzero(district == d)
        exact = shares[d] * len(rows)
        quota = np.floor(exact).astype(int)
        quota[np.argsort(quota - exact)[: len(rows) - quota.sum()]] += 1
        ownership[rows] = rng.permutation(np.repeat(np.arange(len(OWNERSHIP_TYPES)), quota))
    return ownership


def _quota(rng: np.random.Generator, district: np.ndarray, eligible: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """A random `rates[d]` of each district's eligible rows (rounded, at least one where the rate
    is positive and a row is eligible): a published count scaled down stays present."""
    chosen = np.zeros(len(district), dtype=bool)
    for d, rate in enumerate(rates):
        rows = np.flatnonzero((district == d) & eligible)
        if rate > 0 and len(rows):
            chosen[rng.choice(rows, size=max(1, round(rate * len(rows))), replace=False)] = True
    return chosen


def _sector_pools(p: _Profiles) -> tuple[list[list[str]], list[list[str]]]:
    """Per basket, its tertiary then its secondary classes (pool 2b and 2b + 1), and the scopes
    each takes (`factory_scopes` for the secondary classes, when the basket has them). A basket
    without classes of one sector gives the other's to both."""
    classes: list[list[str]] = []
    scopes: list[list[str]] = []
    for basket in p.baskets:
        tertiary = [c for c in basket["classes"] if not is_secondary(c)]
        secondary = [c for c in basket["classes"] if is_secondary(c)]
        classes += [tertiary or secondary, secondary or tertiary]
        scopes += [basket["scopes"], basket.get("factory_scopes") or basket["scopes"]]
    return classes, scopes


def _pool_index(rng: np.random.Generator, pools: list[list[Any]], basket: np.ndarray):
    """(flat pool, index into it): one item per row, uniformly from its basket's pool."""
    sizes = np.array([len(pool) for pool in pools])
    offsets = np.cumsum(sizes) - sizes
    index = offsets[basket] + (rng.random(len(basket)) * sizes[basket]).astype(int)
    return pl.Series([item for pool in pools for item in pool]), index


def generate_registry(seed: int, n_enterprises: int = 60_000, years: range = range(2019, 2025)) -> pl.DataFrame:
    """A synthetic registry of Shanghai's 16 districts, one row per enterprise-year, all text.

    Columns (the import format, see COLUMNS): uscc, name, name_en, legal_form, address,
    industry_code, founded, status, year, revenue, tax, employees, rd_spend, business_scope,
    tags, ownership_type, hq_status. Money in 万元; an unknown value is ''. Deterministic for a seed. Every value is
    synthetic, including the codes and figures of the Jing'an pack's named enterprises, which
    appear in Jing'an under their real names.
    """
    if n_enterprises < 1 or len(years) < 1:
        raise ValueError("n_enterprises and years must not be empty")
    p = _profiles()
    rng = np.random.default_rng(seed)
    first_year, last_year = years[0], years[-1]
    n = n_enterprises
    jingan = p.adcodes.index("310106")

    district = rng.choice(len(p.adcodes), size=n, p=p.shares)
    # The pack's named enterprises take the first rows: in Jing'an, open, large, named; foreign-
    # invested when the pack lists them in the Fortune Global 500, private otherwise.
    named = _named_enterprises()[:n]
    k = len(named)
    district[:k] = jingan
    ownership = _ownership(rng, p, district)
    ownership[:k] = [FOREIGN if e["global500"] else PRIVATE for e in named]
    individual = ownership == INDIVIDUAL_BUSINESS
    basket_cum = np.where(individual[:, None], p.individual_cum[district], p.basket_cum[district])
    basket = (rng.random(n)[:, None] > basket_cum).sum(axis=1)
    secondary = rng.random(n) < p.secondary_odds[district, basket]
    class_pools, scope_pools = _sector_pools(p)
    classes, class_index = _pool_index(rng, class_pools, 2 * basket + secondary)
    words, word_index = _pool_index(rng, [b["words"] for b in p.baskets], basket)
    scopes, scope_index = _pool_index(rng, scope_pools, 2 * basket + secondary)

    # Founding: registrations grow over time; a few enterprises close during the period.
    founded_year = np.clip(last_year - np.floor(rng.exponential(9.0, n)).astype(int), 1985, last_year)
    founded_day = rng.integers(0, 365, n)
    closes = rng.random(n) < 0.07
    # An individual business is a shop or a studio: a tenth of a company's typical size.
    size = np.exp(1.2 * rng.standard_normal(n)) * np.where(individual, 0.1, 1.0)

    closes[:k] = False
    size[:k] *= 20
    for i, ent in enumerate(named):
        if ent["founded"]:
            founded_year[i] = ent["founded"]
    start = np.maximum(founded_year, first_year)
    end = np.where(closes, start + np.floor(rng.random(n) * (last_year - start + 1)).astype(int), last_year)

    partnership = rng.random(n) < np.array([b.get("partnership", 0.0) for b in p.baskets])[basket]
    legal = np.where(individual, 3, np.where(partnership, 2, np.where(rng.random(n) < 0.1, 1, 0)))
    forms = pl.DataFrame([*LEGAL_FORMS, PARTNERSHIP, INDIVIDUAL], schema=["s", "se", "legal_form"], orient="row")
    syllables = pl.DataFrame(SYLLABLES, schema=["zh", "en"], orient="row")
    syll = rng.integers(0, len(SYLLABLES), size=(n, 3))

    tech = np.isin(
        np.array(p.basket_ids)[basket],
        ["biopharma", "data", "ic", "digital-security", "aerospace", "health-services"],
    )
    # Headquarters: multinational regional HQs among foreign-invested enterprises, other HQs among
    # the companies of head-office baskets (not shops, restaurants or building firms).
    company = ~individual & ~np.isin(np.array(p.basket_ids)[basket], ["hospitality", "construction"])
    mnc_hq = _quota(rng, district, ownership == FOREIGN, p.mnc_hq_rate)
    other_hq = company & ~mnc_hq & (rng.random(n) < p.hq_rate[district])
    tagged = np.column_stack(
        [
            ~individual & (rng.random(n) < np.where(tech, 0.3, 0.02)),  # 高新技术企业
            ~individual & (rng.random(n) < np.where(tech, 0.06, 0.005)),  # 专精特新
            ownership == FOREIGN,  # 外资
            mnc_hq | other_hq,  # 总部
        ]
    )
    tagged[:k, 0] = True
    has_en = rng.random(n) < np.where(tagged[:, 2], 0.9, 0.15)
    status_index = np.where(closes, 2, rng.integers(0, 2, n))

    frame = pl.DataFrame(
        {
            "t1": syllables["zh"].gather(syll[:, 0]),
            "t2": syllables["zh"].gather(syll[:, 1]),
            "t3": syllables["zh"].gather(syll[:, 2]),
            "e1": syllables["en"].gather(syll[:, 0]).str.to_titlecase(),
            "e2": syllables["en"].gather(syll[:, 1]),
            "e3": syllables["en"].gather(syll[:, 2]),
            "w": words.gather(word_index).list.get(0),
            "we": words.gather(word_index).list.get(1),
            "s": forms["s"].gather(legal),
            "se": forms["se"].gather(legal),
            "legal_form": forms["legal_form"].gather(legal),
            "industry_code": classes.gather(class_index),
            "business_scope": scopes.gather(scope_index),
            "has_en": has_en,
            "status": pl.Series([*STATUS_ACTIVE, STATUS_CLOSED]).gather(status_index),
            "founded": pl.Series(
                (founded_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
                + founded_day.astype("timedelta64[D]")
            ).dt.to_string("%Y-%m-%d"),
            "tags": _tags(tagged),
            "ownership_type": pl.Series(OWNERSHIP_TYPES).gather(ownership),
            "hq_status": pl.Series(["", OTHER_HQ, MULTINATIONAL_HQ]).gather(np.where(mnc_hq, 2, other_hq.astype(int))),
        }
    )
    # A name already taken gets a third syllable (names are unique within a city's registry).
    frame = frame.with_columns(pl.concat_str([pl.lit("上海"), "t1", "t2", "w", "s"]).alias("name")).with_columns(
        taken=pl.col("name").cum_count().over("name") > 1
    )
    frame = frame.with_columns(
        pl.when("taken")
        .then(pl.concat_str([pl.lit("上海"), "t1", "t2", "t3", "w", "s"]))
        .otherwise("name")
        .alias("name"),
        pl.when("taken")
        .then(pl.concat_str(["e1", "e2", "e3"]))
        .otherwise(pl.concat_str(["e1", "e2"]))
        .alias("trade_en"),
    ).with_columns(
        pl.when("has_en")
        .then(pl.concat_str([pl.lit("Shanghai "), "trade_en", pl.lit(" "), "we", pl.lit(" "), "se"]))
        .otherwise(pl.lit(""))
        .alias("name_en"),
        address=_addresses(rng, p, district, founded_year),
    )
    frame = _with_named(frame, named)

    # Registered in Zhabei before the 2015 merger: the USCC keeps Zhabei's code 310108.
    regions = np.array([[int(d) for d in code] for code in [*p.adcodes, "310108"]])
    zhabei = (district == jingan) & frame["address"].str.contains("闸北区").to_numpy() & (founded_year < 2015)
    frame = frame.with_columns(
        uscc=_uscc_codes(
            rng, regions[np.where(zhabei, len(p.adcodes), district)], founded_year >= 2016, np.where(individual, 2, 1)
        )
    )
    facts = _facts(rng, p, basket, district, founded_year, size, start, end, years)
    return facts.join(frame.with_row_index("ent"), on="ent", how="left").select(COLUMNS)


def _named_enterprises() -> list[dict[str, Any]]:
    return [
        {
            "zh": e.names.zh,
            "en": e.names.en,
            "industry_code": e.industry_code,
            "founded": e.founded,
            "global500": e.global500,
            "scope": "；".join(w for t in e.tracks for w in _track_keywords().get(t, [])[:3]) + "相关技术开发与服务",
        }
        for e in load_pack("jingan").enterprises
    ]


@cache
def _track_keywords() -> dict[str, list[str]]:
    return {t.id: t.keywords.get("zh", []) for t in load_pack("jingan").tracks}


def _with_named(frame: pl.DataFrame, named: list[dict[str, Any]]) -> pl.DataFrame:
    """Overwrite the first rows with the named enterprises' real names, class and founding year."""
    if not named:
        return frame
    real = pl.DataFrame(
        {
            "name": [e["zh"] for e in named],
            "name_en": [e["en"] for e in named],
            "legal_form": ["股份有限公司" if e["zh"].endswith("股份有限公司") else "有限责任公司" for e in named],
            "industry_code": [e["industry_code"] for e in named],
            "business_scope": [e["scope"] for e in named],
            "year_override": [str(e["founded"]) if e["founded"] else None for e in named],
        }
    )
    head = (
        frame.head(len(named))
        .with_columns(real.drop("year_override"))
        .with_columns(
            pl.when(real["year_override"].is_not_null())
            .then(pl.concat_str([real["year_override"], pl.col("founded").str.slice(4)]))
            .otherwise("founded")
            .alias("founded")
        )
    )
    return pl.concat([head, frame.slice(len(named))])


def _addresses(rng: np.random.Generator, p: _Profiles, district: np.ndarray, founded_year: np.ndarray) -> pl.Series:
    """Registered addresses: mostly 上海市<district><road><n>号, some with a pre-merger district
    name (only on roads of the old district's area, likelier for older registrations), about 8 %
    with no district at all, about 1.5 % on a road that crosses districts and with no district."""
    n = len(district)
    road = p.road_offset[district] + (rng.random(n) * p.road_count[district]).astype(int)
    former = pl.Series(p.road_former).gather(road)
    use_former = (former != "").to_numpy() & (rng.random(n) < np.where(founded_year < 2016, 0.35, 0.08))
    form = rng.random(n)
    no_district = form < 0.08
    unresolvable = form > 0.985
    district_name = pl.Series(p.district_names).gather(district)
    frame = pl.DataFrame(
        {
            "district": district_name,
            "former": former,
            "use_former": use_former,
            "no_district": no_district,
            "city": rng.random(n) < 0.5,
            "unresolvable": unresolvable,
            "road": pl.Series(p.roads).gather(road),
            "ambiguous": pl.Series(p.ambiguous).gather(rng.integers(0, len(p.ambiguous), n)),
            "number": rng.integers(1, 1600, n),
            "floor": rng.integers(2, 30, n),
            "room": rng.integers(101, 2899, n),
            "unit": rng.random(n),
        }
    )
    prefix = (
        pl.when("unresolvable")
        .then(pl.lit("上海市"))
        .when("no_district")
        .then(pl.when("city").then(pl.lit("上海市")).otherwise(pl.lit("")))
        .when("use_former")
        .then(pl.concat_str([pl.lit("上海市"), "former"]))
        .otherwise(pl.concat_str([pl.lit("上海市"), "district"]))
    )
    road_name = pl.when("unresolvable").then("ambiguous").otherwise("road")
    unit = (
        pl.when(pl.col("unit") < 0.3)
        .then(pl.concat_str([pl.col("floor").cast(pl.String), pl.lit("层")]))
        .when(pl.col("unit") < 0.6)
        .then(pl.concat_str([pl.col("room").cast(pl.String), pl.lit("室")]))
        .otherwise(pl.lit(""))
    )
    return frame.select(
        pl.concat_str([prefix, road_name, pl.col("number").cast(pl.String), pl.lit("号"), unit])
    ).to_series()


def _tags(tagged: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({f"t{i}": tagged[:, i] for i in range(len(TAGS))})
    parts = [pl.when(pl.col(f"t{i}")).then(pl.lit(tag)) for tag, i in TAGS.items()]
    return frame.select(pl.concat_str(parts, separator=";", ignore_nulls=True).fill_null("")).to_series()


def _facts(
    rng: np.random.Generator,
    p: _Profiles,
    basket: np.ndarray,
    district: np.ndarray,
    founded_year: np.ndarray,
    size: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    years: range,
) -> pl.DataFrame:
    """One row per enterprise and active year with revenue, tax, employees and R&D (万元).

    revenue = scale_b * central_uplift * size * (1+g_b)^(t - t0) * covid_b(t) * ramp(age)
              * exp(0.12 e_t), with size = exp(1.2 z) per enterprise (x20 for the named ones)
              and ramp(age) = 1 - exp(-(age + 1) / 2).
    """
    active = np.maximum(end - start + 1, 0)
    ent = np.repeat(np.arange(len(basket)), active)
    offset = np.arange(len(ent)) - np.repeat(np.cumsum(active) - active, active)
    year = start[ent] + offset
    b = basket[ent]
    param = {
        key: np.array([bk.get(key, 0.0) for bk in p.baskets], dtype=float)
        for key in ("revenue", "tax_rate", "revenue_per_employee", "rd", "growth")
    }
    covid = np.array([bool(bk.get("covid")) for bk in p.baskets])
    # Head offices of service baskets in central districts are larger.
    uplift = np.where(p.central[district], 1.4, 1.0)
    size = size * uplift
    year_factor = np.array([COVID_YEAR_FACTOR.get(y, 1.0) for y in years])[year - years[0]]
    revenue = (
        param["revenue"][b]
        * size[ent]
        * (1 + param["growth"][b]) ** (year - years[0])
        * np.where(covid[b], year_factor, 1.0)
        * (1 - np.exp(-(year - founded_year[ent] + 1) / 2.0))
        * np.exp(0.12 * rng.standard_normal(len(ent)))
    )
    tax = revenue * param["tax_rate"][b] * np.exp(0.25 * rng.standard_normal(len(ent)))
    employees = np.maximum(
        1,
        np.round(revenue / param["revenue_per_employee"][b] * np.exp(0.3 * rng.standard_normal(len(ent)))),
    )
    rd = revenue * param["rd"][b] * np.exp(0.4 * rng.standard_normal(len(ent)))
    rd_known = (param["rd"][b] > 0) & (rng.random(len(ent)) < 0.85)
    return pl.DataFrame(
        {
            "ent": ent.astype(np.uint32),
            "year": year,
            "revenue": revenue,
            "tax": tax,
            "employees": employees.astype(np.int64),
            "rd_spend": np.where(rd_known, rd, np.nan),
        }
    ).select(
        "ent",
        pl.col("year").cast(pl.String),
        *(pl.col(c).round(2).cast(pl.String) for c in ("revenue", "tax")),
        pl.col("employees").cast(pl.String),
        pl.col("rd_spend").fill_nan(None).round(2).cast(pl.String).fill_null(""),
    )
