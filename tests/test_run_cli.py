"""`linkage run` from the command line on the example batch: exit code, outputs, run.json, a rerun."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.detect.collateral import COLLATERAL_COLUMNS
from linkage.graph import Graph
from linkage.nightly.records import start_run
from linkage.settings import Settings

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"


def test_run_writes_outputs_and_reports_changes(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n1"), "--json"], env=test_env)
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    run = json.loads((tmp_path / "n1" / "run.json").read_text())
    assert run["run_id"] == result["run_id"]
    assert set(run["timings_s"]) == {"init", "load", "similarity", "detect"}
    assert run["graph"]["nodes"]["Account"] == 328
    assert run["load"]["files"][0]["file"] == "accounts"
    assert len(run["config_hash"]) == 16 and "score_ban_threshold" in run["thresholds"]
    assert (tmp_path / "n1" / "rejects" / "payments.csv").exists()
    banlist = pd.read_csv(tmp_path / "n1" / "banlist.csv")
    assert list(banlist.columns) == ["account_id", "decision", "score", "cluster_id", "reasons", "reason_records"]
    # the example's farm (12 accounts on two prepaid cards, a proxy /24, three VMs, one chain-of-thought template)
    # is banned; its look-alikes (an allowlisted org, a family, a classroom on one campus IP with one homework
    # template, 300 independent users) are not acted on at all
    bans = set(banlist.loc[banlist["decision"] == "ban", "account_id"])
    assert bans == {f"farm-{i:02d}" for i in range(1, 13)}
    assert not banlist["account_id"].str.startswith(("acme", "home", "class", "user", "solo")).any()
    clusters = pd.read_csv(tmp_path / "n1" / "clusters.csv")
    assert list(clusters.columns) == ["cluster_id", "bans", "reviews", "size", "score", "signals", "first_seen_run",
                                      "status", *COLLATERAL_COLUMNS, "held"]  # fmt: skip
    assert clusters.loc[clusters["bans"] > 0, "held"].eq(False).all()
    assert [c["cluster_id"] for c in run["detection"]["collateral"]] == list(clusters.loc[clusters["bans"] > 0,
                                                                                         "cluster_id"])  # fmt: skip

    again = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n2"), "--json"], env=test_env)
    assert again.exit_code == 0, again.output
    rerun = json.loads((tmp_path / "n2" / "run.json").read_text())
    assert rerun["changes"]["previous_run_id"] == run["run_id"]
    assert rerun["changes"]["new_bans"] == 0
    assert _without_runs(rerun["graph"]) == _without_runs(run["graph"])  # the same batch adds nothing


def test_a_run_into_an_empty_local_database_imports_a_large_batch_and_decides_as_through_cypher(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """With LINKAGE_IMPORT_MIN_ROWS at the example's size, `linkage run` into the empty database writes the batch
    through the batch importer and goes on to the same ban list and graph as a run through Cypher; a run into a
    database that holds data, or of a smaller batch, goes through Cypher."""
    runner = CliRunner()
    outputs = {}
    for name, min_rows in (("cypher", "1000000"), ("imported", "600")):
        graph.reset()
        env = {**test_env, "LINKAGE_IMPORT_MIN_ROWS": min_rows}
        done = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / name)], env=env)
        assert done.exit_code == 0, done.output
        outputs[name] = json.loads((tmp_path / name / "run.json").read_text())
    assert [outputs[name]["load"]["imported"] for name in ("cypher", "imported")] == [False, True]
    assert _without_runs(outputs["imported"]["graph"]) == _without_runs(outputs["cypher"]["graph"])
    columns = ["account_id", "decision", "score", "cluster_id", "reasons"]
    banlists = [pd.read_csv(tmp_path / name / "banlist.csv")[columns] for name in ("cypher", "imported")]
    pd.testing.assert_frame_equal(*banlists)
    again = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "again")],
                          env={**test_env, "LINKAGE_IMPORT_MIN_ROWS": "0"})  # fmt: skip
    assert again.exit_code == 0 and not json.loads((tmp_path / "again" / "run.json").read_text())["load"]["imported"]


def _without_runs(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Graph counts minus the run bookkeeping, which grows by design with every run."""
    bookkeeping = {"Run", "NEXT", "SEEN_IN"}
    return {kind: {k: v for k, v in names.items() if k not in bookkeeping} for kind, names in counts.items()}


def test_run_on_a_missing_folder_is_a_clean_error(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope"), "--output", str(tmp_path)], env=test_env)
    assert result.exit_code == 3
    assert "not a folder" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("LINKAGE_LOCALDB_PORT", "abc", "valid integer"),
    ("LINKAGE_SCORE_BAN_THRESHOLD", "2", "less than or equal to 1"),
])  # fmt: skip
def test_a_bad_setting_names_its_variable_and_exits_2(test_env: dict[str, str], variable: str, value: str,
                                                      says: str) -> None:  # fmt: skip
    result = CliRunner().invoke(app, ["db", "status"], env={**test_env, variable: value})
    assert result.exit_code == 2, result.output
    assert f"{variable}='{value}'" in result.output and says in result.output
    assert "Traceback" not in result.output and "pydantic" not in result.output


def test_only_loaded_and_finished_runs_are_recorded_as_previous(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    """A batch that fails validation leaves no Run behind, and a run that never finished (it crashed) is never
    the "previous" run tomorrow's changes are counted against."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "accounts.csv").write_text("created_at,email\n2026-11-23T00:00:00Z,a@example.org\n")
    runner = CliRunner()
    failed = runner.invoke(app, ["run", str(broken), "--output", str(tmp_path / "nope")], env=test_env)
    assert failed.exit_code == 3, failed.output
    assert _runs(graph) == 0

    first = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n1"), "--json"], env=test_env)
    assert first.exit_code == 0, first.output
    start_run(graph, settings, "crashed-before-finishing")
    assert _runs(graph) == 2
    second = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n2"), "--json"], env=test_env)
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["summary"]["changes"]["previous_run_id"] == json.loads(first.stdout)["run_id"]


def _runs(graph: Graph) -> int:
    return int(graph.gds.run_cypher("MATCH (r:Run) RETURN count(r) AS n")["n"][0])


def test_a_picture_in_an_unknown_format_is_a_usage_error(test_env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["picture", "C-0001", "-o", str(tmp_path / "x.txt")], env=test_env)
    assert result.exit_code == 2, result.output
    shown = " ".join(result.output.replace("│", " ").split())  # Typer boxes and wraps the message
    assert "the file name must end in .html, .png or .svg" in shown
    assert isinstance(result.exception, SystemExit) and not (tmp_path / "x.txt").exists()
