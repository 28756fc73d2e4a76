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

import polars as pl

MEANINGS_FILE = "zh-en-meanings.tsv.gz"
CONCEPTS_FILE = "zh-en-concepts.tsv.gz"
SEGMENT_END = "\x00"
MAX_STEMS = 6  # a word's translations' words kept in the bag: the first are its common senses
MIN_ACRONYM = 3  # two letters are too many firms' initials
# The legal form's word an acronym may end with (SAIC: ... Corporation; ... Group).
ACRONYM_ENDINGS = ("", "c", "g")


@cache
def dictionary() -> pl.DataFrame:
    """word, primary (the first translation's words), words (every translation's words), run (the
    primary run together), stems (the first MAX_STEMS words, stemmed), longest words first (so
    that a leftmost-first match is the longest)."""
    frame = _read(MEANINGS_FILE, ["word", "primary", "words", "stems"])
    return frame.sort(pl.col("word").str.len_chars(), "word", descending=[True, False]).with_columns(
        pl.col("primary").str.replace_all(" ", "").alias("run"), pl.col("stems").str.split(" ")
    )


def _read(name: str, columns: list[str]) -> pl.DataFrame:
    with resources.as_file(resources.files("districtlens.refdata").joinpath(name)) as file:
        return pl.read_csv(
            file,
            separator="\t",
            has_header=False,
            new_columns=columns,
            quote_char=None,
            schema_overrides=dict.fromkeys(columns, pl.Utf8),
        )


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
    """i, token (one row each): each name's words translated and run together (the whole name),
    each word's first translation run together, and every stemmed word, prefixed by `mark`."""
    whole = (
        translated.sort("i", "pos")
        .group_by("i")
        .agg(
            pl.when(pl.col("run").is_null().any())
            .then(None)
            .otherwise(pl.col("run").str.join(""))
            .first()
            .alias("token")
        )
    )
    runs = translated.select("i", pl.col("run").alias("token"))
    each = translated.select("i", pl.col("stems").alias("token")).explode("token")
    return pl.concat([whole, runs, each]).drop_nulls().select("i", (pl.lit(mark) + pl.col("token")).alias("token"))


def _acronyms(translated: pl.DataFrame, place_en: pl.Series) -> pl.DataFrame:
    """i, token: the initials of each word's first translation's words, run together (长城汽车:
    great wall, car: gwc), and again with each one-word translation's second meaning (汽车: car,
    automobile: 上海汽车工业 -> s a i), with and without the place's initial before them and a
    legal form's after them (ACRONYM_ENDINGS: SAIC = Shanghai Automotive Industry Corporation);
    three letters or more."""
    first = pl.col("primary").str.replace_all(r"(\S)\S*\s*", "$1")
    second = pl.col("words").str.extract(r"^\S+\s+(\S)", 1)
    other = pl.when(~pl.col("primary").str.contains(" ") & second.is_not_null()).then(second).otherwise(first)
    per_name = (
        translated.filter(pl.col("primary").is_not_null())
        .sort("i", "pos")
        .group_by("i")
        .agg(first.str.join("").alias("first"), other.str.join("").alias("other"))
    )
    heads = pl.DataFrame({"head": place_en.str.slice(0, 1)}).with_row_index("i")
    per_name = per_name.join(heads, on="i", how="left").with_columns(pl.col("head").fill_null(""))
    variants = [
        per_name.select("i", pl.concat_str(head, base, pl.lit(ending)).alias("token"))
        for base in (pl.col("first"), pl.col("other"))
        for head in (pl.lit(""), pl.col("head"))
        for ending in ACRONYM_ENDINGS
    ]
    return pl.concat(variants).filter(pl.col("token").str.len_chars() >= MIN_ACRONYM)


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
    first distinctive word; `body` its distinctive words."""
    is_zh = (script == "zh").fill_null(False)
    names = pl.DataFrame({"trade": trade, "business": business, "place": place_en})
    # Each distinct Chinese name once, each distinct run of business words once.
    distinct = names.filter(is_zh).unique(maintain_order=True).with_row_index("i")
    businesses = distinct.select("business").drop_nulls().unique(maintain_order=True)
    of_trade = _translated(distinct["trade"])
    of_business = _translated(businesses["business"])
    business_tokens = (
        _tokens(of_business, "~")
        .join(businesses.with_row_index("b"), left_on="i", right_on="b")
        .join(distinct.select(pl.col("i").alias("name"), "business"), on="business")
        .select(pl.col("name").alias("i"), "token")
    )
    by_name = of_business.join(businesses.with_row_index("b"), left_on="i", right_on="b").join(
        distinct.select(pl.col("i").alias("name"), "business"), on="business"
    )
    words = pl.concat(
        [
            of_trade.select("i", "pos", "primary", "words"),
            by_name.select(pl.col("name").alias("i"), pl.col("pos") + 100, "primary", "words"),
        ]
    )
    tokens = (
        pl.concat([_tokens(of_trade, ""), business_tokens, _acronyms(words, distinct["place"])])
        .group_by("i")
        .agg(pl.col("token").str.join("|"))
    )
    # The first word's translation, without a leading "China" (中国东方航空: China Eastern Airlines).
    first = of_trade.filter(pl.col("pos") == 0).select(
        "i", pl.col("primary").str.replace(r"^china ", "").str.extract(r"^(\S+)", 1).alias("first")
    )
    translated = distinct.join(tokens, on="i", how="left").join(first, on="i", how="left")
    frame = names.with_columns(is_zh.alias("is_zh")).join(
        translated, on=["trade", "business", "place"], how="left", nulls_equal=True, maintain_order="left"
    )
    zh_meaning = pl.when(pl.col("token").is_not_null()).then(pl.lit("|") + pl.col("token") + pl.lit("|"))
    en_lead = pl.lit("|") + stem(pl.lit(lead)) + pl.lit("|")
    second = stem(pl.lit(body).str.extract(r"^\S+\s+(\S+)", 1))
    en_meaning = pl.concat_str(en_lead, pl.lit("#") + second + pl.lit("|"), ignore_nulls=True)
    return frame.select(
        pl.when("is_zh").then(zh_meaning).when(pl.lit(lead).is_not_null()).then(en_meaning).alias("meaning"),
        _concept(pl.when("is_zh").then(pl.col("first")).otherwise(pl.lit(lead))).alias("sense"),
    )


@cache
def concepts() -> dict[str, str]:
    """English word (stemmed) -> a Chinese character (`derive_concepts`), from CONCEPTS_FILE."""
    frame = _read(CONCEPTS_FILE, ["word", "char"])
    return dict(zip(frame["word"].to_list(), frame["char"].to_list(), strict=True))


def derive_concepts(table: pl.DataFrame) -> pl.DataFrame:
    """word, char: for each English word (stemmed), the Chinese character that begins most of the
    dictionary's words it translates (among their first four translations): east, orient,
    eastern -> 东; great -> 大; pearl -> 珠. Synonyms meet on one character, so a blocking key on
    it finds 东方 for Orient. `table` has word and words (scripts/build_meanings.py)."""
    pairs = table.select(
        pl.col("word").str.slice(0, 1).alias("char"), pl.col("words").str.split(" ").list.slice(0, 4).alias("word")
    )
    return (
        pairs.explode("word")
        .with_columns(stem(pl.col("word")))
        .group_by("word", "char")
        .len()
        .sort(["len", "char", "word"], descending=[True, False, False])
        .group_by("word", maintain_order=True)
        .first()
        .select("word", "char")
        .sort("word")
    )


def _concept(word: pl.Expr) -> pl.Expr:
    """A word's character (`concepts`), else the character of the longest word it begins with
    (English names run words together: Greatwall -> great -> 大, as 长城's first translation, great
    wall, gives), else its first four letters."""
    return stem(word).map_batches(_concepts_of, return_dtype=pl.Utf8)


MIN_RUN_WORD = 4  # a word run into a name is taken from four letters on (great, gold), not "in"


def _concepts_of(words: pl.Series) -> pl.Series:
    """`_concept` of each of `words` (stemmed), each distinct word looked up once."""
    table = concepts()
    found = {word: table.get(word) or _leading_concept(word, table) for word in words.drop_nulls().unique().to_list()}
    return words.replace_strict(found, default=None, return_dtype=pl.Utf8)


def _leading_concept(word: str, table: dict[str, str]) -> str:
    for end in range(len(word) - 1, MIN_RUN_WORD - 1, -1):
        if (char := table.get(word[:end])) is not None:
            return char
    return word[:4]


def place_in_english(location: pl.Series) -> pl.Series:
    """A region's (Chinese short name's) English spelling: the first one `names.regions` knows."""
    from districtlens.resolve.names import regions

    english: dict[str, str] = {}
    for spelling, short in regions()[1].items():
        english.setdefault(short, spelling)
    return location.replace_strict(english, default=None, return_dtype=pl.Utf8)
