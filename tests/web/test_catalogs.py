"""The one gettext catalog: every message in zh, en and fr alike, each with a text, and the same
placeholders in every language (a missing one would fail, or show `{name}`, at run time)."""

from __future__ import annotations

import re
from importlib import resources

from babel.messages.pofile import read_po

from districtlens.i18n import CATALOG_LOCALES

PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)(?:![rs])?(?::[^}]*)?\}")


def messages(locale: str) -> dict[str, str]:
    po = resources.files("districtlens.i18n").joinpath("locale", locale, "LC_MESSAGES", "messages.po")
    with po.open("rb") as handle:
        return {str(m.id): str(m.string or "") for m in read_po(handle, locale=locale) if m.id}


def test_every_catalog_has_every_message_with_a_text():
    catalogs = {lang: messages(locale) for lang, locale in CATALOG_LOCALES.items()}
    every = set().union(*(set(c) for c in catalogs.values()))
    assert len(every) > 400
    for lang, catalog in catalogs.items():
        missing = sorted(every - set(catalog))
        empty = sorted(k for k, text in catalog.items() if not text.strip())
        assert not missing, (lang, missing[:20])
        assert not empty, (lang, empty[:20])


def test_placeholders_match_across_languages():
    catalogs = {lang: messages(locale) for lang, locale in CATALOG_LOCALES.items()}
    for key, english in catalogs["en"].items():
        wanted = set(PLACEHOLDER.findall(english))
        for lang in ("zh", "fr"):
            assert set(PLACEHOLDER.findall(catalogs[lang][key])) == wanted, (lang, key)


def test_no_message_is_defined_twice():
    """Branches merge the catalogs line by line (`merge=union` in .gitattributes), so two of them
    adding the same message leave it twice; gettext then keeps one of the texts, unseen."""
    for locale in CATALOG_LOCALES.values():
        po = resources.files("districtlens.i18n").joinpath("locale", locale, "LC_MESSAGES", "messages.po")
        ids = re.findall(r'^msgid "(.+)"$', po.read_text(encoding="utf-8"), flags=re.M)
        twice = sorted({i for i in ids if ids.count(i) > 1})
        assert not twice, (locale, twice[:10])
