"""Who is who: company names taken apart (names), aliases across scripts (aliases), the linker
(Splink model, exact credit-code pass, constrained clustering) and a labelled synthetic set for
evaluation and benchmarks (synthetic). The store side is districtlens.store.resolution."""
