"""Areas: what `--area CODE` names, by one rule used everywhere (chains, claims, briefings).

A code is read as
- a county-level adcode (6 digits: 310106 is Jing'an), from the national division codes;
- a street or town code (9 digits: 310106019), from the same;
- else a functional zone id of the store's packs.
Anything else is refused with what was expected, and the zones the store knows.

A leaf module: the caller hands it the store's zones (`store.places.zones`), so that the rule
does not depend on where they are kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from districtlens.errors import NotFound
from districtlens.i18n import LANGUAGES


@dataclass(frozen=True)
class Zone:
    """A functional zone as the store keeps it: its district and its names by language."""

    zone_id: str
    district_adcode: str
    names: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Area:
    """A district (6-digit adcode), street (9-digit code) or functional zone (its id)."""

    kind: str  # district, street, zone
    code: str
    district_adcode: str
    names: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def city_prefix(self) -> str:
        """The first four digits of the district's adcode: its city (3101 for Shanghai)."""
        return self.district_adcode[:4]

    @property
    def column(self) -> str:
        """The enterprise_current column that says whether a firm is in the area."""
        return {"district": "district_adcode", "street": "street_code", "zone": "zone_id"}[self.kind]

    def name(self, lang: str) -> str:
        """The area's name in `lang`; a district or street without one is named from its Chinese
        name (`division_name`); else Chinese, else English, else its code."""
        found = self.names.get(lang)
        if not found and self.kind != "zone" and self.names.get("zh"):
            found = division_name(str(self.names["zh"]), lang)
        return found or self.names.get("zh") or self.names.get("en") or self.code

    @property
    def label(self) -> str:
        """Name and code, as lists and errors show it: 静安区 (310106)."""
        return self.label_in("zh")

    def label_in(self, lang: str) -> str:
        """Name in `lang` and code, as a reason says where: Jing'an District (310106)."""
        return f"{self.name(lang)} ({self.code})"


# How a division's kind is said in English and French, by the suffix of its Chinese name (longest
# first); {name} is the romanised rest. A city, province or special administrative region goes by
# its name alone, as it is known abroad: 苏州市 is Suzhou.
DIVISION_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    ("特别行政区", "{name}", "{name}"),
    ("自治区", "{name}", "{name}"),
    ("自治州", "{name} Autonomous Prefecture", "préfecture autonome de {name}"),
    ("自治县", "{name} Autonomous County", "xian autonome de {name}"),
    ("自治旗", "{name} Autonomous Banner", "bannière autonome de {name}"),
    (
        "经济技术开发区",
        "{name} Economic and Technological Development Zone",
        "zone de développement économique et technologique de {name}",
    ),
    (
        "高新技术产业开发区",
        "{name} High-tech Industrial Development Zone",
        "zone de développement industriel de haute technologie de {name}",
    ),
    ("开发区", "{name} Development Zone", "zone de développement de {name}"),
    ("街道", "{name} Subdistrict", "quartier de {name}"),
    ("新区", "{name} New Area", "nouvelle zone de {name}"),
    ("林区", "{name} Forestry District", "district forestier de {name}"),
    ("地区", "{name} Prefecture", "préfecture de {name}"),
    ("区", "{name} District", "district de {name}"),
    ("县", "{name} County", "xian de {name}"),
    ("旗", "{name} Banner", "bannière de {name}"),
    ("盟", "{name} League", "ligue de {name}"),
    ("镇", "{name} Town", "bourg de {name}"),
    ("乡", "{name} Township", "canton de {name}"),
    ("市", "{name}", "{name}"),
    ("省", "{name}", "{name}"),
)
# Divisions known abroad by another name than their pinyin (exonyms), and 陕西, whose pinyin is
# that of 山西 but is written Shaanxi to tell them apart.
EXONYMS: dict[str, dict[str, str]] = {
    "香港": {"en": "Hong Kong", "fr": "Hong Kong"},
    "澳门": {"en": "Macao", "fr": "Macao"},
    "内蒙古": {"en": "Inner Mongolia", "fr": "Mongolie-Intérieure"},
    "西藏": {"en": "Tibet", "fr": "Tibet"},
    "陕西": {"en": "Shaanxi", "fr": "Shaanxi"},
}
# Characters of several readings that place names read one way (长宁 Changning, 长治 Changzhi,
# 重庆 Chongqing, 襄都 Xiangdu), where pypinyin's everyday reading would be another; and the
# names that read them otherwise still (长子 Zhangzi, 闵行 Minhang).
PLACE_READINGS = {"长": "chang", "重": "chong", "都": "du", "会": "hui"}
PLACE_PHRASES = {"长子": ("zhang", "zi"), "闵行": ("min", "hang")}
# China's 56 ethnic groups (GB/T 3304), which an autonomous prefecture's, county's or banner's name
# carries between its place name and 自治州/自治县/自治旗: 延边朝鲜族自治州 is Yanbian.
ETHNIC_GROUPS = (
    "汉|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|"
    "哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|"
    "达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|"
    "乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|"
    "门巴|珞巴|基诺"
)
_ETHNIC = re.compile(f"(?:(?:{ETHNIC_GROUPS})族?|各族)+$")


def division_name(name: str, lang: str) -> str:
    """An administrative division's Chinese name (浦东新区, 静安区, 苏州市) said in `lang`: itself in
    Chinese; in English and French its place name in pinyin (tones dropped, syllables joined, an
    apostrophe before a syllable that starts with a, o or e: Jing'an, Xi'an) and its kind by the
    suffix (Pudong New Area, nouvelle zone de Pudong; Jing'an District, district de Jing'an;
    Suzhou)."""
    if lang == "zh" or not name:
        return name
    for suffix, english, french in DIVISION_SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and stem:
            # The ethnic names after a place name of two characters at least (not 内蒙古, 西藏).
            if suffix.startswith("自治") and (ethnic := _ETHNIC.search(stem, 2)) is not None:
                stem = stem[: ethnic.start()]
            shown = _place(stem, lang)
            said = english if lang == "en" else french
            return _elided(said.format(name=shown)) if lang == "fr" else said.format(name=shown)
    return _place(name, lang)


def _place(stem: str, lang: str) -> str:
    """A place name in pinyin, capitalised, or its exonym in `lang`."""
    if stem in EXONYMS:
        return EXONYMS[stem].get(lang, EXONYMS[stem]["en"])
    return _pinyin(stem)


@cache
def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(text, v_to_u=True)
    if len(syllables) == len(text):  # one syllable per character (no letters or digits)
        syllables = [PLACE_READINGS.get(char, said) for char, said in zip(text, syllables, strict=True)]
        for phrase, readings in PLACE_PHRASES.items():
            start = text.find(phrase)
            if start >= 0:
                syllables[start : start + len(phrase)] = readings
    joined = ""
    for i, syllable in enumerate(syllables):
        if i and syllable[:1] in ("a", "o", "e") and joined[-1:].isalpha():
            joined += "'"
        joined += syllable
    return joined[:1].upper() + joined[1:]


def _elided(text: str) -> str:
    """French élision: « de » before a vowel is « d' » (district d'Anting)."""
    return re.sub(r"\bde ([AEIOUÉaeioué])", r"d'\1", text)


def resolve_area(
    code: str, zones: Mapping[str, Zone], district_names: Mapping[str, Mapping[str, str | None]] | None = None
) -> Area:
    """Read `code` as a district adcode, a street code or one of `zones`. `district_names` may give
    a district's names in every language (a pack's district); otherwise its official Chinese name."""
    from districtlens.refdata import district_name, street_record

    code = code.strip()
    if code.isdigit() and len(code) == 6:
        official = district_name(code)
        if official is None:
            raise NotFound("area.unknown_district", code=code)
        names = dict((district_names or {}).get(code) or {})
        names["zh"] = names.get("zh") or official
        return Area("district", code, code, names)
    if code.isdigit() and len(code) == 9:
        street = street_record(code)
        if street is None:
            raise NotFound("area.unknown_street", code=code)
        return Area("street", code, street[1], {"zh": street[0]})
    zone = zones.get(code)
    if zone is None:
        known = ", ".join(sorted(zones)) or "—"
        raise NotFound("area.unknown", code=code, zones=known)
    return Area("zone", zone.zone_id, zone.district_adcode, {lang: zone.names.get(lang) for lang in LANGUAGES})
