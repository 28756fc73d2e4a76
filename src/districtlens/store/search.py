"""Enterprise search, as the dashboard and the API offer it: the enterprises whose name (Chinese or
English, current or former), credit code or address contains a piece of text, in any case.

A scan of the version table costs 0.3-0.7 s per search at a million enterprises, and a scan of
their text held in memory still 35 ms: twenty users searching at once queue for seconds behind
either. So the text of every enterprise is read once per data snapshot into a `SearchIndex`, one
lower-cased line per enterprise in the order results are shown, with the enterprises each pair
of adjacent characters (bigram) occurs in. A query's bigrams narrow the search to the enterprises
holding all of them (for a two-character query, exactly those), and only these are then checked
for the whole query. The index holds each enterprise's current record too, so a search reads
nothing from the store: a page of records fetched by code costs more than the search itself.

Text and query are read alike (`_searchable`): full-width letters and digits as half-width
(NFKC), lower case, spaces removed, so that a credit code typed in groups (9131 0000 ...) or an
English name spaced otherwise still matches. A query may come with other forms of itself
(`forms`, made by districtlens.resolve.names.search_forms: simplified characters, a short name's
marks removed: *ST国华 -> 国华, 万科A -> 万科, 隧道股份 -> 隧道): the first form that matches
anything gives the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from districtlens.store.db import Store

# What a search result shows of an enterprise: its current record.
ENTERPRISE_KEYS = (
    "uscc",
    "name",
    "name_en",
    "address",
    "district_adcode",
    "zone_id",
    "industry_code",
    "status",
    "founded",
    "synthetic",
)
# Past this share of all enterprises, narrowing by bigrams costs more than scanning every text.
SCAN_SHARE = 0.2
_UNICODE = 0x110000


@dataclass(frozen=True)
class SearchIndex:
    """Every enterprise's searchable text and where each bigram of it occurs.

    `texts` has the current record (ENTERPRISE_KEYS) and text (every version's name, English
    name, code and address, lower-cased, the fields apart), ordered by current name then code: an
    enterprise's number is its row. The enterprises holding bigram `bigrams[k]` are
    `holders[starts[k]:starts[k + 1]]`, ascending. A bigram's number is `width` times its first
    character's number in `chars`, plus the second's (a character no text holds is numbered 0)."""

    texts: pl.DataFrame
    chars: np.ndarray
    width: int
    bigrams: np.ndarray
    starts: np.ndarray
    holders: np.ndarray

    @classmethod
    def read(cls, store: Store) -> SearchIndex:
        texts = store.con.execute(
            f"""
            SELECT {", ".join(f"c.{key}" for key in ENTERPRISE_KEYS)}, t.text
            FROM enterprise_current c
            JOIN (SELECT uscc, string_agg(DISTINCT concat_ws(chr(31), name, name_en, uscc, address), chr(30)) AS text
                  FROM enterprise_version GROUP BY uscc) t USING (uscc)
            ORDER BY c.name, c.uscc
            """
        ).pl()
        return cls.of(texts.with_columns(_searchable(pl.col("text"))))

    @classmethod
    def of(cls, texts: pl.DataFrame) -> SearchIndex:
        """The index of `texts` (ENTERPRISE_KEYS and the lower-cased text), in their order."""
        # Every text as code points in one array, each followed by 0: array work, not a loop.
        points = np.frombuffer((texts["text"].str.join("\x00").item() + "\x00").encode("utf-32-le"), np.uint32)
        holder = np.cumsum(points == 0, dtype=np.uint32)  # the text a position belongs to
        present = np.zeros(_UNICODE, bool)
        present[points] = True
        chars = np.where(present, np.cumsum(present, dtype=np.uint32), np.uint32(0))
        width = int(present.sum()) + 1
        numbers = chars[points].astype(np.uint64)
        # A pair is (bigram number, text number) in one integer, so that one sort orders both.
        pairs = ((numbers[:-1] * np.uint64(width) + numbers[1:]) << np.uint64(32)) | holder[:-1]
        # A bigram lies within one field: none spans the 0, chr(30) and chr(31) that separate them.
        pairs = pairs[(points[:-1] > 31) & (points[1:] > 31)]
        del numbers, holder
        pairs = pl.Series(pairs).sort().to_numpy()
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
        keys = pairs >> np.uint64(32)
        firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else np.zeros(0, np.int64)
        return cls(
            texts=texts,
            chars=chars,
            width=width,
            bigrams=keys[firsts],
            starts=np.append(firsts, len(keys)),
            holders=(pairs & np.uint64(0xFFFFFFFF)).astype(np.uint32),
        )

    def find(
        self,
        query: str,
        *,
        limit: int,
        offset: int,
        within: list[str] | None = None,
        forms: tuple[str, ...] = (),
    ) -> tuple[int, list[dict[str, Any]]]:
        """(how many enterprises match, the page asked for: each one's current record, by name).
        The query is taken literally (no pattern), without its unprintable characters; `within`
        restricts the search to those codes; `forms` are other ways of writing the query, tried in
        order when it matches nothing."""
        found = self._find_one(query, limit=limit, offset=offset, within=within)
        for form in forms:
            if found[0]:
                break
            found = self._find_one(form, limit=limit, offset=offset, within=within)
        return found

    def _find_one(
        self, query: str, *, limit: int, offset: int, within: list[str] | None
    ) -> tuple[int, list[dict[str, Any]]]:
        needle = "".join(ch for ch in query.strip() if ch.isprintable())
        # Text and query are read by the same function, so matching ignores case in any script.
        lowered = pl.select(_searchable(pl.lit(needle))).item()
        texts = self.texts
        rows: np.ndarray | None
        if within is not None:
            rows = texts.select(pl.arg_where(pl.col("uscc").is_in(within))).to_series().to_numpy()
        else:
            rows = self._candidates(lowered)
        if rows is None:
            hits = texts["text"].str.contains(lowered, literal=True).arg_true().to_numpy()
        elif len(lowered) == 2 and within is None:  # the bigram is the query: every holder matches
            hits = rows
        else:  # only the candidates' text is read, and only the page's records
            hits = rows[texts["text"].gather(rows).str.contains(lowered, literal=True).fill_null(False).to_numpy()]
        return len(hits), texts.select(ENTERPRISE_KEYS)[hits[offset : offset + limit]].to_dicts()

    def _candidates(self, needle: str) -> np.ndarray | None:
        """The enterprises holding every bigram of `needle`, ascending; None when a scan is cheaper
        (a query of one character, or whose rarest bigram more than SCAN_SHARE of them hold)."""
        if len(needle) < 2:
            return None
        points = np.frombuffer(needle.encode("utf-32-le"), np.uint32)
        numbers = self.chars[points].astype(np.uint64)
        if not numbers.all():
            return np.zeros(0, np.int64)
        keys = numbers[:-1] * np.uint64(self.width) + numbers[1:]
        found = np.searchsorted(self.bigrams, keys)
        if (found >= len(self.bigrams)).any() or (self.bigrams[np.minimum(found, len(self.bigrams) - 1)] != keys).any():
            return np.zeros(0, np.int64)
        postings = sorted((self.holders[self.starts[k] : self.starts[k + 1]] for k in set(found.tolist())), key=len)
        if len(postings[0]) > SCAN_SHARE * self.texts.height:
            return None
        holders = postings[0]
        for posting in postings[1:]:
            at = np.minimum(np.searchsorted(posting, holders), len(posting) - 1)
            holders = holders[posting[at] == holders]
        return holders.astype(np.int64)


def _searchable(text: pl.Expr) -> pl.Expr:
    # Spaces only: the fields' separators chr(30) and chr(31) stay.
    return text.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[ \t\r\n]+", "")
