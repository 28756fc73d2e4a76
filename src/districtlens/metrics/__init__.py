"""Regional-economics measures: pure functions over region x activity matrices and long frames.

No SQL and no I/O here; `districtlens.panel` builds the panels, `districtlens.commands.metrics`
reads and writes files. Input the measures cannot be computed on is refused with an `InputError`
(districtlens.errors) keyed `metrics.*`. See docs/metrics.md for the formulas, the two
conventions and the back-test.
"""

from districtlens.metrics.complexity import complexity, outlook, standardise
from districtlens.metrics.density import density, relatedness_density
from districtlens.metrics.diversity import diversity, ubiquity
from districtlens.metrics.fitness import fitness_complexity
from districtlens.metrics.growth import growth, growth_table, rank_among
from districtlens.metrics.pipeline import Columns, complexity_table, measures
from districtlens.metrics.presence import presence
from districtlens.metrics.proximity import cooccurrence, proximity
from districtlens.metrics.rca import rca, reference_from_regions
from districtlens.metrics.shiftshare import ShiftShare, shift_share
from districtlens.metrics.specialisation import entropy, gini, herfindahl, krugman

__all__ = [
    "Columns",
    "ShiftShare",
    "complexity",
    "complexity_table",
    "cooccurrence",
    "density",
    "diversity",
    "entropy",
    "fitness_complexity",
    "gini",
    "growth",
    "growth_table",
    "herfindahl",
    "krugman",
    "measures",
    "outlook",
    "presence",
    "proximity",
    "rank_among",
    "rca",
    "reference_from_regions",
    "relatedness_density",
    "shift_share",
    "standardise",
    "ubiquity",
]
