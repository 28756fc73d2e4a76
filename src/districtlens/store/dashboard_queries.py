"""Reads of the dashboard's capability pages that web_queries lacks: an enterprise's leases, and
the leases of a carrier ending within a window."""

from __future__ import annotations

from datetime import date
from typing import Any

from districtlens.store import Store


def enterprise_tenancies(store: Store, uscc: str) -> list[dict[str, Any]]:
    """Every lease (current versions) of one enterprise, latest first, with its carrier's names."""
    rows = store.con.execute(
        """
        SELECT t.carrier_id, c.name_zh, c.name_en, c.name_fr, t.use, t.area_m2, t.lease_start, t.lease_end
        FROM tenancy_tenant t JOIN carrier c USING (carrier_id)
        WHERE t.uscc = $uscc ORDER BY t.lease_start DESC, t.carrier_id
        """,
        {"uscc": uscc},
    ).fetchall()
    keys = ("carrier_id", "name_zh", "name_en", "name_fr", "use", "area_m2", "lease_start", "lease_end")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def leases_ending(store: Store, carrier_ids: list[str], start: date, end: date) -> list[dict[str, Any]]:
    """The current leases of `carrier_ids` that end between `start` and `end` (inclusive)."""
    rows = store.con.execute(
        """
        SELECT t.carrier_id, t.tenant_name, t.uscc, e.name, t.use, t.area_m2, t.lease_start, t.lease_end
        FROM tenancy_tenant t LEFT JOIN enterprise_current e USING (uscc)
        WHERE list_contains($carriers, t.carrier_id) AND t.lease_start <= $start
          AND t.lease_end BETWEEN $start AND $end
        ORDER BY t.lease_end, t.carrier_id, coalesce(e.name, t.tenant_name)
        """,
        {"carriers": list(carrier_ids), "start": start, "end": end},
    ).fetchall()
    keys = ("carrier_id", "tenant_name", "uscc", "name", "use", "area_m2", "lease_start", "lease_end")
    return [dict(zip(keys, row, strict=True)) for row in rows]
