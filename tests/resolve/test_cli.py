"""`districtlens resolve FILE ... --out`: inputs in every accepted encoding, and bad input
refused with a clear message and nothing written."""

import csv
import json

import polars as pl
import pytest

from districtlens.resolve.synthetic import generate


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """The generated records split into one CSV per source, UTF-8, UTF-8 BOM and GB18030."""
    folder = tmp_path_factory.mktemp("sources")
    records = generate(120, seed=5, foreign=False)
    paths = []
    encodings = {
        "registry": "utf-8",
        "roster": "utf-8-sig",
        "tenants": "gb18030",
        "leads": "utf-8",
        "news": "utf-8-sig",
    }
    for source, encoding in encodings.items():
        part = records.filter(pl.col("source") == source).drop("source", "entity_id")
        path = folder / f"{source}.csv"
        path.write_bytes(part.write_csv().encode(encoding))
        paths.append(path)
    return records, paths


def test_resolves_files_into_one_row_per_record(cli, tmp_path, sources):
    records, paths = sources
    out = tmp_path / "clusters.csv"
    result = cli("resolve", *paths, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == records.height
    assert summary["clusters"] < records.height
    assert set(summary["timings_s"]) >= {"read", "prepare", "train", "predict", "cluster", "write"}
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    assert sorted(r["record_id"] for r in rows) == sorted(records["record_id"].to_list())
    # The GB18030 tenant list was read as Chinese: its records joined registry clusters.
    clusters = {r["record_id"]: r["cluster_id"] for r in rows}
    tenants = [r for r in clusters if r.startswith("tenants")]
    assert sum(clusters[r] != r for r in tenants) > len(tenants) / 2


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        ("name,uscc\n甲公司,\n", "no record_id column"),
        ("record_id,uscc\n1,\n", "no name column"),
        ("record_id,name\n", "no rows"),
        ("", "empty"),
        ("record_id,name\n1,\n", "has no name"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(cli, tmp_path, content, message):
    bad = write(tmp_path / "bad.csv", content)
    good = write(tmp_path / "good.csv", "record_id,name\n9,上海张江科技有限公司\n")
    out = tmp_path / "clusters.csv"
    result = cli("resolve", good, bad, "--out", out)
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


def test_record_ids_must_be_unique_across_files(cli, tmp_path):
    a = write(tmp_path / "a.csv", "record_id,name\n1,上海张江科技有限公司\n2,上海明鹏数据科技有限公司\n")
    b = write(tmp_path / "b.csv", "record_id,name\n2,张江科技\n", encoding="gb18030")
    out = tmp_path / "clusters.csv"
    result = cli("resolve", a, b, "--out", out)
    assert result.exit_code == 1
    assert "record_id '2' occurs more than once (in a.csv, b.csv)" in result.output
    assert not out.exists()


def test_undecodable_file_is_refused(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"record_id,name\n1,\xff\xfe\xff\n")
    out = tmp_path / "clusters.csv"
    result = cli("resolve", bad, "--out", out)
    assert result.exit_code == 1
    assert "neither UTF-8 nor GB18030" in result.output
    assert not out.exists()


def test_a_gb18030_file_reads_like_its_utf8_twin(cli, tmp_path):
    text = (
        "record_id,name\n1,上海张江生物医药科技有限公司\n"
        "2,張江生物醫藥科技（上海）有限公司\n3,北京张江信息科技有限公司\n"
    )
    results = []
    for encoding in ("utf-8", "gb18030"):
        path = write(tmp_path / f"in-{encoding}.csv", text, encoding)
        out = tmp_path / f"out-{encoding}.csv"
        assert cli("resolve", path, "--out", out).exit_code == 0
        results.append(out.read_text(encoding="utf-8"))
    assert results[0] == results[1]
    assert [r["record_id"] for r in csv.DictReader(results[0].splitlines())] == ["1", "2", "3"]
