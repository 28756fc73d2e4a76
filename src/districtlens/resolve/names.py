"""Company names, Chinese and English, taken apart into the features entity resolution compares.

A registered Chinese company name has a fixed anatomy (《企业名称登记管理规定》, 2020):
``[region] + trade name (字号) + business words (行业或经营特点) + legal form (组织形式)``, e.g.
``上海 | 张江 | 生物医药科技 | 有限公司``; the region may instead stand in brackets after the trade
name (``张江生物医药科技（上海）有限公司``) and a branch adds ``XX分公司``. English names follow the
same pattern (``Shanghai Zhangjiang Biomedical Technology Co., Ltd.``). `parse_names` returns, per
name:

- ``clean``: the whole name normalised (NFKC, so full-width letters, digits and brackets become
  half-width; other bracket shapes become ``()``; traditional characters become simplified through
  OpenCC ``t2s``; lower case; spaces and punctuation removed for Chinese, collapsed for English);
- ``legal_form``: a code (``ltd`` for 有限公司 and 有限责任公司, which are one form; ``joint_stock``
  for 股份有限公司; ``group_ltd``, ``group_joint_stock``, ``group``; ``partnership``; ``sole``;
  ``branch``; ``company``) kept as a feature because 某某股份有限公司 and 某某有限公司 can be two
  companies; English forms are recorded separately (``legal_form_en``: ``co ltd`` translates both
  Chinese forms, so it cannot tell them apart);
- ``location``: a region named in brackets or at the start (``（上海）``, ``上海市``, ``Shanghai``),
  given as the Chinese short name whatever the script, so ``Shanghai`` and ``上海`` agree;
- ``trade`` and ``business``: the rest split into the trade name (at least two characters) and the
  longest run of business words at its end (``生物医药科技``), from the lists below; English
  business words are given in Chinese (``Electronic Technology`` -> ``电子科技``) so that both
  scripts compare;
- ``script``: ``zh`` when the name holds a CJK character, else ``en``.

`to_pinyin` romanises trade names (张江 -> zhangjiang) so that an English-only record meets the
Chinese name of the same enterprise even when no alias and no registered English name exist.

Everything runs as Polars expressions over the whole column (Rust regex, Aho-Corasick replace);
only names that contain a traditional character go through OpenCC, once per distinct name, so a
million names take seconds.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import cast

import opencc
import polars as pl

from districtlens.yamltext import load_yaml


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Business words (行业表述) of Chinese names, as they end the name before the legal form.
BUSINESS_WORDS_ZH = _words(
    "信息科技 网络科技 生物医药 生物科技 医药科技 医疗科技 健康科技 智能科技 数据科技 电子科技 "
    "环保科技 能源科技 教育科技 文化科技 材料科技 信息技术 网络技术 生物技术 医疗器械 "
    "人工智能 集成电路 半导体 微电子 新能源 新材料 电子商务 供应链管理 供应链 投资管理 资产管理 "
    "企业管理 管理咨询 商务咨询 投资咨询 文化传播 文化传媒 文化发展 餐饮管理 酒店管理 物业管理 "
    "人力资源 融资租赁 房地产开发 房地产 国际贸易 进出口 计算机 云计算 机器人 自动化 "
    "科技 技术 信息 网络 软件 数据 智能 电子 生物 医药 医疗 器械 制药 药业 健康 贸易 商贸 "
    "实业 投资 管理 咨询 服务 文化 传媒 传播 广告 设计 工程 建设 建筑 装饰 物流 餐饮 酒店 置业 "
    "开发 物业 教育 金融 资产 基金 能源 环保 环境 材料 化工 食品 机械 设备 汽车 电气 光电 通信 "
    "互联网 发展 创业 科学 检测 研发 系统 仪器 仪表 精密 商务 国际 服饰 时装 美容 影视 游戏 体育 "
    "旅游 航运 运输 租赁 保险 证券 控股 诊断 产品 保健 医学 研究 咖啡 "
    "电气 电力 电器 电机 电缆 电池 银行 钢铁 矿业 纺织 港口 农业 纸业 玻璃 水泥 水务 燃气 光学 机电 包装 "
    "印刷 家居 饮料 酒业 娱乐 芯片 显示 照明 光伏 风电 石油 石化 煤业 有色 金属 铝业 黄金 装备 "
    "创新 数字 仪器 重工 汽配 零部件 新材 集团"
)

# The Chinese an English business word stands for in registered English names, so that
# "Electronic Technology" and 电子科技 compare as the same business words.
BUSINESS_EN_TO_ZH = {
    "technology": "科技",
    "technologies": "科技",
    "tech": "科技",
    "information": "信息",
    "info": "信息",
    "network": "网络",
    "networks": "网络",
    "software": "软件",
    "data": "数据",
    "intelligent": "智能",
    "intelligence": "智能",
    "electronics": "电子",
    "electronic": "电子",
    "biotech": "生物科技",
    "biotechnology": "生物科技",
    "bio": "生物",
    "biological": "生物",
    "biomedical": "生物医药",
    "biopharma": "生物医药",
    "biopharmaceutical": "生物医药",
    "pharmaceutical": "医药",
    "pharmaceuticals": "医药",
    "pharma": "医药",
    "medical": "医疗",
    "devices": "器械",
    "healthcare": "医药保健",
    "health": "健康",
    "trading": "商贸",
    "trade": "贸易",
    "industrial": "实业",
    "investment": "投资",
    "investments": "投资",
    "management": "管理",
    "consulting": "咨询",
    "consultancy": "咨询",
    "services": "服务",
    "service": "服务",
    "culture": "文化",
    "media": "传媒",
    "communication": "传播",
    "communications": "通信",
    "advertising": "广告",
    "design": "设计",
    "engineering": "工程",
    "construction": "建设",
    "logistics": "物流",
    "supplychain": "供应链",
    "catering": "餐饮",
    "hotel": "酒店",
    "property": "置业",
    "development": "发展",
    "education": "教育",
    "financial": "金融",
    "finance": "金融",
    "energy": "能源",
    "new": "新",
    "environmental": "环保",
    "materials": "材料",
    "chemical": "化工",
    "food": "食品",
    "machinery": "机械",
    "equipment": "设备",
    "automotive": "汽车",
    "semiconductor": "半导体",
    "internet": "互联网",
    "enterprise": "企业",
    "holdings": "控股",
    "international": "国际",
    "diagnostics": "诊断",
    "research": "研究",
    "coffee": "咖啡",
    "products": "产品",
    "electric": "电气",
    "electrical": "电气",
    "power": "电力",
    "appliance": "电器",
    "appliances": "电器",
    "motor": "电机",
    "motors": "电机",
    "cable": "电缆",
    "battery": "电池",
    "bank": "银行",
    "securities": "证券",
    "insurance": "保险",
    "steel": "钢铁",
    "mining": "矿业",
    "textile": "纺织",
    "textiles": "纺织",
    "shipping": "航运",
    "transportation": "运输",
    "port": "港口",
    "agriculture": "农业",
    "agricultural": "农业",
    "paper": "纸业",
    "glass": "玻璃",
    "cement": "水泥",
    "water": "水务",
    "gas": "燃气",
    "optical": "光学",
    "optoelectronic": "光电",
    "optoelectronics": "光电",
    "electromechanical": "机电",
    "packaging": "包装",
    "printing": "印刷",
    "furniture": "家居",
    "home": "家居",
    "beverage": "饮料",
    "wine": "酒业",
    "entertainment": "娱乐",
    "sports": "体育",
    "tourism": "旅游",
    "chip": "芯片",
    "display": "显示",
    "lighting": "照明",
    "solar": "光伏",
    "photovoltaic": "光伏",
    "petroleum": "石油",
    "petrochemical": "石化",
    "coal": "煤业",
    "metal": "金属",
    "metals": "金属",
    "aluminum": "铝业",
    "gold": "黄金",
    "medicine": "医药",
    "testing": "检测",
    "digital": "数字",
    "automation": "自动化",
    "robotics": "机器人",
    "instrument": "仪器",
    "instruments": "仪器",
    "heavy": "重工",
    "parts": "零部件",
    "chemicals": "化工",
    "foods": "食品",
    "group": "集团",
}

BUSINESS_WORDS_EN = _words(
    "technology technologies tech information info network networks software data intelligent "
    "intelligence electronics electronic biotech biotechnology bio biopharma biopharmaceutical "
    "biological biomedical pharmaceutical pharmaceuticals pharma medical medicine healthcare health "
    "trading trade commerce commercial industrial industry industries investment investments "
    "management consulting consultancy services service culture media communication communications "
    "advertising design engineering construction logistics catering hotel property properties "
    "development education financial finance capital asset assets fund energy environmental "
    "materials chemical chemicals food machinery equipment automotive auto electric electrical "
    "semiconductor semiconductors microelectronics telecom internet science sciences systems system "
    "solutions holdings holding international enterprise enterprises new diagnostics research "
    "coffee devices products supplychain electric power appliance appliances motor motors cable "
    "battery bank securities insurance steel mining textile textiles shipping transportation port "
    "agriculture agricultural paper glass cement water gas optical optoelectronic optoelectronics "
    "electromechanical packaging printing furniture home beverage wine entertainment sports tourism "
    "chip display lighting solar photovoltaic petroleum petrochemical coal metal metals aluminum gold "
    "testing digital automation robotics instrument instruments heavy parts foods security precision "
    "smart innovation cloud intelligent manufacturing industrial"
)

# Chinese legal forms, longest first; the code is what the linker compares.
LEGAL_FORMS_ZH = {
    "集团股份有限公司": "group_joint_stock",
    "集团有限责任公司": "group_ltd",
    "集团有限公司": "group_ltd",
    "股份有限公司": "joint_stock",
    "有限责任公司": "ltd",
    "有限公司": "ltd",
    "普通合伙企业": "partnership",
    "合伙企业": "partnership",
    "个人独资企业": "sole",
    "集团公司": "group",
    "集团": "group",
    "公司": "company",
}
LEGAL_FORMS_EN = (
    "company limited",
    "co limited",
    "co ltd",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "plc",
    "llc",
    "gmbh",
    "ag",
    "sa",
    "nv",
    "bv",
    "company",
    "co",
    "group",
)
BRANCH_SUFFIXES = ("分公司", "分店", "办事处", "代表处")
BRACKETS = {
    "【": "(",
    "】": ")",
    "〔": "(",
    "〕": ")",
    "［": "(",
    "］": ")",
    "〖": "(",
    "〗": ")",
    "「": "(",
    "」": ")",
    "『": "(",
    "』": ")",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
}

NAME_FEATURES = ("clean", "trade", "business", "legal_form", "legal_form_en", "location", "script", "body", "lead")

# Marks a short name (证券简称) carries that the registered name does not: risk warnings before it
# (ST, *ST, S*ST), the share class after it (万科A, 深振业Ａ), and 股份/集团/控股 standing for
# the legal form (隧道股份 = 上海隧道工程股份有限公司).
SHORT_NAME_MARKS = (r"^(?:s?\*?st)+", r"([\u3400-\u9fff])[ab]$", r"^(.{2,}?)(?:股份|集团|控股)+$")


@cache
def regions() -> tuple[dict[str, str], dict[str, str]]:
    """(Chinese spelling -> short name, English spelling -> short name) from regions.yaml."""
    data = load_yaml(resources.files("districtlens.resolve").joinpath("regions.yaml").read_text(encoding="utf-8"))
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for group in ("country", "regions"):
        for short, english in data[group].items():
            for spelling in (short, f"{short}市", f"{short}省"):
                zh[spelling] = short
            for spelling in english or ():
                en[spelling] = short
    # A city without an English spelling in the file is written in pinyin (石家庄: Shijiazhuang),
    # and any region also syllable by syllable, as some firms write it (Zhe Jiang, Hang Zhou).
    shorts = pl.Series([short for short in data["regions"] if short not in en.values()], dtype=pl.Utf8)
    for short, spelling in zip(shorts.to_list(), to_pinyin(shorts).to_list(), strict=True):
        en.setdefault(spelling, short)
    every = pl.Series(list(data["regions"]), dtype=pl.Utf8)
    syllables = every.str.split("").list.eval(pl.element().str.replace_many(*_readings_of(every)[:2])).list.join(" ")
    for short, spelling in zip(every.to_list(), syllables.to_list(), strict=True):
        if " " in spelling:
            en.setdefault(spelling, short)
    return zh, en


@cache
def _t2s() -> tuple[opencc.OpenCC, str]:
    """The OpenCC converter and a regex class of the characters it changes."""
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    changed = []
    for line in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        if trad and simp.split(" ")[0] != trad:
            changed.append(trad)
    return opencc.OpenCC("t2s"), "[" + "".join(re.escape(c) for c in changed) + "]"


@cache
def _pinyin_dict() -> dict[int, str]:
    """pypinyin's table of readings (code point -> "reading,reading"), read from its module alone:
    importing the package also loads its phrase dictionary, which linkage never uses (half a
    second, paid by every command line call that links a list)."""
    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.py"
    module_spec = importlib.util.spec_from_file_location("districtlens_pinyin_dict", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return cast(dict[int, str], module.pinyin_dict)


@cache
def _readings(char: str) -> tuple[str, str, str] | None:
    """A Han character's first and second reading (the first again if it has one only), toneless,
    and its initial letter; None for a character the table does not hold. Per character, so that
    a short list pays for its few characters, not for the forty thousand of the table."""
    reading = _pinyin_dict().get(ord(char))
    if reading is None:
        return None
    plain = [
        "".join(c for c in unicodedata.normalize("NFKD", r) if not unicodedata.combining(c)) for r in reading.split(",")
    ]
    return plain[0], next((r for r in plain[1:] if r != plain[0]), plain[0]), plain[0][:1]


def _readings_of(trades: pl.Series) -> tuple[list[str], list[str], list[str], list[str]]:
    """The characters `trades` hold that have a reading, with their first and second readings and
    initials (str.replace_many builds its automaton per call: the few characters present cost
    less than the whole table)."""
    chars, firsts, seconds, initials = [], [], [], []
    for char in sorted(set("".join(trades.drop_nulls().unique().to_list()))):
        found = _readings(char)
        if found is not None:
            chars.append(char)
            firsts.append(found[0])
            seconds.append(found[1])
            initials.append(found[2])
    return chars, firsts, seconds, initials


def _replaced(trades: pl.Series, chars: list[str], readings: list[str]) -> pl.Series:
    """Each of `chars` in `trades` replaced by its reading. Names without a Han character have
    none to replace, and str.replace_many refuses empty lists (an English-only list failed)."""
    return trades.str.replace_many(chars, readings) if chars else trades


def to_pinyin(trades: pl.Series) -> pl.Series:
    """Toneless pinyin of a Chinese trade name, no spaces (张江 -> zhangjiang), to meet the
    romanised trade name of an English record; each character's first reading."""
    chars, firsts, _, _ = _readings_of(trades)
    return _replaced(trades, chars, firsts).alias("pinyin")


def romanisations(trades: pl.Series) -> pl.DataFrame:
    """The ways a Chinese trade name may be romanised, as one string ``|first|second|`` (every
    character's first reading, then every polyphonic character's second: 长安 -> ``|zhangan|changan|``,
    so that ``contains(roman_all, '|' || word)`` asks whether a romanisation begins with `word`),
    and the initials (劲拓 -> ``jt``), which firms use as English names too."""
    chars, firsts, seconds, initials = _readings_of(trades)
    first = _replaced(trades, chars, firsts)
    second = _replaced(trades, chars, seconds)
    return pl.DataFrame(
        {
            "roman_all": pl.select(pl.concat_str(pl.lit("|"), first, pl.lit("|"), second, pl.lit("|"))).to_series(),
            "initials": _replaced(trades, chars, initials),
        }
    )


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def to_simplified(names: pl.Series) -> pl.Series:
    """Traditional -> simplified; OpenCC runs once per distinct name that needs it."""
    converter, traditional = _t2s()
    needs = names.str.contains(traditional).fill_null(False)
    if not needs.any():
        return names
    distinct = names.filter(needs).unique()
    mapping = dict(zip(distinct.to_list(), [converter.convert(n) for n in distinct], strict=True))
    return pl.select(pl.when(needs).then(names.replace(mapping)).otherwise(names)).to_series().alias(names.name)


def _clean(names: pl.Series) -> pl.Series:
    s = names.cast(pl.Utf8).str.normalize("NFKC")
    s = s.str.replace_many(list(BRACKETS), list(BRACKETS.values()))
    return to_simplified(s).str.to_lowercase().str.strip_chars()


def parse_names(names: pl.Series | list[str | None]) -> pl.DataFrame:
    """Take each name apart (see the module docstring); one row per input, nulls stay null."""
    raw = pl.Series("name", names, dtype=pl.Utf8) if not isinstance(names, pl.Series) else names
    frame = pl.DataFrame({"cleaned": _clean(raw)})
    script = pl.when(pl.col("cleaned").str.contains(r"[\u3400-\u9fff]")).then(pl.lit("zh"))
    frame = frame.with_columns(
        script=script.when(pl.col("cleaned").str.len_chars() > 0).then(pl.lit("en")).otherwise(None)
    )
    zh = _parse_zh(frame["cleaned"])
    en = _parse_en(frame["cleaned"])
    is_zh = frame["script"] == "zh"
    is_en = frame["script"] == "en"
    out = {"script": frame["script"]}
    for col in ("clean", "trade", "business", "location", "body", "lead"):
        out[col] = pl.select(pl.when(is_zh).then(zh[col]).when(is_en).then(en[col])).to_series()
    out["legal_form"] = pl.select(pl.when(is_zh).then(zh["legal_form"])).to_series()
    out["legal_form_en"] = pl.select(pl.when(is_en).then(en["legal_form"])).to_series()
    return pl.DataFrame(out).select(NAME_FEATURES)


def _parse_zh(cleaned: pl.Series) -> pl.DataFrame:
    zh_regions, _ = regions()
    region = _alternation(zh_regions)
    forms = _alternation(LEGAL_FORMS_ZH)
    business = _alternation(BUSINESS_WORDS_ZH)
    branch = _alternation(BRANCH_SUFFIXES)
    f = pl.DataFrame({"clean": cleaned.str.replace_all(r"[\s\.,，。·・'\"“”‘’]", "")})
    f = f.with_columns(
        pl.col("clean").str.replace_all(r"\(集团\)", "集团").alias("rest"),
        pl.col("clean").str.extract(rf"公司([^()]*?)(?:{branch})$", 1).alias("branch_at"),
    )
    # A branch: 某某有限公司上海分公司 is its own record, located where the branch is.
    f = f.with_columns(
        pl.when(pl.col("branch_at").is_not_null())
        .then(pl.col("rest").str.replace(rf"公司[^()]*?(?:{branch})$", "公司"))
        .otherwise(pl.col("rest"))
        .alias("rest"),
    )
    f = f.with_columns(
        pl.col("rest").str.extract(rf"({forms})$", 1).alias("form_zh"),
    ).with_columns(
        pl.col("rest").str.replace(rf"(?:{forms})$", "").alias("rest"),
    )
    risk, share_class, form_word = SHORT_NAME_MARKS
    short = pl.col("rest").str.replace(risk, "").str.replace(share_class, "$1").str.replace(form_word, "$1")
    f = f.with_columns(pl.when(pl.col("form_zh").is_null()).then(short).otherwise(pl.col("rest")).alias("rest"))
    f = f.with_columns(pl.col("rest").str.replace_all(r"[()]", "").alias("body"))
    # The region: in brackets anywhere, else at the start when a trade name remains after it.
    f = f.with_columns(
        pl.col("rest").str.extract(rf"\(({region})\)", 1).alias("loc_bracket"),
        pl.col("rest").str.extract(rf"^({region})..", 1).alias("loc_lead"),
    ).with_columns(
        pl.when(pl.col("loc_bracket").is_not_null())
        .then(pl.col("rest").str.replace(rf"\((?:{region})\)", ""))
        .when(pl.col("loc_lead").is_not_null())
        .then(pl.col("rest").str.slice(pl.col("loc_lead").str.len_chars()))
        .otherwise(pl.col("rest"))
        .alias("rest"),
    )
    # What is left in brackets (a second region, a note) is not part of the trade name.
    f = f.with_columns(pl.col("rest").str.replace_all(r"\([^)]*\)|[()]", "").alias("rest"))
    parts = f["rest"].str.extract_groups(rf"^(?<trade>.{{2,}}?)(?<business>(?:{business})*)$")
    f = f.with_columns(parts.struct.unnest())
    loc = pl.coalesce("branch_at", "loc_bracket", "loc_lead")
    legal = (
        pl.when(pl.col("branch_at").is_not_null())
        .then(pl.lit("branch"))
        .otherwise(pl.col("form_zh").replace_strict(LEGAL_FORMS_ZH, default=None))
    )
    return f.select(
        pl.col("clean"),
        pl.coalesce("trade", "rest").alias("trade"),
        pl.when(pl.col("business") != "").then(pl.col("business")).alias("business"),
        legal.alias("legal_form"),
        loc.replace(zh_regions).alias("location").cast(pl.Utf8),
        pl.col("body"),
        pl.lit(None, pl.Utf8).alias("lead"),
    ).with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in ("trade", "clean", "body"))


def _parse_en(cleaned: pl.Series) -> pl.DataFrame:
    _, en_regions = regions()
    region = _alternation(en_regions)
    forms = _alternation(LEGAL_FORMS_EN)
    business = _alternation(BUSINESS_WORDS_EN)
    f = pl.DataFrame(
        {
            # Accents go (Nestlé = Nestle); "&" reads as "and".
            "clean": cleaned.str.normalize("NFKD")
            .str.replace_all(r"\p{M}", "")
            .str.replace_all("&", " and ")
            .str.replace_all(r"supply\s+chain", "supplychain")
            .str.replace_all(r"[^\p{L}\p{N}()\s]", " ")
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
        }
    )
    f = f.with_columns(
        pl.col("clean").alias("rest"), pl.lit(None, pl.Utf8).alias("form_en"), pl.lit(None, pl.Utf8).alias("loc_tail")
    )
    # Legal forms can stack ("group co ltd"), and a region may end the name, after the legal form
    # or before it ("Bank of Chengdu", "... Co., Ltd. Hebei", "... Inc Zhaoqing Guangdong"): strip
    # them one at a time from the end, keeping the first region found.
    tail = rf"\s(?:of\s)?\(?\s*({region})\s*\)?$"
    for _ in range(4):
        f = f.with_columns(
            pl.coalesce(pl.col("rest").str.extract(rf"\s({forms})$", 1), "form_en").alias("form_en"),
            pl.col("rest").str.replace(rf"\s(?:{forms})$", "").alias("rest"),
        ).with_columns(
            pl.coalesce("loc_tail", pl.col("rest").str.extract(tail, 1)).alias("loc_tail"),
            pl.col("rest").str.replace(tail, "").alias("rest"),
        )
    f = (
        f.with_columns(
            pl.col("rest").str.extract(rf"\(\s*({region})\s*\)", 1).alias("loc_bracket"),
            pl.col("rest").str.extract(rf"^({region})\s\S", 1).alias("loc_lead"),
        )
        .with_columns(
            pl.when(pl.col("loc_bracket").is_not_null())
            .then(pl.col("rest").str.replace(rf"\(\s*(?:{region})\s*\)", ""))
            .when(pl.col("loc_lead").is_not_null())
            .then(pl.col("rest").str.slice(pl.col("loc_lead").str.len_chars()))
            .otherwise(pl.col("rest"))
            .alias("rest"),
        )
        .with_columns(
            pl.col("rest")
            .str.replace_all(r"\([^)]*\)|[()]", " ")
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
            .alias("rest")
        )
    )
    parts = f["rest"].str.extract_groups(rf"^(?<trade>\S.*?)(?<business>(?:\s(?:{business}))*)$")
    f = f.with_columns(parts.struct.unnest())
    return f.select(
        pl.col("clean"),
        pl.coalesce("trade", "rest").str.replace_all(" ", "").alias("trade"),
        _business_in_chinese(pl.col("business")).alias("business"),
        pl.col("form_en").alias("legal_form"),
        pl.coalesce("loc_bracket", "loc_lead", "loc_tail").replace(en_regions).alias("location").cast(pl.Utf8),
        pl.col("rest").alias("body"),
        pl.coalesce("trade", "rest").str.extract(r"^(\S+)", 1).alias("lead"),
    ).with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in ("trade", "clean", "body", "lead"))


def _business_in_chinese(business: pl.Expr) -> pl.Expr:
    """English business words in Chinese (see BUSINESS_EN_TO_ZH); null if none is known."""
    words = (
        business.str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().replace_strict(BUSINESS_EN_TO_ZH, default=None, return_dtype=pl.Utf8))
        .list.drop_nulls()
        .list.join("")
    )
    return pl.when(words != "").then(words)


def search_forms(query: str) -> tuple[str, ...]:
    """Other ways of writing a search `query` for one firm: in simplified characters, and as a
    short name without its marks (*ST国华 -> 国华, 万科Ａ -> 万科, 隧道股份 -> 隧道), each once."""
    simplified = to_simplified(pl.Series([unicodedata.normalize("NFKC", query).strip()]))[0] or ""
    forms = [simplified]
    if re.search(r"[\u3400-\u9fff]", simplified):
        risk, share_class, form_word = SHORT_NAME_MARKS
        short = re.sub(
            form_word, r"\1", re.sub(share_class, r"\1", re.sub(risk, "", simplified, flags=re.I), flags=re.I)
        )
        forms.append(short.replace(" ", ""))
    return tuple(dict.fromkeys(f for f in forms if f and f != query))
