"""A Chinese company name's meaning in English, to meet the firm's English name when the English
name translates the trade name instead of spelling it in pinyin (长城 = Great Wall, 东方 =
Oriental, 白银 = Silver, 宽频 = Broadband) or abbreviates translated words (上海汽车工业 = SAIC).

The translations are those of CC-CEDICT (`refdata/zh-en-meanings.tsv.gz`, built by
`scripts/build_meanings.py`: a dictionary of the language, with no list of firms). A trade name
is cut into the dictionary's words, longest first from the left (forward maximum matching, one
Aho-Corasick pass over the whole column: 长城汽车 -> 长城 | 汽车), and each word gives its English
words. `meanings` returns per name:

- ``meaning``: for a Chinese name, ``|token|token|...|``: the whole trade name translated word by
  word and run together (长城 -> ``greatwall``, as an English trade name is compared, spaces
  removed), each word's first translation run together, every English word of every translation
  (stemmed, `stem`), the initials of the translated words of place, trade name and business words
  (上海汽车工业 -> ``saic`` among others: acronyms of three letters or more), and the business
  words' English words marked ``~`` (``~bank``), which say less about which firm it is. For an
  English name, ``|stem of its first distinctive word|`` and, after ``#``, its next word
  (``|weichai|#power|``), so that one ``contains`` asks whether the Chinese name translates it.
- ``sense``: a blocking key, the character the first word's first translation stands for
  (`concepts`: 东方 east -> 东) or the English name's first distinctive word's (Oriental -> 东),
  else its first four letters.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from itertools import product

import polars as pl

MEANINGS_FILE = "zh-en-meanings.tsv.gz"
SEGMENT_END = "\x00"
MAX_ACRONYMS = 64  # per name: the product of each word's initials grows fast
MIN_ACRONYM = 3  # two letters are too many firms' initials
# The legal form's word an acronym may end with (SAIC: ... Corporation; ... Group).
ACRONYM_ENDINGS = ("", "c", "g")


@cache
def dictionary() -> pl.DataFrame:
    """word, primary (the first translation's words), words (every translation's words), longest
    words first (so that a leftmost-first match is the longest)."""
    path = resources.files("districtlens.refdata").joinpath(MEANINGS_FILE)
    with resources.as_file(path) as file:
        frame = pl.read_csv(
            file,
            separator="\t",
            has_header=False,
            new_columns=["word", "primary", "words"],
            quote_char=None,
            schema_overrides={"word": pl.Utf8, "primary": pl.Utf8, "words": pl.Utf8},
        )
    return frame.sort(pl.col("word").str.len_chars(), "word", descending=[True, False])


def stem(words: pl.Expr) -> pl.Expr:
    """A light stem of lower-case English words, applied alike to both sides: plurals, -ern of
    the compass points (eastern = east), -al (oriental = orient, chemical = chemic)."""
    return (
        words.str.replace(r"^(east|west|north|south)ern$", "$1")
        .str.replace(r"^(.{3,})ies$", "${1}y")
        .str.replace(r"^(.{3,}[^s])s$", "$1")
        .str.replace(r"^(.{4,})al$", "$1")
    )


def segments(names: pl.Series) -> pl.Series:
    """Each name cut into dictionary words (a list; a character the dictionary lacks stays with
    the word before it)."""
    table = dictionary()
    distinct = names.drop_nulls().unique()
    chars = set("".join(distinct.to_list()))
    present = table.filter(pl.col("word").str.slice(0, 1).is_in(list(chars)))
    words = present["word"].to_list()
    if not words:
        return names.str.split(SEGMENT_END)
    cut = names.str.replace_many(words, [w + SEGMENT_END for w in words], leftmost=True)
    return cut.str.strip_chars_end(SEGMENT_END).str.split(SEGMENT_END)


def _translated(names: pl.Series) -> pl.DataFrame:
    """Per name (row i): its words' translations in order: i, pos, word, primary, words."""
    table = dictionary()
    frame = pl.DataFrame({"seg": segments(names)}).with_row_index("i").explode("seg").drop_nulls("seg")
    frame = frame.with_columns(pl.int_range(pl.len()).over("i").alias("pos"))
    return frame.join(table, left_on="seg", right_on="word", how="left").rename({"seg": "word"})


def _tokens(translated: pl.DataFrame, mark: str) -> pl.DataFrame:
    """i, tokens (list): run-together translations and stemmed words, each prefixed by `mark`."""
    runs = translated.group_by("i").agg(
        pl.when(pl.col("primary").is_null().any())
        .then(None)
        .otherwise(pl.col("primary").sort_by("pos").str.replace_all(" ", "").str.join(""))
        .first()
        .alias("whole"),
        pl.col("primary").drop_nulls().str.replace_all(" ", "").alias("runs"),
        stem(pl.col("words").drop_nulls().str.split(" ").explode()).alias("each"),
    )
    tokens = pl.concat_list("whole", "runs", "each").list.drop_nulls().list.unique()
    return runs.select("i", tokens.list.eval(pl.lit(mark) + pl.element()).alias("tokens"))


def _initials(translated: pl.DataFrame) -> pl.DataFrame:
    """i, initials: per word in order, the initials its translation offers: of its first
    translation's words (长城: great wall, gw), and for a word translated by one word, of its
    next translations too (汽车: car, automobile, bus: c, a, b)."""
    primary = pl.col("primary").str.split(" ")
    alternatives = (
        pl.when(primary.list.len() == 1)
        .then(pl.col("words").str.split(" ").list.slice(0, 3).list.eval(pl.element().str.slice(0, 1)))
        .otherwise(pl.lit([], pl.List(pl.Utf8)))
    )
    first_letters = (
        pl.concat_list(primary.list.eval(pl.element().str.slice(0, 1)).list.join(""), alternatives)
        .list.unique(maintain_order=True)
        .alias("initials")
    )
    return translated.filter(pl.col("primary").is_not_null()).sort("i", "pos").select("i", first_letters)


def _acronyms(initials: list[list[str]], place: str | None) -> list[str]:
    heads = [[place[:1]]] if place else []
    out: list[str] = []
    for combination in product(*heads, *initials):
        for ending in ACRONYM_ENDINGS:
            acronym = "".join(combination) + ending
            if len(acronym) >= MIN_ACRONYM:
                out.append(acronym)
        if len(out) >= MAX_ACRONYMS:
            break
    return out


def meanings(
    script: pl.Series,
    trade: pl.Series,
    business: pl.Series,
    place_en: pl.Series,
    lead: pl.Series,
    body: pl.Series,
) -> pl.DataFrame:
    """meaning and sense of each name (see the module docstring). `place_en` is the English
    spelling of a Chinese name's region (上海 -> shanghai), for acronyms; `lead` an English name's
    first distinctive word."""
    n = len(script)
    is_zh = (script == "zh").fill_null(False)
    zh_trade = pl.select(pl.when(is_zh).then(trade)).to_series()
    zh_business = pl.select(pl.when(is_zh).then(business)).to_series()
    of_trade = _translated(zh_trade)
    of_business = _translated(zh_business)
    trade_tokens = _tokens(of_trade, "")
    business_tokens = _tokens(of_business, "~")
    words = pl.concat([of_trade, of_business.with_columns(pl.col("pos") + 100)])
    initials = _initials(words).group_by("i", maintain_order=True).agg("initials")
    places = place_en.to_list()
    acronyms = pl.DataFrame(
        {
            "i": initials["i"],
            "acronyms": [_acronyms(per_word, places[i]) for i, per_word in initials.iter_rows()],
        },
        schema={"i": pl.UInt32, "acronyms": pl.List(pl.Utf8)},
    )
    # The first word's translation, without a leading "China" (中国东方航空: China Eastern Airlines).
    first = of_trade.filter(pl.col("pos") == 0).select(
        "i", pl.col("primary").str.replace(r"^china ", "").str.extract(r"^(\S+)", 1).alias("first")
    )
    frame = (
        pl.DataFrame({"i": pl.arange(0, n, eager=True).cast(pl.UInt32)})
        .join(trade_tokens, on="i", how="left")
        .join(business_tokens.rename({"tokens": "business"}), on="i", how="left")
        .join(acronyms, on="i", how="left")
        .join(first, on="i", how="left")
        .sort("i")
    )
    every = pl.concat_list(
        pl.col("tokens").fill_null([]), pl.col("acronyms").fill_null([]), pl.col("business").fill_null([])
    ).list.unique(maintain_order=True)
    zh_meaning = pl.when(every.list.len() > 0).then(pl.lit("|") + every.list.join("|") + pl.lit("|"))
    en_lead = pl.lit("|") + stem(pl.lit(lead)) + pl.lit("|")
    second = stem(pl.lit(body).str.extract(r"^\S+\s+(\S+)", 1))
    en_meaning = pl.concat_str(en_lead, pl.lit("#") + second + pl.lit("|"), ignore_nulls=True)
    return frame.select(
        pl.when(pl.lit(is_zh)).then(zh_meaning).when(pl.lit(lead).is_not_null()).then(en_meaning).alias("meaning"),
        _concept(pl.when(pl.lit(is_zh)).then(pl.col("first")).otherwise(pl.lit(lead))).alias("sense"),
    )


@cache
def concepts() -> dict[str, str]:
    """English word (stemmed) -> the Chinese character that begins most of the dictionary's words
    it translates (among their first four translations): east, orient, eastern -> 东; great -> 大;
    pearl -> 珠. Synonyms meet on one character, so a blocking key on it finds 东方 for Orient."""
    table = dictionary().select(
        pl.col("word").str.slice(0, 1).alias("char"), pl.col("words").str.split(" ").list.slice(0, 4).alias("word")
    )
    counts = (
        table.explode("word")
        .with_columns(stem(pl.col("word")))
        .group_by("word", "char")
        .len()
        .sort(["len", "char"], descending=[True, False])
        .group_by("word", maintain_order=True)
        .first()
    )
    return dict(zip(counts["word"].to_list(), counts["char"].to_list(), strict=True))


def _concept(word: pl.Expr) -> pl.Expr:
    """A word's character (`concepts`), else its first four letters."""
    stemmed = stem(word)
    return stemmed.replace_strict(concepts(), default=stemmed.str.slice(0, 4), return_dtype=pl.Utf8)


def place_in_english(location: pl.Series) -> pl.Series:
    """A region's (Chinese short name's) English spelling: the first one `names.regions` knows."""
    from districtlens.resolve.names import regions

    english: dict[str, str] = {}
    for spelling, short in regions()[1].items():
        english.setdefault(short, spelling)
    return location.replace_strict(english, default=None, return_dtype=pl.Utf8)
