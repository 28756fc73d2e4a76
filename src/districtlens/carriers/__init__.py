"""Carriers (parks, incubators, campuses), their floor space and tenants, the innovation pipeline
they host, and the programmes whose KPIs measure them: pure logic on frames and definitions. The
store reads and writes them (districtlens.store.carriers); the command layer joins the two
(districtlens.commands.carriers)."""

# The uses of floor space. Here rather than in `space`, so that the CLI can name them in its help
# without importing polars.
USES = ("office", "lab", "housing", "commercial", "education", "unspecified")


def said(key: str, **values: object) -> dict[str, object]:
    """A problem of a definition file (a schedule's, a pipeline's, a programme's) as a message key
    and its values, which the error naming every problem says in the reader's language
    (errors.said)."""
    return {"key": key, "values": values}


def given(value: object) -> str:
    """A value as a file gave it, for a problem to quote ("—" for none)."""
    return "—" if value is None else str(value)
