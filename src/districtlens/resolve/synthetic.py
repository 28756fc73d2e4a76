"""A labelled, synthetic set of enterprise records as the Commission receives them, for evaluating
and benchmarking the linker. Every record says which enterprise it really is (`entity_id`).

Enterprises get a trade name of two or three characters from a pool of common trade-name
characters (so unrelated enterprises do share trade names, as in a real registry), business
words, a legal form, a city and an address, a valid credit code, and an English name built from
the pinyin of the trade name. Hard negatives are added on purpose: for a share of enterprises a
sibling with the same trade name in another city, with other business words, or as a
股份有限公司 beside a 有限公司. Alias enterprises (AstraZeneca = 阿斯利康 ...) come from the alias
table. Five sources then report them:

- `registry`: every enterprise, full name, credit code, address, English name for some;
- `roster`: half of them, code missing for a third, a typo in some names;
- `tenants`: a park's list: short names (trade name + first business word), some with full-width
  brackets, no code, the address sometimes without the city;
- `leads`: traditional characters, the region moved into brackets, typos, no code;
- `news`: English names only (the registered one, or the pinyin of the trade name).
"""

from __future__ import annotations

import numpy as np
import opencc
import polars as pl

from districtlens.ingest.validate import USCC_ALPHABET, uscc_check_char

TRADE_CHARS = {
    "华": "hua",
    "海": "hai",
    "东": "dong",
    "新": "xin",
    "金": "jin",
    "盛": "sheng",
    "天": "tian",
    "达": "da",
    "宏": "hong",
    "信": "xin",
    "安": "an",
    "康": "kang",
    "泰": "tai",
    "利": "li",
    "恒": "heng",
    "通": "tong",
    "博": "bo",
    "源": "yuan",
    "联": "lian",
    "创": "chuang",
    "瑞": "rui",
    "德": "de",
    "明": "ming",
    "光": "guang",
    "丰": "feng",
    "凯": "kai",
    "誉": "yu",
    "嘉": "jia",
    "鼎": "ding",
    "鑫": "xin",
    "辰": "chen",
    "腾": "teng",
    "耀": "yao",
    "晟": "sheng",
    "宇": "yu",
    "峰": "feng",
    "星": "xing",
    "维": "wei",
    "远": "yuan",
    "力": "li",
    "云": "yun",
    "立": "li",
    "成": "cheng",
    "和": "he",
    "永": "yong",
    "浩": "hao",
    "汇": "hui",
    "弘": "hong",
    "正": "zheng",
    "昌": "chang",
    "聚": "ju",
    "朗": "lang",
    "捷": "jie",
    "润": "run",
    "森": "sen",
    "卓": "zhuo",
    "越": "yue",
    "思": "si",
    "奥": "ao",
    "优": "you",
    "迈": "mai",
    "伟": "wei",
    "佳": "jia",
    "睿": "rui",
    "祥": "xiang",
    "锦": "jin",
    "晶": "jing",
    "沃": "wo",
    "易": "yi",
    "贝": "bei",
    "乐": "le",
    "美": "mei",
    "尚": "shang",
    "铭": "ming",
    "帆": "fan",
    "骏": "jun",
    "航": "hang",
    "启": "qi",
    "盈": "ying",
    "亿": "yi",
    "万": "wan",
    "兴": "xing",
    "隆": "long",
    "福": "fu",
    "昊": "hao",
    "钧": "jun",
    "旭": "xu",
    "晨": "chen",
    "蓝": "lan",
    "青": "qing",
    "江": "jiang",
    "湖": "hu",
    "山": "shan",
    "石": "shi",
    "林": "lin",
    "松": "song",
    "竹": "zhu",
    "梅": "mei",
    "兰": "lan",
    "龙": "long",
    "凤": "feng",
    "鹏": "peng",
    "鸿": "hong",
    "雁": "yan",
    "鹰": "ying",
    "豹": "bao",
    "象": "xiang",
    "驰": "chi",
    "翔": "xiang",
    "飞": "fei",
    "逸": "yi",
    "致": "zhi",
    "璞": "pu",
    "璐": "lu",
    "岚": "lan",
    "峻": "jun",
    "澜": "lan",
    "沛": "pei",
    "霖": "lin",
    "桦": "hua",
    "杉": "shan",
    "舜": "shun",
    "禹": "yu",
    "尧": "yao",
    "艾": "ai",
    "诺": "nuo",
}
BUSINESS = {
    "信息科技": "Information Technology",
    "网络科技": "Network Technology",
    "生物医药科技": "Biomedical Technology",
    "生物科技": "Biotechnology",
    "医药科技": "Pharmaceutical Technology",
    "医疗器械": "Medical Devices",
    "电子科技": "Electronic Technology",
    "智能科技": "Intelligent Technology",
    "数据科技": "Data Technology",
    "投资管理": "Investment Management",
    "企业管理": "Enterprise Management",
    "文化传播": "Culture Communication",
    "商贸": "Trading",
    "实业": "Industrial",
    "物流": "Logistics",
    "餐饮管理": "Catering Management",
    "供应链管理": "Supply Chain Management",
    "新能源科技": "New Energy Technology",
    "环保科技": "Environmental Technology",
    "软件": "Software",
    "广告": "Advertising",
    "建设工程": "Construction Engineering",
    "金融信息服务": "Financial Information Services",
}
LEGAL = {"有限公司": "Co., Ltd.", "股份有限公司": "Co., Ltd.", "集团有限公司": "Group Co., Ltd."}
CITIES = {
    "上海": ("shanghai", "静安区"),
    "北京": ("beijing", "海淀区"),
    "杭州": ("hangzhou", "西湖区"),
    "深圳": ("shenzhen", "南山区"),
    "苏州": ("suzhou", "工业园区"),
}
ROADS = (
    "南京西路",
    "延安中路",
    "威海路",
    "江宁路",
    "长寿路",
    "共和新路",
    "万荣路",
    "汶水路",
    "广中路",
    "北京西路",
    "武定路",
    "康定路",
    "新闸路",
    "石门一路",
    "灵石路",
    "场中路",
    "保德路",
    "江场路",
)
FOREIGN = (
    ("AstraZeneca", "阿斯利康", "Investment (China)", "投资（中国）"),
    ("Pfizer", "辉瑞", "Investment", "投资"),
    ("Roche", "罗氏", "Diagnostics", "诊断产品"),
    ("Siemens", "西门子", "(China)", "（中国）"),
    ("Unilever", "联合利华", "Services", "服务"),
    ("Bayer", "拜耳", "Healthcare", "医药保健"),
    ("Starbucks", "星巴克", "Coffee", "咖啡"),
    ("Novartis", "诺华", "(China) Biomedical Research", "（中国）生物医学研究"),
)


def _uscc(rng: np.random.Generator, n: int) -> list[str]:
    """Valid and distinct credit codes: 91 + 310106 + a random 9-character organisation code."""
    alphabet = np.array(list(USCC_ALPHABET))
    body = rng.choice(alphabet, size=(n, 9))
    codes = {"91310106" + "".join(row) for row in body}
    while len(codes) < n:
        codes.add("91310106" + "".join(rng.choice(alphabet, size=9)))
    return [c + uscc_check_char(c) for c in sorted(codes)][:n]


def _enterprises(n: int, rng: np.random.Generator, sibling_share: float) -> pl.DataFrame:
    chars = list(TRADE_CHARS)
    business = list(BUSINESS)
    n_base = int(n / (1 + sibling_share))
    length = rng.choice([2, 3], size=n_base, p=[0.6, 0.4])
    picks = rng.integers(0, len(chars), size=(n_base, 3))
    trades = ["".join(chars[i] for i in row[:k]) for row, k in zip(picks, length, strict=True)]
    base = pl.DataFrame(
        {
            "trade": trades,
            "business": rng.choice(business, size=n_base),
            "legal": rng.choice(list(LEGAL), size=n_base, p=[0.8, 0.15, 0.05]),
            "city": rng.choice(list(CITIES), size=n_base, p=[0.85, 0.05, 0.04, 0.03, 0.03]),
        }
    )
    # Hard negatives: same trade name, another city / other business words / other legal form.
    n_sib = n - n_base
    parent = rng.integers(0, n_base, size=n_sib)
    kind = rng.choice(["city", "business", "legal"], size=n_sib)
    sib = base[parent].with_columns(pl.Series("kind", kind))
    other_city = rng.choice(list(CITIES), size=n_sib)
    other_business = rng.choice(business, size=n_sib)
    sib = sib.with_columns(
        pl.when(pl.col("kind") == "city")
        .then(pl.when(pl.Series(other_city) == pl.col("city")).then(pl.lit("北京")).otherwise(pl.Series(other_city)))
        .otherwise(pl.col("city"))
        .alias("city"),
        pl.when(pl.col("kind") == "business")
        .then(
            pl.when(pl.Series(other_business) == pl.col("business"))
            .then(pl.lit("物流"))
            .otherwise(pl.Series(other_business))
        )
        .otherwise(pl.col("business"))
        .alias("business"),
        pl.when(pl.col("kind") == "legal")
        .then(pl.when(pl.col("legal") == "股份有限公司").then(pl.lit("有限公司")).otherwise(pl.lit("股份有限公司")))
        .otherwise(pl.col("legal"))
        .alias("legal"),
    ).drop("kind")
    ents = pl.concat([base, sib]).unique(["trade", "business", "legal", "city"], keep="first", maintain_order=True)
    m = ents.height
    roads = rng.choice(list(ROADS), size=m)
    numbers = rng.integers(1, 1500, size=m)
    ents = ents.with_columns(
        pl.Series("entity_id", np.arange(m)),
        pl.Series("uscc", _uscc(rng, m)),
        pl.Series("road", roads),
        pl.Series("number", numbers),
    )
    pinyin = {t: "".join(TRADE_CHARS[c] for c in t).capitalize() for t in ents["trade"].unique()}
    district = {c: d for c, (_, d) in CITIES.items()}
    city_en = {c: e.capitalize() for c, (e, _) in CITIES.items()}
    return ents.with_columns(
        (pl.col("city") + pl.col("trade") + pl.col("business") + pl.col("legal")).alias("name"),
        (
            pl.col("city").replace_strict(city_en)
            + " "
            + pl.col("trade").replace_strict(pinyin)
            + " "
            + pl.col("business").replace_strict(BUSINESS)
            + " "
            + pl.col("legal").replace_strict(LEGAL)
        ).alias("name_en"),
        (
            pl.col("city")
            + "市"
            + pl.col("city").replace_strict(district)
            + pl.col("road")
            + pl.col("number").cast(pl.Utf8)
            + "号"
        ).alias("address"),
    )


def _foreign(start: int, rng: np.random.Generator) -> pl.DataFrame:
    rows = []
    for i, (en, zh, en_biz, zh_biz) in enumerate(FOREIGN):
        rows.append(
            {
                "trade": zh,
                "business": zh_biz,
                "legal": "有限公司",
                "city": "上海",
                "entity_id": start + i,
                "name": f"{zh}{zh_biz}有限公司",
                "name_en": f"{en} {en_biz} Co., Ltd.",
                "address": f"上海市静安区南京西路{rng.integers(1, 1500)}号",
            }
        )
    frame = pl.DataFrame(rows)
    return frame.with_columns(pl.Series("uscc", _uscc(rng, frame.height)))


def _typo(frame: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
    """One character of the trade name replaced by another (an input slip)."""
    chars = list(TRADE_CHARS)
    out = []
    for name, trade in zip(frame["name"].to_list(), frame["trade"].to_list(), strict=True):
        at = name.find(trade)
        if at >= 0:
            i = at + int(rng.integers(0, len(trade)))
            name = name[:i] + chars[rng.integers(0, len(chars))] + name[i + 1 :]
        out.append(name)
    return pl.Series(out)


def generate(
    n_enterprises: int = 1000, seed: int = 7, sibling_share: float = 0.25, foreign: bool = True
) -> pl.DataFrame:
    """Records (record_id, name, uscc, name_en, address, source, entity_id) of the five sources."""
    rng = np.random.default_rng(seed)
    ents = _enterprises(n_enterprises, rng, sibling_share)
    if foreign:
        ents = pl.concat([ents.drop("road", "number"), _foreign(ents.height, rng)], how="diagonal_relaxed")
    m = ents.height
    cols = ["entity_id", "name", "uscc", "name_en", "address"]
    # A third of the enterprises registered an English name (all foreign ones did).
    ents = ents.with_columns(
        (pl.Series(rng.random(m) < 0.3) | pl.col("trade").is_in([zh for _, zh, _, _ in FOREIGN])).alias("has_en")
    )
    registry = (
        ents.select(cols + ["has_en"])
        .with_columns(
            pl.when(pl.col("has_en")).then(pl.col("name_en")).alias("name_en"), pl.lit("registry").alias("source")
        )
        .drop("has_en")
    )

    def sample(share: float) -> pl.DataFrame:
        return ents.filter(pl.Series(rng.random(m) < share))

    roster = sample(0.5)
    k = roster.height
    roster = roster.select(cols).with_columns(
        pl.when(pl.Series(rng.random(k) < 0.33)).then(None).otherwise(pl.col("uscc")).alias("uscc"),
        pl.when(pl.Series(rng.random(k) < 0.08)).then(_typo(roster, rng)).otherwise(pl.col("name")).alias("name"),
        pl.lit(None, pl.Utf8).alias("name_en"),
        pl.lit("roster").alias("source"),
    )

    tenants = sample(0.3)
    k = tenants.height
    first_word = tenants["business"].str.slice(0, 2)
    short = tenants["trade"] + first_word
    bracketed = tenants["trade"] + tenants["business"] + "（" + tenants["city"] + "）" + tenants["legal"]
    style = rng.random(k)
    tenants = tenants.with_columns(
        pl.when(pl.Series(style < 0.5))
        .then(short)
        .when(pl.Series(style < 0.75))
        .then(bracketed)
        .otherwise(pl.col("name"))
        .alias("name"),
        pl.when(pl.Series(rng.random(k) < 0.5))
        .then(pl.col("address").str.replace(r"^.{2}市", ""))
        .otherwise(pl.col("address"))
        .alias("address"),
        pl.lit(None, pl.Utf8).alias("uscc"),
        pl.lit(None, pl.Utf8).alias("name_en"),
        pl.lit("tenants").alias("source"),
    ).select(*cols, "source")

    to_trad = opencc.OpenCC("s2t")
    leads = sample(0.2)
    k = leads.height
    style = rng.random(k)
    trad = pl.Series([to_trad.convert(n) for n in leads["name"].to_list()])
    moved = leads["trade"] + leads["business"] + "(" + leads["city"] + ")" + leads["legal"]
    leads = leads.with_columns(
        pl.when(pl.Series(style < 0.4))
        .then(trad)
        .when(pl.Series(style < 0.7))
        .then(moved)
        .when(pl.Series(style < 0.85))
        .then(_typo(leads, rng))
        .otherwise(pl.col("name"))
        .alias("name"),
        pl.lit(None, pl.Utf8).alias("uscc"),
        pl.lit(None, pl.Utf8).alias("name_en"),
        pl.lit(None, pl.Utf8).alias("address"),
        pl.lit("leads").alias("source"),
    ).select(*cols, "source")

    # The news writes in English about enterprises that have an English name, or in pinyin.
    news = sample(0.1).select(
        "entity_id",
        pl.col("name_en").alias("name"),
        pl.lit(None, pl.Utf8).alias("uscc"),
        pl.lit(None, pl.Utf8).alias("name_en"),
        pl.lit(None, pl.Utf8).alias("address"),
        pl.lit("news").alias("source"),
    )

    records = pl.concat([registry, roster, tenants, leads, news], how="diagonal_relaxed")
    return records.with_columns(
        (pl.col("source") + "-" + pl.int_range(pl.len()).cast(pl.Utf8)).alias("record_id")
    ).select("record_id", "name", "uscc", "name_en", "address", "source", "entity_id")
