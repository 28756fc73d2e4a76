"""Placement: which links of a chain each enterprise belongs to, and the rule that put it there.

A link's rules are alternatives. A class rule places every firm of its classes. A keyword rule
places firms whose name, business scope or tags contain one of its keywords, only among firms of
its `within` classes when it has them. Matching ignores case; a Chinese keyword matches anywhere
in the text, a Latin keyword only as a whole word (so "CRO" does not match "micro"). Manual
placements, when given, come first. Each placement keeps its rule as data, a kind (`rule`:
class, keyword, sector or manual) and the class, keyword or sector that placed it (`rule_value`),
said in the reader's language at the edge (`said_rule`).
"""

from __future__ import annotations

import polars as pl

from districtlens.chains.templates import ChainTemplate, Rule
from districtlens.cores import per_core
from districtlens.i18n import t

PLACEMENT_SCHEMA = {
    "uscc": pl.String,
    "link_id": pl.String,
    "rule": pl.String,
    "rule_value": pl.String,
    "firm_row": pl.UInt32,
}
REQUIRED_COLUMNS = ("uscc", "industry_code", "name", "business_scope", "tags")
_REGEX_SPECIAL = set("\\.+*?()|[]{}^$#&-~")


def place(
    enterprises: pl.DataFrame,
    template: ChainTemplate,
    manual: pl.DataFrame | None = None,
    texts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """(uscc, link_id, rule, rule_value, firm_row) for every enterprise and link it belongs to, one
    row per pair; firm_row is the firm's position in `enterprises` (null for a manual placement of
    a firm `enterprises` lacks), so that a caller holding the same frame can gather the firm's
    figures by position instead of joining a million firms on the uscc string.

    `enterprises` needs uscc, industry_code, name, business_scope and tags (nulls allowed);
    `manual`, when given, holds (uscc, link_id) pairs a person decided. When several rules place
    the same firm in a link, the row keeps the first: manual, then the rules in template order.
    The rule is a kind and its value: ("class", "2710"), ("keyword", "合成生物"), ("manual", null).
    `texts`, when given, is `keyword_texts` of the same enterprises for rules that include this
    template's (several templates then share one pass over the raw text).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in enterprises.columns]
    if missing:
        raise ValueError(f"enterprises lack column(s): {', '.join(missing)}")
    firms = enterprises.select(pl.col("uscc").cast(pl.String), pl.col("industry_code").cast(pl.String)).with_row_index(
        "firm_row"
    )
    found = [_manual(manual, template, firms)] if manual is not None else []
    if texts is None:
        texts = keyword_texts(enterprises, keyword_rules([template]))
    # Each rule's position in the template: the first rule that places a firm in a link wins.
    rules = [(link.id, rule) for link in template.links for rule in link.rules]
    by_class = [(i, link_id, rule) for i, (link_id, rule) in enumerate(rules) if rule.classes]
    found.append(_class_rules(firms, by_class))
    by_keyword = [(i, link_id, rule) for i, (link_id, rule) in enumerate(rules) if not rule.classes]
    rows = _rows_by_rule(texts, by_keyword)
    # The rules gather their candidates' rows: the found lists they no longer need would double the cost.
    scanned = texts.select("uscc", "firm_row", "industry_code", "text")
    for i, link_id, rule in by_keyword:
        candidates = scanned.gather(rows[i]) if i in rows else scanned.clear()
        found.append(_keyword_rule(candidates, link_id, rule, i))
    placed = pl.concat(found, how="vertical")
    # Manual placements come first (order -1), then the rules in template order. The first row of
    # each pair, as unique(keep="first", maintain_order=True) keeps it, in three quarters the time.
    return (
        placed.sort("order", maintain_order=True).filter(pl.struct("uscc", "link_id").is_first_distinct()).drop("order")
    )


def keyword_rules(templates: list[ChainTemplate]) -> list[Rule]:
    """The rules of `templates` that place by keyword (not by class alone)."""
    return [rule for template in templates for link in template.links for rule in link.rules if not rule.classes]


def keyword_texts(enterprises: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """(firm_row, uscc, industry_code, text, found) of the firms one of the keyword `rules` could
    match, firm_row being their position in `enterprises`, text their name, business scope and
    tags lower-cased and found the rules' keywords it contains (lower-cased, each once). One
    case-insensitive pass over the raw columns finds the firms (4-11 % of a city's firms for one
    shipped template, a third for all of them); `found` then lets each rule scan only the texts
    holding one of its keywords.

    The firms are cut into one slice per core (`per_core`): finding the keywords is most of the
    work."""
    if not rules:
        return pl.DataFrame(
            schema={
                "firm_row": pl.UInt32,
                "uscc": pl.String,
                "industry_code": pl.String,
                "text": pl.String,
                "found": pl.List(pl.String),
            }
        )
    union = "(?i)" + _any_rule(rules)
    words = sorted({word.lower() for rule in rules for word in rule.keywords})
    numbered = enterprises.select(REQUIRED_COLUMNS).with_row_index("firm_row")
    found = per_core(numbered, lambda part: _keyword_texts(part, union, words))
    # In one chunk: each rule gathers its candidates, several times slower across chunks.
    return pl.concat(found, how="vertical", rechunk=True)


def _keyword_texts(enterprises: pl.DataFrame, union: str, words: list[str]) -> pl.DataFrame:
    """`keyword_texts` of numbered firms, `union` matching any rule, `words` the lower-cased keywords."""
    columns = [pl.col(c).cast(pl.String) for c in ("name", "business_scope", "tags")]
    texts = enterprises.filter(pl.any_horizontal(c.str.contains(union).fill_null(False) for c in columns)).select(
        "firm_row",
        pl.col("uscc").cast(pl.String),
        pl.col("industry_code").cast(pl.String),
        pl.concat_str([c.fill_null("") for c in columns], separator="\n").alias("text"),
    )
    # Lower-casing allocates a string per text; only the few texts with a cased letter need it.
    text = texts["text"]
    cased = text.str.contains(r"\p{Changes_When_Lowercased}").arg_true()
    texts = texts.with_columns(text.scatter(cased, text.gather(cased).str.to_lowercase()))
    return texts.with_columns(pl.col("text").str.extract_many(words, overlapping=True).list.unique().alias("found"))


def _rows_by_rule(texts: pl.DataFrame, rules: list[tuple[int, str, Rule]]) -> dict[int, pl.Series]:
    """For each keyword rule (by order), the rows of `texts` holding one of its keywords, in
    order: a rule's regex cannot match a text without one."""
    words = pl.DataFrame(
        [(word.lower(), order) for order, _, rule in rules for word in rule.keywords],
        schema={"found": pl.String, "order": pl.Int32},
        orient="row",
    ).unique()
    pairs = (
        texts.select(pl.col("found"))
        .with_row_index("row")
        .explode("found")
        .join(words, on="found", how="inner")
        .group_by("order")
        .agg(pl.col("row").unique().sort())
    )
    # Each list as a Series: through Python lists the rows cost a third more, to read and gather.
    rows = pairs["row"]
    return {order: rows[i] for i, order in enumerate(pairs["order"].to_list())}


def _any_rule(rules: list[Rule]) -> str:
    return "|".join(f"(?:{keyword_pattern(rule)})" for rule in rules)


RULE_PLACEHOLDERS = {"class": "code", "keyword": "word", "sector": "label", "manual": None}


def said_rule(rule: str, value: str | None, lang: str) -> str:
    """A placement's rule in `lang`: "class 2710", "keyword “合成生物”", "placed by hand"."""
    placeholder = RULE_PLACEHOLDERS[rule]
    return t(f"chains.rule.{rule}", lang, **({placeholder: value} if placeholder else {}))


def _class_rules(firms: pl.DataFrame, rules: list[tuple[int, str, Rule]]) -> pl.DataFrame:
    """Every class rule (order, link id, rule) in one join: one pass over the firms, not one per rule."""
    table = pl.DataFrame(
        [(code, link_id, order) for order, link_id, rule in rules for code in rule.classes],
        schema={"industry_code": pl.String, "link_id": pl.String, "order": pl.Int32},
        orient="row",
    )
    # Keeping the firms of the rules' classes first costs two thirds of joining all of them.
    classed = firms.filter(pl.col("industry_code").is_in(table["industry_code"].unique().implode()))
    return classed.join(table, on="industry_code", how="inner").select(
        "uscc",
        "link_id",
        pl.lit("class").alias("rule"),
        pl.col("industry_code").alias("rule_value"),
        "firm_row",
        "order",
    )


def _keyword_rule(candidates: pl.DataFrame, link_id: str, rule: Rule, order: int) -> pl.DataFrame:
    if rule.within:
        candidates = candidates.filter(pl.col("industry_code").is_in(rule.within))
    original = {word.lower(): word for word in rule.keywords}
    # The first match's groups say which keyword (Chinese or Latin) it was; no match leaves both
    # null. The candidates hold one of the rule's keywords, so most match: capture straight away.
    groups = pl.col("text").str.extract_groups(keyword_pattern(rule))
    word = pl.coalesce(groups.struct.field("1"), groups.struct.field("2")).alias("word")
    return (
        candidates.select("uscc", "firm_row", word)
        .drop_nulls("word")
        .with_columns(pl.col("word").replace_strict(original, default=pl.col("word")))
        .select(
            "uscc",
            pl.lit(link_id).alias("link_id"),
            pl.lit("keyword").alias("rule"),
            pl.col("word").alias("rule_value"),
            "firm_row",
            pl.lit(order, dtype=pl.Int32).alias("order"),
        )
    )


def keyword_pattern(rule: Rule) -> str:
    """One regex for a keyword rule over lower-cased text: group 1 a Chinese keyword found
    anywhere, group 2 a Latin keyword found between non-letters (or the ends of the text)."""
    zh = "|".join(_escape(w.lower()) for w in sorted(rule.keywords_zh, key=len, reverse=True))
    en = "|".join(_escape(w.lower()) for w in sorted(rule.keywords_en, key=len, reverse=True))
    # A group that can never match keeps the group numbers fixed when one language is empty.
    zh = zh or "[^\\s\\S]"
    en = en or "[^\\s\\S]"
    return f"({zh})|(?:^|[^a-z0-9])({en})(?:[^a-z0-9]|$)"


def _escape(word: str) -> str:
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in word)


def _manual(manual: pl.DataFrame, template: ChainTemplate, firms: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in ("uscc", "link_id") if c not in manual.columns]
    if missing:
        raise ValueError(f"manual placements lack column(s): {', '.join(missing)}")
    known = {link.id for link in template.links}
    unknown = sorted(set(manual["link_id"].cast(pl.String).to_list()) - known)
    if unknown:
        raise ValueError(f"manual placements name links not in {template.id}: {', '.join(unknown)}")
    return (
        manual.select(
            pl.col("uscc").cast(pl.String),
            pl.col("link_id").cast(pl.String),
            pl.lit("manual").alias("rule"),
            pl.lit(None, dtype=pl.String).alias("rule_value"),
            pl.lit(-1, dtype=pl.Int32).alias("order"),
        )
        .join(firms.select("uscc", "firm_row"), on="uscc", how="left", maintain_order="left")
        .select("uscc", "link_id", "rule", "rule_value", "firm_row", "order")
    )
