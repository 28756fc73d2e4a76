"""Builders of chain test stores: firms written through the lead's import API (write_roster),
a pack's district row and zones written with the ledger conventions of store/ledger.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl

from districtlens.store import Store, ledger
from districtlens.store.enterprises import write_roster
from tests.helpers import SHARED_DATA as SHARED
from tests.helpers import make_uscc

GBT_CSV = SHARED / "classification" / "gbt4754-2017.csv"
TPEX_JSON = SHARED / "industry-chains" / "tpex-value-chains-2021.json"

JINGAN = "310106"
HUANGPU = "310101"
XUHUI = "310104"
PUDONG = "310115"
DANING_STREET = "310106019"
YEAR = 2024


@dataclass
class Firm:
    n: int
    name: str
    district: str
    industry_code: str
    revenue: float | None = 1000.0
    revenue_prior: float | None = 900.0
    employees: float | None = 50.0
    business_scope: str | None = None
    tags: str | None = None
    street: str | None = None
    zone: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def uscc(self) -> str:
        return make_uscc(self.n, "310000")


def write_firms(store: Store, firms: list[Firm], source: str = "test roster") -> None:
    """Import firms (and their facts for YEAR and YEAR - 1) as one roster."""
    enterprises = pl.DataFrame(
        [
            {
                "uscc": f.uscc,
                "name": f.name,
                "address": f"{f.district} test address {f.n}",
                "district_adcode": f.district,
                "street_code": f.street,
                "zone_id": f.zone,
                "located_by": "test",
                "industry_code": f.industry_code,
                "business_scope": f.business_scope,
                "tags": f.tags,
            }
            for f in firms
        ],
        schema={
            c: pl.String
            for c in (
                "uscc",
                "name",
                "address",
                "district_adcode",
                "street_code",
                "zone_id",
                "located_by",
                "industry_code",
                "business_scope",
                "tags",
            )
        },
    )
    facts = pl.DataFrame(
        [
            row
            for f in firms
            for row in (
                {"uscc": f.uscc, "year": YEAR, "revenue": f.revenue, "employees": f.employees},
                {"uscc": f.uscc, "year": YEAR - 1, "revenue": f.revenue_prior, "employees": f.employees},
            )
        ],
        schema={"uscc": pl.String, "year": pl.Int32, "revenue": pl.Float64, "employees": pl.Float64},
    )
    keys = facts.select("uscc", "year").with_columns((pl.col("year") == YEAR).alias("carries_attributes"))
    write_roster(
        store,
        enterprises=enterprises,
        facts=facts,
        keys=keys,
        columns=("uscc", "name", "address", "industry_code", "business_scope", "tags", "year", "revenue", "employees"),
        source={"name": source, "kind": "test"},
        synthetic=True,
        actor="tests",
    )


def write_pack(store: Store, zones: list[dict], peers: list[str] | None = None) -> None:
    """A minimal pack for Jing'an: its district row (with peers) and functional zones."""
    con = store.con
    with store.transaction():
        seq = ledger.next_seq(con)
        con.execute(
            f"INSERT INTO district_pack SELECT *, {ledger.row_hash_sql('district_pack')} FROM"
            " (SELECT 'test' AS pack_id, ? AS district_adcode, '静安区' AS name_zh,"
            " 'Jing''an' AS name_en, 'Jing''an' AS name_fr, ? AS peers, ? AS ledger_seq)",
            [JINGAN, json.dumps({"central": peers}) if peers else None, seq],
        )
        for zone in zones:
            con.execute(
                f"INSERT INTO zone BY NAME SELECT *, {ledger.row_hash_sql('zone')} AS row_hash FROM (SELECT"
                " ? AS zone_id, 'test' AS pack_id, ? AS district_adcode, ? AS name_zh,"
                " ? AS name_en, ? AS name_fr, ? AS role, ? AS orientation,"
                " NULL AS orientation_note, NULL AS streets, NULL AS roads, NULL AS polygon,"
                " NULL::DOUBLE AS lon, NULL::DOUBLE AS lat, ? AS ledger_seq)",
                [
                    zone["zone_id"],
                    JINGAN,
                    zone["name_zh"],
                    zone["name_en"],
                    zone["name_en"],
                    zone.get("role", "core"),
                    json.dumps(zone["orientation"]),
                    seq,
                ],
            )
        ledger.append(con, seq, "tests", "load pack", {"pack": "test"})
