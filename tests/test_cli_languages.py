"""The CLI says what it prints for people in the language asked (--lang or $DISTRICTLENS_LANG):
results, headers, statuses and refusals of a representative set of commands, run in Chinese and
French on a small demo store, leave none of the English words of the CLI's messages; counts are
said in the singular or plural each language takes (1 insérée, 2 insérées)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from districtlens.i18n import LANGUAGES, catalog, number, t
from tests.helpers import built_once, roster_rows, write_csv

ENTERPRISES = 300
# The messages the CLI's commands say: their own (cli.*), and those of the areas they print.
SAID = ("cli.", "targets.", "leads.", "reading.col.", "scenario.", "ledger.", "user.", "verdict_", "reconcile.")
# English words of those messages that French writes alike (le bureau de change, une action).
FRENCH_TOO = {"change", "action"}


def _build(folder: Path) -> None:
    from districtlens.commands.demo import build_demo

    build_demo(folder / "demo.duckdb", actor="test", enterprises=ENTERPRISES, seed=7)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, worker_id) -> Path:
    return built_once(tmp_path_factory, worker_id, "cli-languages", _build) / "demo.duckdb"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def english_words(lang: str) -> set[str]:
    """The English words of the CLI's messages that the `lang` texts of the same messages do not
    use themselves (an option such as --replace, or `districtlens`, is written alike in each)."""
    keys = [key for key in catalog("en") if key.startswith(SAID)]
    english = set().union(*(_words(catalog("en")[key]) for key in keys))
    own = set().union(*(_words(catalog(lang)[key]) for key in keys))
    return english - own - (FRENCH_TOO if lang == "fr" else set())


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+")


def english_left(output: str, lang: str) -> set[str]:
    """The English words of `output`, leaving out file paths, options and the ids a command is
    given (`--carrier shibei-hi-tech-park`): they name themselves."""
    kept = " ".join(
        token
        for token in output.split()
        if "/" not in token and not token.startswith("--") and not SLUG.fullmatch(token)
    )
    return _words(kept) & english_words(lang)


def _commands(db: Path, folder: Path) -> list[tuple[str, ...]]:
    """A command of each group, its human output asked for (no --json)."""
    published = folder / "published.csv"
    published.write_text(
        "district,adcode,year,indicator,value,unit\n静安区,310106,2023,专利授权量,1,件\n", encoding="utf-8"
    )
    return [
        ("import", "statistics", str(published)),
        ("space", "--zone", "shibei", "--at", "2024-06-30"),
        ("space", "--db", str(db)),  # a refusal: neither --carrier nor --zone
        ("pipeline",),
        ("carriers", "list"),
        ("programmes", "show", "--at", "2024-06-30"),
        ("export", "enterprises", "--out", str(folder / "out.csv")),
        ("ledger", "verify"),
        ("ledger", "log", "--limit", "3"),
        ("metrics", "--out", str(folder / "metrics.csv"), "--year", "2023"),
        ("metrics", "--out", str(folder / "metrics.csv"), "--year", "last"),  # a refusal
        ("entry-model", "show"),
        ("resolve", "review"),
        ("find", "上海", "--limit", "2"),
        ("scenario", "compute", "biopharma", "--area", "310106", "--firm", "2761:5000:120"),
        ("scenario", "list"),
        ("demo", "build"),  # a refusal: the store exists
        ("pools", "list"),
        ("reconcile", "--area", "310106"),
    ]


# Commands that read no store.
STORELESS = {("chains", "list")}


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_every_command_speaks_the_language_asked(cli, demo, tmp_path, lang):
    assert english_words(lang), "the check has English words to look for"
    for command in [*_commands(demo, tmp_path), *STORELESS]:
        args = [*command, "--lang", lang] + ([] if "--db" in command or command in STORELESS else ["--db", str(demo)])
        result = cli(*args)
        assert result.output.strip(), command
        left = english_left(result.output, lang)
        assert left == set(), (command, left, result.output[:2000])


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_a_briefing_is_verified_in_the_language_asked(cli, demo, tmp_path, lang):
    key = tmp_path / "commission.key"
    made = cli("brief", "keygen", "--out", key, "--lang", lang)
    assert made.exit_code == 0 and english_left(made.output, lang) == set()
    out = tmp_path / "b.html"
    written = cli(
        "brief", "--db", demo, "--area", "310106", "--format", "html", "--out", out, "--key", key, "--lang", lang
    )
    assert written.exit_code == 0, written.output
    verified = cli("brief", "verify", out, "--db", demo, "--key", f"{key}.pub", "--lang", lang)
    assert verified.exit_code == 0, verified.output
    output = " ".join(verified.output.split())
    assert t("cli.brief.signature", lang, reason=t("brief.verdict_valid", lang)) in output
    assert english_left(written.output + verified.output, lang) == set()


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_claims_are_checked_with_headers_statuses_and_counts_in_the_language_asked(cli, demo, lang):
    """The claims' own words (a pack's units, its quotes) are the pack's: the CLI's are checked."""
    checked = cli("claims", "check", "--db", demo, "--lang", lang)
    assert checked.exit_code == 0, checked.output
    header, counts = checked.output.splitlines()[1], checked.output.splitlines()[-1]
    assert all(t(f"cli.claims.col.{c}", lang) in header for c in ("kind", "computed", "status", "evidence"))
    assert t("cli.claims.status.statement_of_intent", lang) in checked.output
    assert english_left(header + counts, lang) == set()
    assert re.fullmatch(r"[\d\s]+", counted_value(counts, lang)) is not None


def counted_value(counts: str, lang: str) -> str:
    """The digits of a counts line `counts` (what is left once its words in `lang` are removed)."""
    words = {w for key in catalog(lang) if key.startswith("cli.claims.counted.") for w in catalog(lang)[key].split()}
    separator = t("cli.import.list_separator", lang).strip()
    kept = [token for token in counts.replace(separator, " ").split() if token not in words and token != "{count}"]
    return " ".join(kept)


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_users_are_listed_with_their_role_in_the_language_asked(cli, demo, lang):
    listed = cli("users", "list", "--db", demo, "--lang", lang)
    rows = [line.split("\t") for line in listed.output.splitlines()]
    assert [(name, role) for name, role, *_ in rows] == [
        (name, t(f"cli.users.role.{name}", lang)) for name in ("admin", "analyst", "operator", "viewer")
    ]


def test_the_language_comes_from_the_environment_and_english_stays_the_default(cli, demo, monkeypatch):
    refused = cli("space", "--db", demo)
    assert refused.exit_code == 2
    assert "error: give --carrier ID or --zone ID" in " ".join(refused.output.split())
    monkeypatch.setenv("DISTRICTLENS_LANG", "fr")
    refused = cli("space", "--db", demo)
    assert f"{t('cli.error', 'fr')} {t('cli.space.carrier_or_zone', 'fr')}" in " ".join(refused.output.split())


def test_french_counts_take_the_singular_for_one_and_none(cli, tmp_path):
    roster = write_csv(tmp_path / "one.csv", roster_rows(1, years=(2023,)))
    result = cli("import", "enterprises", roster, "--db", tmp_path / "s.duckdb", "--lang", "fr")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 ligne lue, 1 insérée, 0 mise à jour, 0 inchangée, 0 doublon, 0 refusée" in said
    assert "insérées" not in said
    again = cli("import", "enterprises", roster, "--db", tmp_path / "s.duckdb", "--lang", "en")
    assert "1 row read, 0 inserted, 0 updated, 1 unchanged, 0 duplicates, 0 rejected" in " ".join(again.output.split())


def test_a_count_picks_its_form_by_the_language_s_rule():
    from districtlens.cli.common import counted

    key = "cli.import.count.inserted"
    said = [counted(key, n, "fr") for n in (0, 1, 2, 1234)]
    assert said == ["0 insérée", "1 insérée", "2 insérées", f"{number(1234, 'fr')} insérées"]
    assert [counted(key, n, "en") for n in (1, 2)] == ["1 inserted", "2 inserted"]
    assert counted("cli.import.count.rows_read", 1, "en") == "1 row read"
    assert counted("cli.import.count.rows_read", 0, "en") == "0 rows read"
    assert counted(key, 1, "zh") == "新增 1 行" and counted(key, 2, "zh") == "新增 2 行"


def test_every_counted_message_has_both_forms_in_every_language():
    ones = {key.removesuffix(".one") for key in catalog("en") if key.endswith(".one")}
    assert len(ones) > 30
    for lang in LANGUAGES:
        for stem in ones:
            assert {"{count}"} <= set(re.findall(r"\{\w+\}", t(f"{stem}.other", lang))), (lang, stem)
            assert "{count}" in t(f"{stem}.one", lang), (lang, stem)


def test_a_model_file_without_a_model_is_refused_with_its_reason_in_the_language_asked(tmp_path):
    from skops import io as sio

    from districtlens.commands.metrics import load_model
    from districtlens.errors import InputError

    path = tmp_path / "empty.skops"
    sio.dump({"features": []}, path)
    with pytest.raises(InputError) as refused:
        load_model(path)
    assert refused.value.values["reason"] == {"key": "metrics.reason.no_model"}
    for lang in ("zh", "fr"):
        assert t("metrics.reason.no_model", lang) in refused.value.message(lang)


def test_a_figure_no_rule_maps_carries_its_reason_in_every_language(cli, demo, tmp_path):
    text = tmp_path / "note.fr.txt"
    text.write_text("Le district de Jing'an compte 42 licornes selon la presse.\n", encoding="utf-8")
    read = cli("read", text, "--db", demo, "--no-propose", "--json", "--lang", "fr")
    assert read.exit_code == 0, read.output
    queries = [
        c["query"] for c in json.loads(read.stdout)["claims"] if (c["query"] or {}).get("kind") == "not-computable"
    ]
    assert queries, read.stdout
    reasons = queries[0]["reason"]
    assert set(reasons) == set(LANGUAGES)
    assert reasons["fr"] in {t("reading.not_computable.no_rule", "fr"), t("reading.not_computable.no_district", "fr")}


def test_carriers_are_listed_by_their_name_in_the_language_asked(cli, demo):
    french = cli("carriers", "list", "--lang", "fr", "--db", demo).output
    english = cli("carriers", "list", "--lang", "en", "--db", demo).output
    assert "Campus international d’innovation" in " ".join(french.split())
    assert "Campus international d’innovation" not in " ".join(english.split())


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_a_broken_ledger_is_said_in_the_language_asked(cli, demo, tmp_path, lang):
    import shutil

    import duckdb

    from districtlens.commands.ledger import action_label

    tampered = tmp_path / "tampered.duckdb"
    shutil.copy(demo, tampered)
    with duckdb.connect(str(tampered)) as con:
        con.execute("UPDATE ledger SET actor = 'mallory' WHERE seq = 2")
        action = con.execute("SELECT action FROM ledger WHERE seq = 2").fetchone()[0]
    result = cli("ledger", "verify", "--lang", lang, "--db", tampered)
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert t("ledger.problem.entry_altered", lang, seq=2, action=action_label(action, lang)) in said
    assert english_left(result.output, lang) == set()
    verdict = json.loads(cli("ledger", "verify", "--json", "--db", tampered).stdout)
    assert verdict["problem_key"] == "ledger.problem.entry_altered"
    assert verdict["problem"] == t("ledger.problem.entry_altered", "en", **verdict["problem_values"])


def test_every_progress_stage_is_said_in_every_language():
    """Each stage a command reports (`ctx.progress("...")`) is a word the CLI says through the
    catalogs, so the spinner of a long import speaks the language asked."""
    source = Path(__file__).parents[1] / "src" / "districtlens"
    stages = {
        stage
        for path in source.rglob("*.py")
        for stage in re.findall(r'\.progress\("([a-z_]+)"\)', path.read_text(encoding="utf-8"))
    }
    assert len(stages) >= 10
    for lang in LANGUAGES:
        assert all(catalog(lang).get(f"progress.{stage}") for stage in stages), lang


def test_every_action_of_the_demo_ledger_is_said_in_every_language(demo):
    """The ledger's actions are ids ('pools.import'); pages and the CLI say what each did."""
    import duckdb

    from districtlens.commands.ledger import action_label
    from districtlens.i18n import has

    with duckdb.connect(str(demo), read_only=True) as con:
        actions = {a for (a,) in con.execute("SELECT DISTINCT action FROM ledger").fetchall()}
    assert len(actions) >= 5
    for action in actions:
        assert has(f"ledger.action.{action.replace(' ', '_')}"), action
        assert len({action_label(action, lang) for lang in LANGUAGES}) == 3


def test_every_table_the_ledger_vouches_for_is_named_in_every_language():
    from districtlens.store.ledger import HASHED_TABLES

    for lang in LANGUAGES:
        assert all(catalog(lang).get(f"ledger.table.{table}") for table in HASHED_TABLES), lang
