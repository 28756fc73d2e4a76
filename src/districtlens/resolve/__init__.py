"""Who is who: company names taken apart (names), aliases across scripts (aliases), the linker
(Splink model, exact credit-code pass, constrained clustering) and a labelled synthetic set for
evaluation and benchmarks (synthetic). The store side is districtlens.store.resolution.

The two thresholds live here, apart from the linker, so that the CLI can show them as defaults
without importing the linker (polars, numpy, Splink) to print its help.
"""

DEFAULT_THRESHOLD = 0.8  # link at or above (chosen on the synthetic evaluation set; docs/resolve.md)
DEFAULT_REVIEW_FLOOR = 0.5  # below the threshold but at or above this: a person decides
