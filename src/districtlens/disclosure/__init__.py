"""Statistical disclosure control of the figures restricted roles see (Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012; τ-ARGUS practice). Pure: frames and arrays in,
decisions out. `tables` models the published cells as sums over firms; `rules` finds the
primary suppressions; `audit` runs the intruder's linear programs; `secondary` adds the
suppressions that make every suppressed cell safe. See docs/disclosure.md."""

from districtlens.disclosure.audit import Finding, audit
from districtlens.disclosure.rules import DEFAULT_RULES, Rules, primary
from districtlens.disclosure.secondary import Pattern, protect
from districtlens.disclosure.tables import Tables, tables_from_frames

__all__ = [
    "DEFAULT_RULES",
    "Finding",
    "Pattern",
    "Rules",
    "Tables",
    "audit",
    "primary",
    "protect",
    "tables_from_frames",
]
