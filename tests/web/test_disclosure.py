"""Disclosure control as an intruder meets it: everything the viewer and the operator routes
return is collected through the API, modelled over the district's firms, and attacked with the
intruder's linear programs (docs/disclosure.md). Nothing here names a cell of the demo data."""

from __future__ import annotations

import math
from datetime import date

import pytest

from districtlens import disclosure
from districtlens.store import web_queries as queries
from districtlens.web import figures
from tests.web.conftest import OWN_CARRIER

VARIABLES = ("enterprises", "revenue", "employees")
RESTRICTED = ("viewer", "operator")


def _rows(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:200])
    return response.json()


def collect(client) -> tuple[dict[str, list[dict]], list[str]]:
    """Every cell the routes show, with each showing of it, and the raw answers."""
    shown: dict[str, list[dict]] = {}
    answers: list[str] = []

    def add(cell: str, row: dict) -> None:
        shown.setdefault(cell, []).append(row)

    overview = _rows(client, "/api/overview")
    home = overview["pack"]["adcode"]
    indicators = {i["id"]: i for i in overview["indicators"]}
    add(
        figures.district_cell(home),
        {v: indicators[v]["value"] for v in VARIABLES} | {"suppressed": indicators["revenue"].get("suppressed")},
    )
    for row in overview["tracks"]:
        add(figures.track_cell(row["track_id"]), row)
    for row in overview["peers"]:
        if row["adcode"] == home:
            add(figures.district_cell(home), row | {"employees": indicators["employees"]["value"]})
    for row in _rows(client, "/api/map")["districts"]:
        if row["adcode"] == home:
            add(figures.district_cell(home), row)
    industries = _rows(client, "/api/industries")
    for row in industries["tracks"]:
        add(figures.track_cell(row["track_id"]), row)
    for row in industries["rows"]:
        add(figures.activity_cell("division", row["code"]), row)
        classes = _rows(client, f"/api/industries?division={row['code']}")
        answers.append(str(classes))
        for inner in classes["rows"]:
            add(figures.activity_cell("class", inner["code"]), inner)
    for row in _rows(client, "/api/industry-mix")["rows"]:
        add(figures.activity_cell("class", row["code"]), row)
    answers.append(str(_rows(client, "/api/relatedness")))
    for chain in _rows(client, "/api/chains")["chains"]:
        graph = _rows(client, f"/api/chains/{chain['id']}")
        answers.append(str(graph))
        for node in graph["nodes"]:
            add(figures.link_cell(chain["id"], node["id"]), node)
    answers += [str(overview), str(industries), str(_rows(client, "/api/indicators")), str(_rows(client, "/api/map"))]
    return shown, answers


@pytest.fixture(scope="module")
def model(web_app):
    server = web_app.state.server
    with server.reader() as store:
        context = figures.chain_context(store)
        tables = figures.disclosure_tables(store, context)
        tenants = frozenset(queries.tenant_usccs(store, [OWN_CARRIER], date.today()))
        quotes = " ".join(str(c["quote"]) + str(c["translations"]) for c in queries.claims(store))
        names = store.con.execute(
            "SELECT DISTINCT name FROM enterprise_current WHERE district_adcode = ? AND length(name) >= 4",
            [context.area.code],
        ).fetchall()
    assert tables is not None
    # The Commission's own published statements (the claims' quotes) may name a firm.
    return {"tables": tables, "tenants": tenants, "names": {n for (n,) in names if n not in quotes}}


@pytest.fixture(scope="module")
def seen(clients) -> dict[str, tuple[dict[str, list[dict]], list[str]]]:
    return {role: collect(clients[role]) for role in RESTRICTED}


def _hidden(shown: dict[str, list[dict]]) -> set[str]:
    return {cell for cell, rows in shown.items() if any(r.get("suppressed") for r in rows)}


@pytest.mark.parametrize("role", RESTRICTED)
def test_a_hidden_cell_is_hidden_wherever_it_appears(seen, role):
    shown, _ = seen[role]
    for cell in _hidden(shown):
        for row in shown[cell]:
            assert row.get("suppressed"), (cell, row)
            assert all(row.get(k) is None for k in (*VARIABLES, "growth", "lq", "pci", "why", "status") if k in row), (
                row
            )


@pytest.mark.parametrize("role", RESTRICTED)
def test_no_hidden_cell_is_ranked_among_shown_ones(clients, role):
    """Rows in order of revenue would place a hidden cell between two shown ones (bounding it):
    hidden rows come last."""
    client = clients[role]
    divisions = _rows(client, "/api/industries")["rows"]
    lists = [divisions, _rows(client, "/api/overview")["peers"]]
    lists += [_rows(client, f"/api/industries?division={r['code']}")["rows"] for r in divisions]
    assert any(r.get("suppressed") for rows in lists for r in rows)
    for rows in lists:
        flags = [bool(r.get("suppressed")) for r in rows]
        assert flags == sorted(flags), flags


@pytest.mark.parametrize("role", RESTRICTED)
def test_the_model_is_what_the_routes_publish(seen, model, role):
    """The audit attacks a model of the tables; the model must be the published figures."""
    tables = model["tables"]
    shown, _ = seen[role]
    values = dict(zip(tables.cells, tables.cell_values(), strict=True))
    assert set(tables.cells) <= set(shown), set(tables.cells) - set(shown)
    for cell, rows in shown.items():
        for row in rows:
            if row.get("suppressed"):
                continue
            for k, variable in enumerate(tables.variables):
                expected = values[cell][k] if cell in values else 0.0
                published = row.get(variable) or 0.0
                assert math.isclose(published, expected, rel_tol=1e-9, abs_tol=1e-6), (cell, variable, row)


@pytest.mark.parametrize("role", RESTRICTED)
def test_no_hidden_cell_can_be_bounded_by_subtraction(seen, model, role):
    """The intruder's programs over everything published: a viewer knows nothing, an operator
    knows their tenants; neither bounds a hidden cell (or a group of firms the tables set
    apart) to within ±20 %."""
    tables = model["tables"]
    shown, _ = seen[role]
    hidden = _hidden(shown) & set(tables.cells)
    known = tables.known_mask(model["tenants"] if role == "operator" else frozenset())
    assert disclosure.audit(tables, hidden, known) == []
    # The primary rules, for this intruder, are among what is hidden.
    assert disclosure.primary(tables, known) <= hidden


def test_the_audit_would_see_the_old_subtraction(seen, model):
    """Against the threshold rule alone (what the routes did before), the same audit recovers
    hidden cells: the test can fail."""
    tables = model["tables"]
    known = tables.known_mask(frozenset())
    only_small = {
        c
        for c, row in zip(tables.cells, tables.cell_values(), strict=True)
        if 0 < row[tables.variables.index("enterprises")] < disclosure.DEFAULT_RULES.min_firms
    }
    assert only_small
    findings = disclosure.audit(tables, only_small, known, derived=False)
    assert {f.target for f in findings} & only_small


@pytest.mark.parametrize("role", RESTRICTED)
def test_no_firm_is_named_and_no_concentration_is_shown(seen, model, clients, role):
    shown, answers = seen[role]
    for rows in shown.values():
        for row in rows:
            assert "concentration" not in row and "largest" not in row
    pages = ["/", "/industries", "/industries?mix=enterprises", "/map", "/claims", "/carriers"]
    pages += [f"/chains?track={t}" for t in figures.chain_templates()]
    responses = [clients[role].get(p) for p in pages]
    assert [r.status_code for r in responses] == [200] * len(pages)
    text = "\n".join(answers + [r.text for r in responses])
    # An operator sees their own tenants by name on their carriers' pages; nobody else's.
    own_names = set()
    if role == "operator":
        tenants = clients[role].get(f"/api/carriers/{OWN_CARRIER}/tenants").json()["tenants"]
        own_names = {t.get("name") for t in tenants} | {t.get("registered_name") for t in tenants}
    named = [n for n in model["names"] - own_names if n in text]
    assert named == []


def test_every_restricted_role_gets_the_same_pattern(seen):
    """One pattern, safe against every intruder: combining a viewer's answers with an
    operator's shows nothing more."""
    assert _hidden(seen["viewer"][0]) == _hidden(seen["operator"][0])
    assert _hidden(seen["viewer"][0])
