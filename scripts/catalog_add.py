"""Add keyed messages to the catalogs: `python scripts/catalog_add.py FILE.yaml`.

FILE.yaml maps each new key to its texts, `key: {zh: ..., en: ..., fr: ...}`; every language is
required, and a key the catalogs already hold is refused (edit the .po files to change a text).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.pofile import read_po, write_po

FOLDER = Path(__file__).resolve().parent.parent / "src" / "districtlens" / "i18n" / "locale"
LOCALES = {"zh": "zh_CN", "en": "en", "fr": "fr"}


def main(path: str) -> None:
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for key, texts in entries.items():
        missing = [lang for lang in LOCALES if not str(texts.get(lang) or "").strip()]
        if missing:
            raise SystemExit(f"{key}: no text in {', '.join(missing)}")
    for lang, locale in LOCALES.items():
        po = FOLDER / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for key, texts in entries.items():
            if key in catalog:
                raise SystemExit(f"{key}: already in the {locale} catalog")
            catalog.add(key, texts[lang])
        with po.open("wb") as handle:
            write_po(handle, catalog, width=0, sort_output=False)


if __name__ == "__main__":
    main(sys.argv[1])
