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

from collections.abc import Mapping
from dataclasses import dataclass, field

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
        """The area's name in `lang`, else Chinese, else English, else its code."""
        return self.names.get(lang) or self.names.get("zh") or self.names.get("en") or self.code

    @property
    def label(self) -> str:
        """Name and code, as lists and errors show it: 静安区 (310106)."""
        return f"{self.name('zh')} ({self.code})"


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
