"""Linking a code-less source to the registry in the store: links with evidence, the review
queue, accept/reject, undo; every write a ledger entry, nothing ever deleted."""

import json

import polars as pl
import pytest

from districtlens.commands import Context
from districtlens.commands.enterprises import import_file
from districtlens.commands.linking import link_to_registry
from districtlens.errors import InputError, StoreError
from districtlens.resolve.synthetic import generate
from districtlens.store import ledger, open_store, resolution


@pytest.fixture(scope="module")
def records():
    return generate(300, seed=21, foreign=False)


@pytest.fixture
def registered(store, records, tmp_path):
    registry = records.filter(pl.col("source") == "registry").select("uscc", "name", "address")
    path = tmp_path / "registry.csv"
    registry.write_csv(path)
    report = import_file(Context(store=store, actor="test"), path)
    assert report.written
    return store


def source_rows(records, *sources):
    return records.filter(pl.col("source").is_in(sources)).select("record_id", "name", "address", "entity_id")


def truth(records):
    registry = records.filter(pl.col("source") == "registry")
    return dict(zip(registry["entity_id"].to_list(), registry["uscc"].to_list(), strict=True))


def table_rows(con, table):
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_tenant_list_links_to_the_registry(registered, records):
    rows = source_rows(records, "tenants", "leads")
    out = link_to_registry(registered, rows.drop("entity_id"), "park tenants", "tester")
    assert out.height == rows.height
    assert set(out["status"]) <= {"linked", "review", "unknown"}
    checked = out.join(rows, on="record_id").filter(pl.col("status") == "linked")
    right = checked.filter(pl.col("uscc") == pl.col("entity_id").replace_strict(truth(records)))
    print(f"\nlinked {checked.height} of {rows.height}; {right.height} to the right enterprise")
    assert checked.height >= 0.8 * rows.height
    assert right.height >= 0.98 * checked.height
    links = resolution.current_links(registered.con)
    evidence = json.loads(links.filter(pl.col("status") == "linked")["evidence"][0])
    assert "trade" in evidence
    assert ledger.verify(registered.con).intact
    assert ledger.entries(registered.con, 1)[0].action == "resolve.link"


def test_review_accept_and_undo_append_and_never_delete(registered, records):
    rows = source_rows(records, "tenants").drop("entity_id")
    # A threshold of 1 sends every model link to the review queue.
    link_to_registry(registered, rows, "tenants", "tester", threshold=1.0, review_floor=0.5)
    con = registered.con
    queue = resolution.review_queue(con)
    assert queue.height > 0
    first = int(queue["link_id"][0])
    accepted = resolution.decide(registered, first, True, "reviewer")
    rejected_from = int(queue["link_id"][1])
    resolution.decide(registered, rejected_from, False, "reviewer")
    assert resolution.review_queue(con).height == queue.height - 2
    with pytest.raises(InputError, match="no longer in force"):
        resolution.decide(registered, first, False, "reviewer")

    before = table_rows(con, "resolve_link")
    restored = resolution.undo(registered, accepted, "reviewer")
    now = resolution.current_links(con).filter(pl.col("link_id") == restored).row(0, named=True)
    assert now["status"] == "review" and now["supersedes"] == accepted
    assert table_rows(con, "resolve_link") == before + 1
    split = resolution.undo(registered, restored, "reviewer")  # undo the undo: accepted again
    assert resolution.current_links(con).filter(pl.col("link_id") == split)["status"][0] == "accepted"
    assert table_rows(con, "resolve_record") == rows.height
    verdict = ledger.verify(con)
    assert verdict.intact, verdict.problem
    assert [e.action for e in ledger.entries(con, 5)] == [
        "resolve.undo",
        "resolve.undo",
        "resolve.reject",
        "resolve.accept",
        "resolve.link",
    ]


def test_undoing_a_model_link_unlinks_the_row_and_keeps_both_records(registered, records):
    rows = source_rows(records, "tenants").drop("entity_id")
    out = link_to_registry(registered, rows, "tenants", "tester")
    link = out.filter(pl.col("status") == "linked").row(0, named=True)
    new_id = resolution.undo(registered, int(link["link_id"]), "reviewer")
    now = resolution.current_links(registered.con).filter(pl.col("link_id") == new_id)
    assert now["status"][0] == "undone" and now["uscc"][0] is None
    con = registered.con
    assert con.execute("SELECT count(*) FROM enterprise_current WHERE uscc = ?", [link["uscc"]]).fetchone()[0] == 1
    assert (
        con.execute("SELECT count(*) FROM resolve_record WHERE record_id = ?", [link["record_id"]]).fetchone()[0] == 1
    )
    again = resolution.undo(registered, new_id, "reviewer")  # undoing the split links it again
    now = resolution.current_links(con).filter(pl.col("link_id") == again).row(0, named=True)
    assert (now["status"], now["uscc"]) == ("linked", link["uscc"])
    assert ledger.verify(con).intact


def test_bad_records_write_nothing(registered):
    con = registered.con
    entries = len(ledger.entries(con))
    bad = pl.DataFrame({"record_id": ["1", "1"], "name": ["张江科技", "明鹏数据"]})
    with pytest.raises(InputError, match="more than once"):
        link_to_registry(registered, bad, "leads", "tester")
    with pytest.raises(InputError, match="no `name`"):
        link_to_registry(registered, bad.drop("name"), "leads", "tester")
    assert len(ledger.entries(con)) == entries
    assert table_rows(con, "resolve_link") == 0


def test_the_commands_link_review_and_undo(cli, registered, records, tmp_path):
    db = registered.path
    registered.close()
    path = tmp_path / "tenants.csv"
    source_rows(records, "tenants").drop("entity_id").write_csv(path)
    result = cli("resolve", "link", path, "--db", db, "--threshold", "1.0", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["statuses"]["review"] > 0
    queue = json.loads(cli("resolve", "review", "--db", db, "--json").stdout)["queue"]
    first = queue[0]["link_id"]
    decided = json.loads(cli("resolve", "review", "--db", db, "--accept", first, "--json").stdout)
    assert decided["decided"][0]["accepted"] and len(decided["queue"]) == len(queue) - 1
    undone = cli("resolve", "undo", decided["decided"][0]["decision"], "--db", db, "--json")
    assert json.loads(undone.stdout)["decision"]["status"] == "review"
    missing = cli("resolve", "undo", "99999", "--db", db)
    assert missing.exit_code == 1 and "there is no link 99999" in missing.output
    assert cli("ledger", "verify", "--db", db).exit_code == 0


def test_the_commands_print_the_json_they_printed_before(cli, registered, records, tmp_path):
    """The keys of `resolve link|review|undo --json` as the CLI printed them before the command
    layer, and the same JSON from the registered command's own dump; --actor is who the ledger
    names."""
    from districtlens.commands import REGISTRY, Context
    from districtlens.commands import resolve as commands

    db = registered.path
    registered.close()
    path = tmp_path / "tenants.csv"
    source_rows(records, "tenants").drop("entity_id").write_csv(path)
    linked = json.loads(cli("resolve", "link", path, "--db", db, "--threshold", "1.0", "--json").stdout)
    assert set(linked) == {"source", "records", "statuses", "links"}
    assert linked["source"] == "tenants.csv" and linked["records"] == len(linked["links"])
    assert set(linked["links"][0]) == {"record_id", "uscc", "probability", "status", "link_id"}
    assert sum(linked["statuses"].values()) == linked["records"]

    listed = json.loads(cli("resolve", "review", "--db", db, "--json").stdout)
    assert listed["decided"] == [] and set(listed) == {"decided", "queue"}
    assert set(listed["queue"][0]) == {
        "link_id",
        "source_id",
        "record_id",
        "name",
        "uscc",
        "enterprise_name",
        "probability",
        "evidence",
    }
    first, second = listed["queue"][0]["link_id"], listed["queue"][1]["link_id"]
    decided = json.loads(
        cli(
            "resolve", "review", "--db", db, "--accept", first, "--reject", second, "--actor", "reviewer", "--json"
        ).stdout
    )
    assert [set(d) for d in decided["decided"]] == [{"link_id", "accepted", "decision"}] * 2
    assert [(d["link_id"], d["accepted"]) for d in decided["decided"]] == [(first, True), (second, False)]
    undone = json.loads(cli("resolve", "undo", decided["decided"][0]["decision"], "--db", db, "--json").stdout)
    assert set(undone) == {"undone", "decision"}
    assert set(undone["decision"]) == set(resolution.LINK_COLUMNS)

    with open_store(db, read_only=True) as store:
        actors = {e.action: e.actor for e in ledger.entries(store.con, 3)}
        assert actors["resolve.accept"] == actors["resolve.reject"] == "reviewer"
        queue = REGISTRY["resolve.queue"]
        assert queue is commands.review_queue and not queue.writes
        dumped = queue.dump(queue(Context(store=store, actor="test"), commands.ReviewQueue()))
    assert dumped == json.loads(cli("resolve", "review", "--db", db, "--json").stdout)
    assert {name: REGISTRY[name].writes for name in ("resolve.link", "resolve.decide", "resolve.undo")} == {
        "resolve.link": True,
        "resolve.decide": True,
        "resolve.undo": True,
    }


def model_versions(con):
    return con.execute("SELECT count(*) FROM resolve_model").fetchone()[0]


def test_lists_of_one_five_and_a_thousand_rows_link_with_the_kept_model(registered, records):
    """The store's model is trained once (on the first link) and kept: later lists of any size
    are scored with it, never retrained, and never crash (a list of 5 new firms used to end in
    Splink's EMTrainingException, because linking a list retrained the model on it)."""
    rows = source_rows(records, "tenants", "leads").drop("entity_id")
    first = link_to_registry(registered, rows.head(1), "one row", "tester")
    assert first.height == 1
    assert model_versions(registered.con) == 1
    new_firms = pl.DataFrame(
        {
            "record_id": [f"n{i}" for i in range(5)],
            "name": [
                "北京完全无关餐饮管理有限公司",
                "深圳奇点未来科技有限公司",
                "星河湾咖啡",
                "Quasar Robotics Ltd",
                "杭州某某",
            ],
        }
    )
    five = link_to_registry(registered, new_firms, "five new firms", "tester")
    assert five.height == 5 and set(five["status"]) <= {"unknown", "review"}
    many = pl.concat([rows.with_columns(pl.col("record_id") + f"-{k}") for k in range(1000 // rows.height + 1)])
    thousand = link_to_registry(registered, many.head(1000), "a thousand rows", "tester")
    assert thousand.height == 1000
    assert thousand.filter(pl.col("status") == "linked").height >= 0.8 * 1000
    assert model_versions(registered.con) == 1
    assert ledger.verify(registered.con).intact


def test_a_row_is_offered_the_same_candidates_alone_or_in_a_list(registered, records):
    """Candidates come in pairs (list record, registry name): a row is scored only against the
    names its own keys found, so a common key that a rule refuses for one row (too many
    candidates) is not let in by another row of the list that shares it. The cap is set to one
    candidate per rule so that it binds on this small registry; every scored pair is kept."""
    from districtlens.commands.linking import train_store_model
    from districtlens.resolve.linker import BLOCKING_RULES, prepare, tf_columns

    train_store_model(registered, "tester")
    model = resolution.latest_model(registered.con)
    assert model is not None
    rows = source_rows(records, "tenants", "leads").head(20)
    source = prepare(rows.select("record_id", "name", "address"))

    def offered(frame: pl.DataFrame, cap: int) -> dict[str, list[str]]:
        found = resolution.scored_pairs(
            registered.con,
            frame,
            rules=[rule for rule, _ in BLOCKING_RULES],
            max_block=cap,
            tf_columns=tf_columns(model["settings"]),
            scoring_sql=model["scoring_sql"],
            review_floor=0.0,
        )
        return {k: sorted(v) for k, v in found.group_by("unique_id_l").agg("unique_id_r").iter_rows()}

    together, uncapped = offered(source, 1), offered(source, 10**6)
    for record_id in source["unique_id"]:
        alone = offered(source.filter(pl.col("unique_id") == record_id), 1)
        assert together.get(record_id, []) == alone.get(record_id, [])
    refused = [k for k in uncapped if len(uncapped[k]) > len(together.get(k, []))]
    assert refused, "the cap never bound: the test shows nothing"


def test_a_registered_name_however_written_links_before_the_model(registered, records):
    """A code-less row carrying a registered firm's name, in traditional characters, full-width
    or with spaces, links to it with probability 1 before the model is asked."""
    from districtlens.resolve.names import to_simplified

    firm = records.filter(pl.col("source") == "registry").row(0, named=True)
    import opencc

    traditional = opencc.OpenCC("s2t").convert(firm["name"])
    assert to_simplified(pl.Series([traditional]))[0] == firm["name"]
    rows = pl.DataFrame(
        {
            "record_id": ["t", "w", "s"],
            "name": [traditional, firm["name"].replace("有限", "有限 "), f" {firm['name']} "],
        }
    )
    out = link_to_registry(registered, rows, "written three ways", "tester")
    assert out["status"].to_list() == ["linked"] * 3
    assert out["uscc"].to_list() == [firm["uscc"]] * 3
    evidence = resolution.current_links(registered.con)["evidence"].to_list()
    assert all(json.loads(e) == {"name": "same registered name"} for e in evidence)


def test_resolve_train_keeps_a_new_version_and_the_ledger_says_so(cli, registered):
    db = registered.path
    (enterprises,) = registered.con.execute("SELECT count(*) FROM enterprise_current").fetchone()
    registered.close()
    for version in (1, 2):
        result = cli("resolve", "train", "--db", db, "--json")
        assert result.exit_code == 0, result.output
        trained = json.loads(result.stdout)
        assert trained["version"] == version
        assert trained["enterprises"] == enterprises and trained["records"] >= enterprises
        assert trained["method"] in {"labels", "starting-values"}
        print(f"\nmodel {version}: {trained}")
    with open_store(db, read_only=True) as store:
        assert [e.action for e in ledger.entries(store.con, 2)] == ["resolve.train"] * 2
        assert model_versions(store.con) == 2


def test_a_model_that_no_longer_fits_gives_a_clear_error_and_writes_nothing(registered, records):
    rows = source_rows(records, "tenants").drop("entity_id").head(5)
    link_to_registry(registered, rows.head(1), "first", "tester")  # trains and keeps the model
    con = registered.con
    settings = json.loads(con.execute("SELECT settings FROM resolve_model").fetchone()[0])
    address = next(c for c in settings["comparisons"] if c["output_column_name"] == "address")
    address["comparison_levels"][1]["sql_condition"] = "no_such_column_l = no_such_column_r"
    # As a model kept before its scoring SQL was (migration 0016): the SQL is written from it.
    con.execute("UPDATE resolve_model SET settings = ?, scoring_sql = NULL", [json.dumps(settings)])
    links = table_rows(con, "resolve_link")
    with pytest.raises(StoreError, match="resolve train"):
        link_to_registry(registered, rows.with_columns(pl.col("name") + "分部"), "second", "tester")
    assert table_rows(con, "resolve_link") == links


def test_a_list_is_scored_with_the_kept_sql_without_loading_splink(registered, records, tmp_path):
    """The model's scoring SQL is written when it is trained and kept with it: linking a list in
    a new process runs it in the store and never imports Splink. A model kept before its SQL was
    (migration 0016) links alike, its SQL written again."""
    import subprocess
    import sys

    rows = source_rows(records, "tenants", "leads").drop("entity_id").head(30)
    link_to_registry(registered, rows.head(1), "first", "tester")  # trains and keeps the model
    model = resolution.latest_model(registered.con)
    assert model is not None and "match_probability" in model["scoring_sql"]
    db = registered.path
    registered.close()
    rows.write_parquet(tmp_path / "rows.parquet")
    script = (
        "import sys, polars as pl\n"
        "from districtlens.commands.linking import link_to_registry\n"
        "from districtlens.store import open_store\n"
        f"store = open_store({str(db)!r})\n"
        f"kept = link_to_registry(store, pl.read_parquet({str(tmp_path / 'rows.parquet')!r}), 'kept', 't')\n"
        "print('splink' in sys.modules)\n"
        "store.con.execute('UPDATE resolve_model SET scoring_sql = NULL')\n"
        f"again = link_to_registry(store, pl.read_parquet({str(tmp_path / 'rows.parquet')!r}), 'again', 't')\n"
        "cols = ['record_id', 'uscc', 'probability', 'status']\n"
        "print(kept.select(cols).equals(again.select(cols)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True"]


def test_term_counts_follow_the_names_added_to_the_cache(registered, records, tmp_path):
    """The counts that give term frequencies are kept as names enter the feature cache: after a
    second import they equal a count made afresh over every cached name."""
    from districtlens.commands.linking import refresh_features
    from districtlens.resolve.linker import TF_COLUMNS

    con = registered.con
    assert refresh_features(registered) > 0
    more = generate(40, seed=22, foreign=False).filter(pl.col("source") == "registry").select("uscc", "name", "address")
    path = tmp_path / "more.csv"
    more.write_csv(path)
    assert import_file(Context(store=registered, actor="test"), path).written
    assert refresh_features(registered) > 0

    def counts(sql: str) -> set[tuple]:
        return set(con.execute(sql).fetchall())

    afresh = " UNION ALL ".join(
        f"SELECT '{c}', {c}, count(*) FROM resolve_feature WHERE {c} IS NOT NULL GROUP BY ALL" for c in TF_COLUMNS
    )
    kept = counts("SELECT column_name, value, n FROM resolve_term_count")
    assert kept == counts(afresh)
    assert any(n > 1 for _, _, n in kept)


def test_a_name_one_character_from_two_registered_firms_goes_to_review(registered, records, tmp_path):
    """金顶达 is one character from 金鼎达 and from 金丰达: the model scores both alike, and a
    tie between two enterprises is not a link (a person chooses), however high it scores. A
    name one character from one firm alone still links."""
    from tests.helpers import make_uscc

    twins = pl.DataFrame(
        {
            "uscc": [make_uscc(8_800_001), make_uscc(8_800_002), make_uscc(8_800_003)],
            "name": ["上海金鼎达光电科技有限公司", "上海金丰达光电科技有限公司", "上海银河湾光电科技有限公司"],
            "address": [None, None, None],
        },
        schema_overrides={"address": pl.Utf8},
    )
    path = tmp_path / "twins.csv"
    twins.write_csv(path)
    assert import_file(Context(store=registered, actor="test"), path).written
    rows = pl.DataFrame(
        {"record_id": ["tie", "one"], "name": ["上海金顶达光电科技有限公司", "上海银河港光电科技有限公司"]}
    )
    out = link_to_registry(registered, rows, "typos", "tester", threshold=0.5, review_floor=0.05)
    decided = {r["record_id"]: r for r in out.iter_rows(named=True)}
    assert decided["tie"]["status"] == "review", decided["tie"]
    assert decided["tie"]["probability"] >= 0.5
    assert decided["tie"]["uscc"] in set(twins["uscc"][:2])
    assert decided["one"]["status"] == "linked" and decided["one"]["uscc"] == twins["uscc"][2], decided["one"]
