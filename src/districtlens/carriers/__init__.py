"""Carriers (parks, incubators, campuses), their floor space and tenants, the innovation pipeline
they host, and the programmes whose KPIs measure them: pure logic on frames and definitions. The
store reads and writes them (districtlens.store.carriers); the command layer joins the two
(districtlens.commands.carriers)."""

# The uses of floor space. Here rather than in `space`, so that the CLI can name them in its help
# without importing polars.
USES = ("office", "lab", "housing", "commercial", "education", "unspecified")


def problem_list(problems: list[str]) -> str:
    """Problems as the value of an error that names them all (a definition file's, a pipeline's):
    one indented line each."""
    return "\n".join(f"  - {p}" for p in problems)
