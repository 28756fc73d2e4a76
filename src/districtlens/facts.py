"""The yearly facts an enterprise reports: the columns a roster carries and the store keeps per
(uscc, year). A leaf module, so that the import, the store and the claims name them once."""

FACT_COLUMNS: tuple[str, ...] = ("revenue", "tax", "employees", "rd_spend")
