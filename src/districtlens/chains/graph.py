"""A chain as a graph: links are nodes (with their health), edges say which link supplies which.

`chain_graph` builds a networkx DiGraph; `graph_json` turns it into the node/edge lists the
dashboard draws: {"track", "nodes": [{"id", "name", "stage", "status", ...}], "edges":
[{"source", "target"}]}.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from districtlens.chains.templates import ChainTemplate

if TYPE_CHECKING:
    import networkx as nx

HEALTH_ATTRIBUTES = ("enterprises", "revenue", "employees", "growth", "lq", "concentration", "status", "why")


def chain_graph(template: ChainTemplate, health: pl.DataFrame | None = None) -> nx.DiGraph:
    """One node per link (id, names, stage, classes, and the health columns when given), one edge
    per template edge. Graph attributes: track, version."""
    # Imported here: every chains command loads this module, and networkx takes a quarter second.
    import networkx as nx

    graph = nx.DiGraph(track=template.id, version=template.version, name=dict(template.name))
    by_link = {row["link_id"]: row for row in health.to_dicts()} if health is not None else {}
    for link in template.links:
        attributes: dict[str, Any] = {
            "name": dict(link.name),
            "stage": link.stage,
            "classes": list(link.classes),
        }
        row = by_link.get(link.id)
        if row is not None:
            attributes.update({key: _plain(row.get(key)) for key in HEALTH_ATTRIBUTES})
        graph.add_node(link.id, **attributes)
    for link in template.links:
        for target in link.edges:
            graph.add_edge(link.id, target)
    return graph


def graph_json(graph: nx.DiGraph) -> dict[str, Any]:
    """The graph as plain JSON-ready lists, nodes in template order."""
    return {
        "track": graph.graph["track"],
        "version": graph.graph["version"],
        "nodes": [{"id": node, **attributes} for node, attributes in graph.nodes(data=True)],
        "edges": [{"source": source, "target": target} for source, target in graph.edges()],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
