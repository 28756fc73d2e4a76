"""Linking records of one enterprise: an exact pass on valid credit codes, then a Fellegi-Sunter
model (Splink 5) over the name parts, the credit code and the address, then constrained clustering.

1. **Features** (`prepare`): each record's name (and English name) is taken apart by
   `names.parse_names`; the trade name goes through the alias table (`aliases.py`) to give
   `trade_key`; Chinese trade names are romanised (`roman`, pinyin) to meet English-only records;
   the address gives its road (the foundation's `ingest.locate.road_of`) and house number; a credit
   code is kept only when its GB 32100-2015 check character is right.
2. **Exact pass**: records with the same valid credit code are one enterprise (probability 1).
3. **Probabilistic pass**: Splink scores the pairs admitted by the blocking rules
   (`BLOCKING_RULES`), comparing each field by the levels of `COMPARISONS` (settings as data; the
   m and u values in them are only starting points). The match weight of a pair is
   ``log2(lambda / (1 - lambda)) + sum_k log2(m_k / u_k)`` over the level k each field falls in
   (Fellegi & Sunter 1969), with term-frequency adjustment on the exact levels of trade name,
   business words and location: agreeing on a common value (上海, 科技) counts for less than
   agreeing on a rare one (Winkler 1989's frequency-based weights, as Splink implements them:
   u is replaced by the value's frequency). u comes from random pairs; m and lambda from
   expectation maximisation on pairs blocked on the trade name, then on the address or the code
   (no labels needed). A labelled sample, where given, calibrates the threshold
   (`calibrate_threshold`).
4. **Clustering** (`cluster`): edges at or above the threshold join records, strongest first
   (Kruskal's order), but never two groups that carry different valid credit codes, Chinese
   legal forms or regions: a chain of fuzzy links cannot merge two registered enterprises.
   A record's `match_probability` is the weakest link that holds its cluster together (the
   lowest-probability edge of the cluster's maximum spanning tree; 1 for a cluster made by the
   exact pass; empty for a record alone).

DuckDB is the default backend; `backend="spark"` runs the same settings on a Spark session for
national-scale registries.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import polars as pl

from districtlens.errors import InputError, UsageError
from districtlens.ingest.locate import Gazetteer, road_of
from districtlens.ingest.validate import valid_uscc_mask
from districtlens.resolve import DEFAULT_REVIEW_FLOOR, DEFAULT_THRESHOLD
from districtlens.resolve.aliases import alias_keys, load_aliases
from districtlens.resolve.english import meanings, place_in_english
from districtlens.resolve.names import parse_names, romanisations

FEATURE_COLUMNS = (
    "unique_id",
    "uscc",
    "clean",
    "script",
    "trade_key",
    "trade_en",
    "form",
    "core",
    "core_head",
    "body",
    "place_head",
    "pattern",
    "roman_all",
    "roman_head",
    "roman_first",
    "initials",
    "lead",
    "trade_less_last",
    "trade_less_first",
    "trade_ends",
    "business",
    "legal_form",
    "location",
    "addr_road",
    "addr_no",
    "meaning",
    "sense",
)


def _level(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u, **extra}


def _null(*cols: str, extra: str = "") -> dict[str, Any]:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in cols) + extra
    return {"sql_condition": sql, "label_for_charts": "missing", "is_null_level": True}


ONE_SIDE_ENGLISH = "(script_l = 'en' OR script_r = 'en')"
SHORT_AND_FULL = "(form_l = 'short' AND form_r = 'full') OR (form_l = 'full' AND form_r = 'short')"


def _either(condition: str) -> str:
    """`condition` (written with {s} for the short name's side, {f} for the full name's) whichever
    side the short name is on."""
    return (
        f"(form_l = 'short' AND {condition.format(s='l', f='r')})"
        f" OR (form_r = 'short' AND {condition.format(s='r', f='l')})"
    )


# `pattern` (^a.*b.*: a short name's characters in order, letters and digits only) as a LIKE
# pattern (a%b%). A regular expression taken from a column is compiled anew for every pair; at a
# hundred thousand records that compiling took half the time of scoring all pairs. LIKE needs no
# compiling, and DuckDB and Spark read it alike.
IN_ORDER = "replace(substr(pattern_{s}, 2), '.*', '%')"


def _zh_en(condition: str) -> str:
    """`condition` (written with {z} for the Chinese name's side, {e} for the English name's)
    whichever side the Chinese name is on."""
    return (
        f"(script_l = 'zh' AND script_r = 'en' AND {condition.format(z='l', e='r')})"
        f" OR (script_r = 'zh' AND script_l = 'en' AND {condition.format(z='r', e='l')})"
    )


# An English name's `meaning` is ``|first word|#second word|`` (english.meanings).
ENGLISH_LEAD = "split_part(meaning_{e}, '#', 1)"
ENGLISH_SECOND = "'|' || split_part(meaning_{e}, '#', 2)"  # |word|
ENGLISH_SECOND_WORD = "replace(split_part(meaning_{e}, '#', 2), '|', '')"

TYPO_MIN_LENGTH = 3  # two-character trade names one character apart are as a rule two firms (国元/国海)

# The comparisons, as Splink settings data. English business words arrive in Chinese
# (names.BUSINESS_EN_TO_ZH); the legal form is read from Chinese names only.
COMPARISONS: list[dict[str, Any]] = [
    {
        "output_column_name": "uscc",
        "comparison_levels": [
            _null("uscc"),
            _level("uscc_l = uscc_r", "same code", 0.9, 1e-6),
            _level("ELSE", "different codes", 0.1, 1.0),
        ],
    },
    {
        "output_column_name": "trade",
        "comparison_levels": [
            _null("trade_key"),
            _level(
                "trade_key_l = trade_key_r",
                "same trade name",
                0.85,
                1e-4,
                tf_adjustment_column="trade_key",
                tf_adjustment_weight=1.0,
            ),
            _level(f"{ONE_SIDE_ENGLISH} AND trade_en_l = trade_en_r", "same English trade name", 0.1, 1e-4),
            # One character replaced. DuckDB's levenshtein counts UTF-8 bytes: a Han character
            # replaced costs one to three, hence the same length in characters and <= 3 for Chinese.
            _level(
                f"length(trade_key_l) = length(trade_key_r) AND length(trade_key_l) >= {TYPO_MIN_LENGTH}"
                " AND levenshtein(trade_key_l, trade_key_r)"
                " <= CASE WHEN script_l = 'zh' AND script_r = 'zh' THEN 3 ELSE 1 END",
                "one character apart",
                0.05,
                1e-3,
            ),
            _level(
                "contains(trade_key_l, trade_key_r) OR contains(trade_key_r, trade_key_l)",
                "one contains the other",
                0.03,
                1e-3,
            ),
            _level("ELSE", "different", 0.02, 0.998),
        ],
    },
    {
        # A short name (证券简称) against a full name: how the short name was made from it.
        "output_column_name": "short_name",
        "comparison_levels": [
            _null("core", extra=f" OR NOT ({SHORT_AND_FULL})"),
            _level("core_l = core_r", "same trade and business words", 0.5, 1e-4, tf_adjustment_column="core"),
            _level(_either("starts_with(core_{f}, core_{s})"), "short name begins the full name", 0.25, 1e-4),
            _level(_either(f"core_{{f}} LIKE {IN_ORDER}"), "short name drawn from the full name", 0.1, 1e-3),
            _level(_either(f"body_{{f}} LIKE {IN_ORDER}"), "short name drawn from place and name", 0.1, 1e-3),
            _level("ELSE", "different", 0.05, 0.995),
        ],
    },
    {
        # A Chinese name against an English one, by sound or by meaning: the trade name's pinyin
        # (every reading of a polyphonic character) and its translation (english.meanings: 长城 =
        # great wall) against the English trade name and its first distinctive word. One
        # comparison, for the English name either spells or translates: two would count the
        # absence of the other as evidence against.
        "output_column_name": "romanised",
        "comparison_levels": [
            _null("roman_all", extra=" OR script_l = script_r"),
            _level(
                "contains(roman_all_l, roman_all_r) OR contains(roman_all_r, roman_all_l)",
                "pinyin is the English trade name",
                0.22,
                1e-5,
            ),
            # Two words or more translated alike (Great Wall) say more than one (Bank, Energy).
            _level(
                _zh_en("trade_key_{e} <> lead_{e} AND contains(meaning_{z}, '|' || trade_key_{e} || '|')"),
                "the English trade name translates the Chinese",
                0.04,
                1e-5,
            ),
            _level(
                _zh_en("length(trade_key_{e}) >= 3 AND contains(meaning_{z}, '|' || trade_key_{e} || '|')"),
                "the English trade name, one word, translates the Chinese",
                0.04,
                1e-4,
            ),
            _level(
                "contains(roman_all_l, '|' || lead_r || '|') OR contains(roman_all_r, '|' || lead_l || '|')",
                "pinyin is the English name's first word",
                0.05,
                1e-4,
            ),
            _level(
                _zh_en(f"sense_{{z}} = sense_{{e}} AND contains(meaning_{{z}}, {ENGLISH_LEAD})"),
                "the English name's first word translates the trade name's first word",
                0.04,
                1e-4,
            ),
            _level(
                _zh_en(f"contains(meaning_{{z}}, {ENGLISH_LEAD})"),
                "the English name's first word translates a word of the trade name",
                0.02,
                1e-3,
            ),
            # Six letters are two syllables or more (Weichai for 潍柴动力): fewer meet by chance.
            _level(
                "(length(lead_r) >= 6 AND contains(roman_all_l, '|' || lead_r))"
                " OR (length(lead_l) >= 6 AND contains(roman_all_r, '|' || lead_l))",
                "pinyin begins with the English name's first word (six letters or more)",
                0.08,
                1e-4,
            ),
            _level(
                "(length(lead_r) >= 4 AND contains(roman_all_l, '|' || lead_r))"
                " OR (length(lead_l) >= 4 AND contains(roman_all_r, '|' || lead_l))",
                "pinyin begins with the English name's first word",
                0.04,
                1e-3,
            ),
            _level(
                _zh_en("length(trade_key_{e}) >= 5 AND levenshtein(roman_first_{z}, trade_key_{e}) <= 1"),
                "pinyin one letter from the English trade name",
                0.02,
                1e-4,
            ),
            _level("initials_l = lead_r OR initials_r = lead_l", "initials", 0.02, 1e-3),
            _level(
                _zh_en(f"contains(meaning_{{z}}, '|~' || substr({ENGLISH_LEAD}, 2))"),
                "the English name's first word translates a business word",
                0.02,
                1e-2,
            ),
            _level("ELSE", "different", 0.45, 0.985),
        ],
    },
    {
        # The English name's second word against the Chinese name's words translated: Weichai
        # Power is 潍柴动力 (动力: motive power), not 潍柴重机, though both are Weichai; or the rest
        # of the trade name's pinyin (Zhongjin Lingnan). Many second words are brand, so one that
        # meets nothing says little. m is kept as given: the pairs EM trains on (same trade name)
        # are those whose English name spells the Chinese, and would make any other second word
        # count against.
        "output_column_name": "translated_rest",
        "comparison_levels": [
            _null("meaning", extra=" OR NOT ({})".format(_zh_en("contains(meaning_{e}, '#')"))),
            _level(
                _zh_en(f"contains(meaning_{{z}}, {ENGLISH_SECOND})"),
                "the English name's second word translates a word of the trade name",
                0.15,
                0.01,
                fix_m_probability=True,
            ),
            _level(
                _zh_en(f"length({ENGLISH_SECOND_WORD}) >= 4 AND contains(roman_all_{{z}}, {ENGLISH_SECOND_WORD})"),
                "the English name's second word is pinyin of the trade name",
                0.1,
                0.001,
                fix_m_probability=True,
            ),
            _level(
                _zh_en(f"contains(meaning_{{z}}, '|~' || substr({ENGLISH_SECOND}, 2))"),
                "the English name's second word translates a business word",
                0.15,
                0.05,
                fix_m_probability=True,
            ),
            _level("ELSE", "different", 0.6, 0.94, fix_m_probability=True),
        ],
    },
    {
        "output_column_name": "business",
        "comparison_levels": [
            _null("business"),
            _level(
                "business_l = business_r",
                "same business words",
                0.8,
                0.05,
                tf_adjustment_column="business",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "starts_with(business_l, business_r) OR starts_with(business_r, business_l)",
                "one begins the other",
                0.15,
                0.05,
            ),
            _level("ELSE", "different", 0.05, 0.9),
        ],
    },
    {
        "output_column_name": "legal_form",
        "comparison_levels": [
            _null("legal_form"),
            _level("legal_form_l = legal_form_r", "same legal form", 0.95, 0.7),
            _level("ELSE", "different", 0.05, 0.3),
        ],
    },
    {
        "output_column_name": "location",
        "comparison_levels": [
            _null("location"),
            _level(
                "location_l = location_r",
                "same region",
                0.95,
                0.7,
                tf_adjustment_column="location",
                tf_adjustment_weight=1.0,
            ),
            _level("ELSE", "different", 0.05, 0.3),
        ],
    },
    {
        "output_column_name": "address",
        "comparison_levels": [
            _null("addr_road"),
            _level("addr_road_l = addr_road_r AND addr_no_l = addr_no_r", "same road and number", 0.8, 0.001),
            _level("addr_road_l = addr_road_r", "same road", 0.1, 0.05),
            _level("ELSE", "different", 0.1, 0.95),
        ],
    },
]

# The columns whose term frequencies the comparisons adjust for (Winkler's frequency-based weights).
TF_COLUMNS = sorted(
    {
        level["tf_adjustment_column"]
        for comparison in COMPARISONS
        for level in comparison["comparison_levels"]
        if "tf_adjustment_column" in level
    }
)


def _both_orders(rule: str, a: str, b: str) -> list[tuple[str, bool]]:
    """`rule` (with {a} and {b}) for a on the left and b on the right, and the other way round."""
    return [(rule.format(a=a, b=b), True), (rule.format(a=b, b=a), True)]


# Blocking rules (Splink SQL), each with whether it may be left out. The typo rules find trade
# names with one character mistyped (`_typo_keys`). Blocks grow with the square of the registry, so
# a rule that may be left out is, when the pairs it would give (its conditions counted,
# `_pairs_of_rule`) exceed MAX_PAIRS_PER_RECORD per record (reported in the timings as skipped).


CHINESE_TO_PINYIN_RULE = "l.roman_head = r.roman_head AND l.script = 'zh' AND r.script = 'en'"
BLOCKING_RULES = [
    ("l.trade_key = r.trade_key", True),
    ("l.trade_en = r.trade_en", True),
    ("l.roman_first = r.roman_first AND l.script <> r.script", False),
    ("l.addr_road = r.addr_road AND l.addr_no = r.addr_no", True),
    ("l.trade_less_last = r.trade_less_last AND l.business = r.business", True),
    ("l.trade_less_first = r.trade_less_first AND l.business = r.business", True),
    ("l.trade_ends = r.trade_ends AND l.business = r.business", True),
    # A short name and a full name begin alike (安洁科技, 苏州安洁科技...: after the place, or with it).
    # Each rule that meets two kinds of name comes in both orders, its kinds written as equalities
    # (short and full names are Chinese): DuckDB filters each side before it joins the keys, so
    # the rule costs the pairs it gives (`_pairs_of_rule`), not every pair of one key.
    *_both_orders("l.core_head = r.core_head AND l.form = '{a}' AND r.form = '{b}'", "short", "full"),
    *_both_orders("l.place_head = r.place_head AND l.form = '{a}' AND r.form = '{b}'", "short", "full"),
    # Pinyin and English begin with the same four letters; initials (劲拓 = JT).
    ("l.roman_head = r.roman_head AND l.script = 'en' AND r.script = 'zh'", True),
    (CHINESE_TO_PINYIN_RULE, True),
    ("l.initials = r.lead", False),
    ("l.lead = r.initials", False),
    # The Chinese name's translation and the English name begin alike (长城 great wall: Great Wall).
    *_both_orders("l.sense = r.sense AND l.script = '{a}' AND r.script = '{b}'", "zh", "en"),
]
MAX_PAIRS_PER_RECORD = 50


@dataclass
class Resolution:
    """What `resolve` returns: one row per record, the scored pairs, and how long each step took."""

    clusters: pl.DataFrame  # record_id, cluster_id, match_probability
    pairs: pl.DataFrame  # record_id_l, record_id_r, match_probability, evidence (JSON: bits/field)
    threshold: float
    timings: dict[str, float] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)  # the trained Splink settings


def prepare(records: pl.DataFrame, aliases: dict[str, str] | None = None) -> pl.DataFrame:
    """The linker's features of each record (columns FEATURE_COLUMNS; see the module docstring).

    `records` needs `record_id` and `name`; `uscc`, `name_en` and `address` are optional."""
    for col in ("record_id", "name"):
        if col not in records.columns:
            raise InputError("resolve.no_column", column=col)
    table = load_aliases() if aliases is None else aliases
    n = records.height
    empty = pl.Series([None] * n, dtype=pl.Utf8)
    name = parse_names(records["name"].cast(pl.Utf8))
    name_en = parse_names(records["name_en"].cast(pl.Utf8) if "name_en" in records.columns else empty)
    is_en = name["script"] == "en"
    trade_key = alias_keys(name["trade"], table)
    trade_en = pl.select(pl.when(is_en).then(name["trade"]).otherwise(name_en["trade"])).to_series()
    codes = records["uscc"].cast(pl.Utf8).str.strip_chars().str.to_uppercase() if "uscc" in records.columns else empty
    address = records["address"].cast(pl.Utf8) if "address" in records.columns else empty
    cleaned_address = address.str.normalize("NFKC").str.replace_all(r"\s", "").fill_null("")
    frame = pl.DataFrame(
        {
            "unique_id": records["record_id"].cast(pl.Utf8),
            "uscc": pl.select(pl.when(pl.Series(valid_uscc_mask(codes))).then(codes)).to_series(),
            "clean": name["clean"],
            "script": name["script"],
            "trade_key": trade_key,
            "trade_en": alias_keys(trade_en, table),
            "trade": name["trade"],
            "business": name["business"],
            "legal_form": name["legal_form"],
            "location": name["location"].fill_null(name_en["location"]),
            "body": name["body"],
            "lead": name["lead"],
            "addr_road": road_of(cleaned_address, Gazetteer.default()),
            "addr_no": cleaned_address.str.extract(r"(\d+)号", 1),
        }
    )
    return (
        _name_forms(frame)
        .with_columns(
            *_typo_keys(pl.col("trade_key")),
            pl.when(pl.col("addr_no").is_not_null()).then(pl.col("addr_road")).alias("addr_road"),
        )
        .select(FEATURE_COLUMNS)
    )


def _typo_keys(trade: pl.Expr) -> list[pl.Expr]:
    """Three blocking keys that two trade names one character apart always share one of, for
    names of three characters or more: the name less its last character (the typo is last), less
    its first (the typo is first), or its first and last characters with its length (the typo is
    inside). They replace the first or last character alone (with the business words), whose
    blocks at a million records were too large to keep: 金鼎达 and 金顶达 meet in `金达3`."""
    long_enough = trade.str.len_chars() >= TYPO_MIN_LENGTH
    return [
        pl.when(long_enough).then(trade.str.slice(0, trade.str.len_chars() - 1)).alias("trade_less_last"),
        pl.when(long_enough).then(trade.str.slice(1)).alias("trade_less_first"),
        pl.when(long_enough)
        .then(pl.concat_str(trade.str.slice(0, 1), trade.str.slice(-1, 1), trade.str.len_chars().cast(pl.Utf8)))
        .alias("trade_ends"),
    ]


def _name_forms(frame: pl.DataFrame) -> pl.DataFrame:
    """The features that let one firm's full, short and English names meet: `form` (full: a
    Chinese name with its legal form; short: one without; en); `core` (trade name and business
    words, Chinese only) and, for a short name, `pattern`, a regex that finds its characters in
    order in a full name's core or body (place and name: 深振业 in 深圳市振业; the comparison
    reads it as a LIKE pattern, IN_ORDER); `roman_all`
    (names.romanisations, or ``|trade|`` for an English name), `initials`, `lead` (an English
    name's first distinctive word) and the blocking heads."""
    zh = pl.col("script") == "zh"
    translated = meanings(
        frame["script"],
        frame["trade"],
        frame["business"],
        place_in_english(frame["location"]),
        frame["lead"],
        frame["body"],
    )
    frame = frame.with_columns(translated["meaning"], translated["sense"])
    core = pl.when(zh).then(pl.concat_str(pl.col("trade"), pl.col("business").fill_null("")))
    romans = romanisations(frame["trade"])
    return frame.with_columns(
        pl.when(zh & pl.col("legal_form").is_not_null())
        .then(pl.lit("full"))
        .when(zh)
        .then(pl.lit("short"))
        .when(pl.col("script") == "en")
        .then(pl.lit("en"))
        .alias("form"),
        core.alias("core"),
        pl.when(zh).then(pl.col("body")).alias("body"),
        pl.when(zh)
        .then(romans["roman_all"])
        .otherwise(pl.concat_str(pl.lit("|"), "trade", pl.lit("|")))
        .alias("roman_all"),
        pl.when(zh & (pl.col("trade").str.len_chars() >= 2)).then(romans["initials"]).alias("initials"),
        pl.when(~zh).then(pl.col("lead")).alias("lead"),
    ).with_columns(
        # The first two characters of the name after the place, and (place_head) of a short name
        # or, for a full name, the place's first character and the name's (深振业: 深圳市振业).
        pl.col("core").str.slice(0, 2).alias("core_head"),
        pl.when(pl.col("form") == "full")
        .then(pl.concat_str(pl.col("body").str.slice(0, 1), pl.col("core").str.slice(0, 1)))
        .otherwise(pl.col("core").str.slice(0, 2))
        .alias("place_head"),
        pl.when(pl.col("form") == "short")
        .then(pl.lit("^") + pl.col("core").str.replace_all(r"[^\p{L}\p{N}]", "").str.replace_all(r"(.)", "$1.*"))
        .alias("pattern"),
        pl.when(zh)
        .then(pl.col("roman_all").str.slice(1, 4))
        .otherwise(pl.col("lead"))
        .str.extract(r"^([a-z]{4})", 1)
        .alias("roman_head"),
        pl.col("roman_all").str.extract(r"^\|([^|]+)\|", 1).alias("roman_first"),
    )


def settings(link_type: str = "dedupe_only", rules: list[str] | None = None) -> dict[str, Any]:
    """The Splink settings (untrained) as a plain dict, in SQL that DuckDB and Spark share."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "comparisons": json.loads(json.dumps(COMPARISONS)),
        "blocking_rules_to_generate_predictions": [r for r, _ in BLOCKING_RULES] if rules is None else list(rules),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,  # the mw_ columns give the evidence
        "probability_two_random_records_match": 1e-4,
        "em_convergence": 1e-3,
        "max_iterations": 20,
    }


def _db_api(backend: str, spark=None):
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        connection = duckdb.connect()
        # DuckDB draws a progress bar on the terminal for long queries: it would break --json.
        connection.execute("SET enable_progress_bar = false")
        return DuckDBAPI(connection=connection)
    if backend == "spark":
        from splink import SparkAPI

        if spark is None:
            raise UsageError("resolve.spark_needs_session")
        if spark.sparkContext.getCheckpointDir() is None:
            # Splink checkpoints intermediate tables on Spark; a session without a directory fails.
            import tempfile

            spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="districtlens-splink-"))
        return SparkAPI(spark_session=spark)
    raise UsageError("resolve.unknown_backend", backend=backend)


def _register(db_api, frame: pl.DataFrame, name: str, backend: str, spark=None):
    if backend == "spark":
        return db_api.register(spark.createDataFrame(frame.to_pandas()), dataset_display_name=name)
    return db_api.register(frame.to_arrow(), dataset_display_name=name)


def _pairs_in_blocks(frames: list[pl.DataFrame], cols: list[str]) -> int:
    """How many pairs a training block on `cols` would give (sum of n(n-1)/2 per key)."""
    both = pl.concat([f.select(cols) for f in frames]).drop_nulls()
    counts = both.group_by(cols).len()["len"].cast(pl.Int64)
    return int((counts * (counts - 1) // 2).sum())


def _pairs_of_rule(frames: list[pl.DataFrame], rule: str) -> int:
    """About how many pairs blocking `rule` gives on the prepared `frames` (as one table), its
    conditions counted: the records grouped by the columns the rule names, the groups joined by the
    rule, each pair of groups giving the product of their sizes (a group with itself n(n-1)), halved
    as Splink keeps one order of each pair. Counting the equal keys alone would count a rule that
    meets short names with full ones (or English with Chinese) as if every pair of one key
    were met: at 100,000 records the `sense` rule's 42.8M pairs for 17,000."""
    import duckdb

    columns = sorted(set(rule_columns(rule)))
    same = " AND ".join(f"l.{c} IS NOT DISTINCT FROM r.{c}" for c in columns)
    con = duckdb.connect()
    try:
        con.register("records", pl.concat([f.select(columns) for f in frames]).to_arrow())
        (pairs,) = con.execute(
            f"WITH g AS (SELECT {', '.join(columns)}, count(*) AS n FROM records GROUP BY ALL)"
            f" SELECT coalesce(sum(CASE WHEN {same} THEN l.n * (l.n - 1) ELSE l.n * r.n END), 0) // 2"
            f" FROM g AS l JOIN g AS r ON {rule}"
        ).fetchall()[0]
    finally:
        con.close()
    return int(pairs)


def train_and_score(
    frames: list[pl.DataFrame],
    *,
    link_type: str = "dedupe_only",
    review_floor: float = DEFAULT_REVIEW_FLOOR,
    backend: str = "duckdb",
    spark=None,
    seed: int = 42,
    timings: dict[str, float] | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Train the model on the prepared `frames` (EM, no labels) and score the blocked pairs.

    Training always runs in DuckDB, in this process: it reads at most a few million sampled pairs
    (`max_pairs` below) whatever the size of the input, which is already in memory, while on
    Spark each EM iteration is a series of jobs (40 s of training for 80 firms, against 2 s).
    Scoring every blocked pair is what grows with the registry, and runs on `backend`.

    Returns the pairs at or above `review_floor` (unique_id_l, unique_id_r, match_probability,
    evidence) and the trained settings."""
    from splink import Linker, block_on

    timings = {} if timings is None else timings
    logging.getLogger("splink").setLevel(logging.ERROR)
    start = time.perf_counter()
    db_api = _db_api("duckdb")
    inputs = [_register(db_api, f, f"records_{i}", "duckdb") for i, f in enumerate(frames)]
    total = sum(f.height for f in frames)
    rules = [
        rule
        for rule, capped in BLOCKING_RULES
        if not capped or _pairs_of_rule(frames, rule) <= MAX_PAIRS_PER_RECORD * total
    ]
    timings["blocking_rules_skipped"] = len(BLOCKING_RULES) - len(rules)
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings(link_type, rules), log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=min(5e6, max(1e5, total * 10.0)), seed=seed)
    # Trade-name blocks train everything but the trade name; a second block (same address, else
    # same code, else same business words and region) trains the trade name.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("trade_key"), max_pairs=2e6, populate_probability_two_random_records_match_from_trained_values=True
    )
    for cols in (["uscc"], ["addr_road", "addr_no"], ["business", "location", "legal_form"]):
        if _pairs_in_blocks(frames, cols) >= 50:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*cols), max_pairs=2e6)
            break
    model = linker.misc.save_model_to_json()
    timings["train_s"] = time.perf_counter() - start

    start = time.perf_counter()
    if backend != "duckdb":
        db_api = _db_api(backend, spark)
        inputs = [_register(db_api, f, f"records_{i}", backend, spark) for i, f in enumerate(frames)]
        linker = Linker(inputs if len(inputs) > 1 else inputs[0], model, log_level=None)
    scored = linker.inference.predict(threshold_match_probability=review_floor, warning_mode="never")
    # polars types from_arrow as DataFrame | Series; a table gives a frame.
    pairs = cast(pl.DataFrame, pl.from_arrow(scored.as_pandas_dataframe().pipe(_to_arrow)))
    timings["predict_s"] = time.perf_counter() - start
    return with_evidence(pairs), model


LABEL_COLUMN = "label"
MIN_LABELLED_PAIRS = 10  # fewer pairs of names of one enterprise than this: keep the starting m values


def train_registry_model(features: pl.DataFrame, labels: pl.Series, *, seed: int = 42) -> tuple[dict[str, Any], int]:
    """The linkage model of a registry, for linking lists to it: (trained Splink settings, the
    number of labelled pairs that estimated m).

    `features` (prepare's output) are the registry's names, each version's name and English name
    a record; `labels` the enterprise of each. u comes from random pairs; m from the pairs of names
    of one enterprise (renames, Chinese and English names: no EM, so nothing to fail to converge);
    a registry with too few such pairs keeps the starting m values. The credit code is left out of
    training: it is the label."""
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = features.with_columns(pl.lit(None, pl.Utf8).alias("uscc"), labels.alias(LABEL_COLUMN))
    counts = labels.value_counts()["count"].cast(pl.Int64)
    labelled_pairs = int((counts * (counts - 1) // 2).sum())
    db_api = _db_api("duckdb")
    linker = Linker(_register(db_api, frame, "registry", "duckdb"), settings("dedupe_only"), log_level=None)
    if frame.height > 1:
        linker.training.estimate_u_using_random_sampling(max_pairs=min(5e6, max(1e5, frame.height * 10.0)), seed=seed)
    if labelled_pairs >= MIN_LABELLED_PAIRS:
        linker.training.estimate_m_from_label_column(LABEL_COLUMN)
    else:
        labelled_pairs = 0
    return linker.misc.save_model_to_json(), labelled_pairs


# The tables the kept scoring SQL reads (`scoring_sql`): a list's records and their registry
# candidates, each candidate with `for_id`, the list record it is a candidate of; both with a
# tf_`column` beside each column the model adjusts for (`tf_columns`).
LIST_TABLE, CANDIDATE_TABLE = "link_list", "link_candidates"


def scoring_sql(model: dict[str, Any]) -> str:
    """The SQL that scores each pair (a record of LIST_TABLE, one of its CANDIDATE_TABLE rows)
    with the trained `model`: Splink's own comparison-vector and match-weight SQL (as
    `splink.internals.realtime.compare_records` writes it), without a Splink `Linker` and
    without running it. Its columns: unique_id_l, unique_id_r, uscc_r, match_probability and the
    per-field weights mw_`field` and mw_tf_adj_`field` (`with_evidence`).

    Written when the model is trained and kept with it, so that linking a list neither loads
    Splink nor writes this SQL again (together they cost a list 1 to 2 s)."""
    from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
    from splink.internals.settings_creator import SettingsCreator

    logging.getLogger("splink").setLevel(logging.ERROR)
    model_settings = SettingsCreator.from_path_or_dict(dict(model)).get_settings("duckdb")
    model_settings._retain_matching_columns = True
    model_settings._retain_intermediate_calculation_columns = True
    blocked = ", ".join(model_settings._columns_to_select_for_blocking)
    compared = ", ".join(model_settings._columns_to_select_for_comparison_vector_values)
    steps = [
        (
            "__splink__compare_two_records_blocked",
            f"SELECT {blocked}, 0 AS match_key FROM {LIST_TABLE} AS l"
            f" JOIN {CANDIDATE_TABLE} AS r ON l.unique_id = r.for_id",
        ),
        ("__splink__df_comparison_vectors", f"SELECT {compared} FROM __splink__compare_two_records_blocked"),
        *(
            (step["output_table_name"], step["sql"])
            for step in predict_from_comparison_vectors_sqls_using_settings(model_settings)
        ),
    ]
    ctes = ",\n".join(f"{name} AS (\n{sql}\n)" for name, sql in steps)
    return f"WITH {ctes}\nSELECT * FROM {steps[-1][0]}"


def list_rules(model: dict[str, Any]) -> list[str]:
    """The model's blocking rules for linking a list (`l`) to a registry (`r`): all but the one
    that meets a list's Chinese name with the registry's English names by pinyin, since every
    registered enterprise has a Chinese name, met by the Chinese rules (and it is the widest)."""
    rules = [r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]]
    return [r for r in rules if r != CHINESE_TO_PINYIN_RULE]


def without_lost_rules(model: dict[str, Any]) -> dict[str, Any]:
    """`model` without the blocking rules that name a feature no longer kept (a model trained
    before the typo keys of migration 0017 blocks on trade_head): it links without them until
    `resolve train`. The same dict when it loses none."""
    kept = set(FEATURE_COLUMNS)
    rules = model["blocking_rules_to_generate_predictions"]
    fitting = [r for r in rules if set(rule_columns(r["blocking_rule"])) <= kept]
    return model if len(fitting) == len(rules) else {**model, "blocking_rules_to_generate_predictions": fitting}


def tf_columns(model: dict[str, Any]) -> list[str]:
    """The columns whose term frequencies the model adjusts for."""
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in model.get("comparisons", [])
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def rule_columns(rule: str) -> list[str]:
    """The feature columns a blocking rule's equalities join on, as (left column, right column)
    pairs flattened: ``l.a = r.b`` gives a, b."""
    return re.findall(r"\b[lr]\.(\w+)", rule)


def _to_arrow(frame):
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def with_evidence(pairs: pl.DataFrame) -> pl.DataFrame:
    """The pairs with `evidence`: per field, the match weight (bits) it contributed, term-frequency
    adjustment included: above 0 the field agreed, below 0 it disagreed, 0 it was missing."""
    fields = [c["output_column_name"] for c in COMPARISONS]
    weights = [
        sum((pl.col(c).fill_null(0.0) for c in (f"mw_{f}", f"mw_tf_adj_{f}") if c in pairs.columns), pl.lit(0.0))
        .round(2)
        .alias(f)
        for f in fields
    ]
    evidence = pairs.select(weights).to_dicts()
    return pairs.select(
        pl.col("unique_id_l").cast(pl.Utf8).alias("record_id_l"),
        pl.col("unique_id_r").cast(pl.Utf8).alias("record_id_r"),
        pl.col("match_probability").cast(pl.Float64),
    ).with_columns(pl.Series("evidence", [json.dumps(e) for e in evidence], dtype=pl.Utf8))


COLUMNS_OF_EDGES = ["record_id_l", "record_id_r", "match_probability", "form_l", "form_r"]
MUTUAL_BEST_FLOOR = 0.15  # a link between two forms of name (full, short, English) that is each's best


def cross_form_edges(features: pl.DataFrame, pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The pairs that may join records: two names of one form (two full names, say) at or above
    `threshold` (two short names only if written the same); a full name and a short or English
    one (or a short and an English one) when each is the other's one best candidate of that form
    and scores at least MUTUAL_BEST_FLOOR. A short name such as 国信证券 is drawn from many full
    names alike (国元证券, 国海证券 ...); only the mutual best pair says which one it stands for,
    and the probability alone cannot. Two best candidates tied, and not written alike, are no
    best: an English "Co., Ltd." fits the 有限公司 and the 股份有限公司 of one trade name alike."""
    # Two names are written alike when their parts are (上海江誉沛...有限公司, 江誉沛...(上海)有限公司).
    alike = pl.concat_str(
        pl.coalesce("core", "trade_key"), "legal_form", "location", separator="|", ignore_nulls=True
    ).alias("alike")
    forms = features.select(pl.col("unique_id").alias("record_id"), pl.col("form").fill_null("?"), "clean", alike)

    def side(s: str) -> dict[str, str]:
        return {"record_id": f"record_id_{s}", "form": f"form_{s}", "clean": f"clean_{s}", "alike": f"alike_{s}"}

    scored = (
        pairs.select("record_id_l", "record_id_r", "match_probability")
        .join(forms.rename(side("l")), on="record_id_l")
        .join(forms.rename(side("r")), on="record_id_r")
    )
    # Two short names are one firm only when written alike: 华联控股 and 华联股份 are two firms
    # that both shortened 华联 with a word of their legal form.
    same = scored.filter(
        (pl.col("form_l") == pl.col("form_r"))
        & (pl.col("match_probability") >= threshold)
        & ((pl.col("form_l") != "short") | (pl.col("clean_l") == pl.col("clean_r")))
    )
    cross = scored.filter(
        (pl.col("form_l") != pl.col("form_r")) & (pl.col("match_probability") >= min(threshold, MUTUAL_BEST_FLOOR))
    )
    # Each record's one best candidate of each other form: a tie goes to the name written inside
    # the other (华联控股 in 华联控股股份有限公司, not 华联股份); a tie that remains is no best.
    inside = pl.col("clean_l").str.contains(pl.col("clean_r"), literal=True) | pl.col("clean_r").str.contains(
        pl.col("clean_l"), literal=True
    )
    ranked = cross.with_columns(inside.fill_null(False).alias("inside"))

    def best(record: str, form: str, other: str) -> pl.DataFrame:
        group = [record, form]
        top = ranked.filter(pl.col("match_probability") == pl.col("match_probability").max().over(group))
        top = top.filter(pl.col("inside") == pl.col("inside").max().over(group))
        # Tied candidates written alike (a registry's and a roster's record of one name) are one.
        return top.filter(pl.col(other).n_unique().over(group) == 1)

    mutual = best("record_id_l", "form_r", "alike_r").join(
        best("record_id_r", "form_l", "alike_l").select("record_id_l", "record_id_r"), on=["record_id_l", "record_id_r"]
    )
    return pl.concat([same.select(COLUMNS_OF_EDGES), mutual.select(COLUMNS_OF_EDGES)])


def cluster(features: pl.DataFrame, pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Constrained clustering (module docstring, step 4): record_id, cluster_id, match_probability.

    `features` is `prepare`'s output; `pairs` holds record_id_l, record_id_r, match_probability.
    The edges are those of `cross_form_edges`. A fuzzy edge never joins two groups that hold
    different values of a valid credit code, of a Chinese legal form, or of a region (a
    registered name spells out the last two; a change of either is a new registration, which only
    the credit code can bridge, in the exact pass); an edge between two forms of name never joins
    two groups that each hold a different full name (a short name cannot chain two registered
    firms). The cluster id is the smallest record id of the cluster."""
    ids = features["unique_id"].cast(pl.Utf8)
    n = len(ids)
    index = pl.DataFrame({"record_id": ids, "i": np.arange(n)})
    # Each attribute as a small integer, 0 = unknown; 中国 says nothing about the region.
    keyed = features.select(
        pl.col("uscc").rank("dense").fill_null(0).cast(pl.Int64).alias("code"),
        pl.col("legal_form").rank("dense").fill_null(0).cast(pl.Int64).alias("form"),
        pl.when(pl.col("location") != "中国")
        .then(pl.col("location"))
        .rank("dense")
        .fill_null(0)
        .cast(pl.Int64)
        .alias("region"),
        pl.when(pl.col("form") == "full").then(pl.col("clean")).rank("dense").fill_null(0).cast(pl.Int64).alias("full"),
    )
    attrs = [list(row) for row in keyed.iter_rows()]
    parent = list(range(n))
    weakest: list[float | None] = [None] * n  # per root: the weakest link of its cluster so far

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def absorb(root: int, other: int) -> None:
        parent[other] = root
        attrs[root] = [a or b for a, b in zip(attrs[root], attrs[other], strict=True)]

    # Exact pass: one code, one enterprise, whatever the names say.
    by_code = keyed.with_row_index("i").filter(pl.col("code") > 0).group_by("code").agg("i")
    for members in by_code["i"].to_list():
        for other in members[1:]:
            absorb(members[0], other)
        if len(members) > 1:
            weakest[members[0]] = 1.0

    edges = (
        cross_form_edges(features, pairs, threshold)
        .join(index.rename({"record_id": "record_id_l", "i": "a"}), on="record_id_l")
        .join(index.rename({"record_id": "record_id_r", "i": "b"}), on="record_id_r")
        .with_columns((pl.col("form_l") != pl.col("form_r")).alias("cross"))
        .sort(["match_probability", "record_id_l", "record_id_r"], descending=[True, False, False])
    )
    checked = len(attrs[0]) if attrs else 0
    for a, b, p, cross in edges.select("a", "b", "match_probability", "cross").iter_rows():
        ra, rb = find(a), find(b)
        # The full-name attribute is the last; it binds edges between forms only.
        width = checked if cross else checked - 1
        if ra == rb or any(x and y and x != y for x, y in zip(attrs[ra][:width], attrs[rb][:width], strict=True)):
            continue
        absorb(ra, rb)
        # Edges arrive strongest first, so this one is the weakest yet.
        weakest[ra] = p

    roots = [find(i) for i in range(n)]
    out = pl.DataFrame(
        {"record_id": ids, "root": roots, "match_probability": pl.Series([weakest[r] for r in roots], dtype=pl.Float64)}
    )
    return out.with_columns(pl.col("record_id").min().over("root").alias("cluster_id")).select(
        "record_id", "cluster_id", "match_probability"
    )


def resolve(
    records: pl.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    aliases: dict[str, str] | None = None,
    backend: Literal["duckdb", "spark"] = "duckdb",
    spark=None,
    labels: pl.DataFrame | None = None,
    min_precision: float = 0.98,
) -> Resolution:
    """Deduplicate `records` (record_id, name, optional uscc, name_en, address) into enterprises.

    With `labels` (record_id_l, record_id_r, is_match), the threshold is calibrated on them
    (`calibrate_threshold`) instead of taking `threshold`."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if records.height == 0:
        raise InputError("resolve.no_records")
    if records["record_id"].is_duplicated().any():
        dup = records.filter(pl.col("record_id").is_duplicated())["record_id"][0]
        raise InputError("resolve.duplicate_record_id", record_id=str(dup))
    features = prepare(records, aliases)
    timings["prepare_s"] = time.perf_counter() - start
    floor = min(DEFAULT_REVIEW_FLOOR, threshold, MUTUAL_BEST_FLOOR)
    if features.height > 1:
        pairs, model = train_and_score([features], review_floor=floor, backend=backend, spark=spark, timings=timings)
    else:
        pairs, model = (
            pl.DataFrame(
                schema={
                    "record_id_l": pl.Utf8,
                    "record_id_r": pl.Utf8,
                    "match_probability": pl.Float64,
                    "evidence": pl.Utf8,
                }
            ),
            {},
        )
    if labels is not None:
        threshold = calibrate_threshold(pairs, labels, min_precision)
    start = time.perf_counter()
    clusters = cluster(features, pairs, threshold)
    timings["cluster_s"] = time.perf_counter() - start
    return Resolution(clusters, pairs, threshold, timings, model)


def calibrate_threshold(pairs: pl.DataFrame, labels: pl.DataFrame, min_precision: float = 0.98) -> float:
    """The lowest threshold at which the labelled pairs reach `min_precision`.

    Labelled pairs the model did not score count as scored 0. Precision at t is
    TP(t) / (TP(t) + FP(t)) over labelled pairs scored at or above t; the lowest such t keeps the
    most recall. If no threshold reaches the target, the one of highest precision is returned."""
    key = [
        pl.min_horizontal("record_id_l", "record_id_r").alias("a"),
        pl.max_horizontal("record_id_l", "record_id_r").alias("b"),
    ]
    scored = pairs.select(*key, "match_probability")
    judged = (
        labels.select(*key, pl.col("is_match").cast(pl.Boolean))
        .join(scored, on=["a", "b"], how="left")
        .with_columns(pl.col("match_probability").fill_null(0.0))
    )
    if judged.height == 0 or not judged["is_match"].any():
        raise InputError("resolve.no_matching_label")
    curve = (
        judged.sort("match_probability", descending=True)
        .with_columns(
            pl.col("is_match").cast(pl.Int64).cum_sum().alias("tp"),
            pl.int_range(1, pl.len() + 1).alias("n"),
        )
        .with_columns((pl.col("tp") / pl.col("n")).alias("precision"))
    )
    curve = curve.group_by("match_probability", maintain_order=True).agg(pl.col("precision").last())
    good = curve.filter((pl.col("precision") >= min_precision) & (pl.col("match_probability") > 0))
    if good.height:
        return float(good.select(pl.min("match_probability")).item())
    return float(curve.sort("precision", "match_probability", descending=True)["match_probability"][0])
