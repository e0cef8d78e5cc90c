"""A signal ends a command with its cleanup: SIGTERM and SIGHUP (what a scheduler sends) as SIGINT (Ctrl-C) does.

Real `linkage` processes are sent the signal in the middle of a load (the load is slowed down by one-row write
transactions, and the signal goes once its first accounts are in the graph) and of detection (once its GDS
projection exists); afterwards the lock is free, no projection and no temporary folder of prompt text is left, the
exit code is 128 + the signal's number with one line on stderr, and the same command run again succeeds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.nightly.records import start_run
from linkage.scenarios.generate import synthesize
from linkage.scenarios.scenario import Scenario
from linkage.settings import Settings
from tests.test_lock import _locks

pytestmark = pytest.mark.db

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    synthesize(out, Scenario(accounts=600, nights=1, seed=3))
    return out / "night1"


def _count(graph: Graph, query: str) -> int:
    return int(graph.gds.run_cypher(query)["n"][0])


def _projections(graph: Graph) -> list[str]:
    return list(graph.gds.run_cypher("CALL gds.graph.list() YIELD graphName RETURN graphName")["graphName"])


def _signalled(
    command: list[str], env: dict[str, str], tmp_path: Path, ready: Callable[[], bool], signum: signal.Signals
) -> tuple[int, str]:
    """Run `linkage COMMAND` in a process of its own (temporary files in tmp_path/tmp), send it ``signum`` as soon
    as ``ready()`` says so, and return its exit code and stderr."""
    (tmp_path / "tmp").mkdir()
    with (tmp_path / "stderr").open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "linkage", *command], stdout=subprocess.DEVNULL,
                                   stderr=stderr, env={**os.environ, **env, "TMPDIR": str(tmp_path / "tmp"),
                                                       "PYTHONPATH": str(ROOT)})  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not ready() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            assert process.poll() is None, "the command ended before the moment of the signal"
            process.send_signal(signum)
            code = process.wait(timeout=60)
        finally:
            process.kill()
    return code, (tmp_path / "stderr").read_text()


def _stopped_cleanly(graph: Graph, tmp_path: Path, code: int, stderr: str, signum: signal.Signals) -> None:
    assert code == 128 + signum.value, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: Stopped by {signum.name}: nothing unfinished is recorded as finished; run the same "
                      "command again to complete it."], stderr  # fmt: skip
    assert "Traceback" not in stderr
    assert _locks(graph) == []
    assert _projections(graph) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # the spool of prompt text went with its folder


@pytest.mark.parametrize(("command", "signum"), [
    ("run", signal.SIGTERM), ("run", signal.SIGHUP), ("load", signal.SIGINT),
])  # fmt: skip
def test_a_signal_mid_load_gives_the_lock_back_and_leaves_no_temporary_files(
    graph: Graph, test_env: dict[str, str], night: Path, tmp_path: Path, command: str, signum: signal.Signals
) -> None:
    args = [command, str(night), *(["--output", str(tmp_path / "out")] if command == "run" else [])]
    slow = {**test_env, "LINKAGE_DEMO": "1", "LINKAGE_WRITE_BATCH_SIZE": "1"}  # a transaction per row

    def loading() -> bool:
        return _count(graph, "MATCH (a:Account) RETURN count(a) AS n") > 0

    code, stderr = _signalled(args, slow, tmp_path, loading, signum)
    _stopped_cleanly(graph, tmp_path, code, stderr, signum)
    assert _count(graph, "MATCH (b:Batch) RETURN count(b) AS n") == 0  # stopped in the load: the batch is not in
    assert _count(graph, "MATCH (r:Run) RETURN count(r) AS n") == 0

    again = CliRunner().invoke(app, args, env={**test_env, "LINKAGE_DEMO": "1"})
    assert again.exit_code == 0, again.output
    assert _count(graph, "MATCH (b:Batch) RETURN count(b) AS n") == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_detection_drops_the_projection_and_the_rerun_succeeds(
    graph: Graph, test_env: dict[str, str], night: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    args = ["run", str(night), "--output", str(tmp_path / "out")]
    with graph.driver.session() as session:  # polled every few ms: the projection lives for about 0.1 s

        def projected() -> bool:
            listed = session.run("CALL gds.graph.list() YIELD graphName RETURN count(*) AS n").single(strict=True)
            return bool(listed["n"])

        code, stderr = _signalled(args, {**test_env, "LINKAGE_DEMO": "1"}, tmp_path, projected, signum)
    _stopped_cleanly(graph, tmp_path, code, stderr, signum)
    finished = graph.gds.run_cypher("MATCH (r:Run) RETURN r.finished_at IS NOT NULL AS f")["f"].tolist()
    assert finished == [False]  # stopped in detection: recorded, never finished
    assert not (tmp_path / "out" / "run.json").exists()

    again = CliRunner().invoke(app, args, env={**test_env, "LINKAGE_DEMO": "1"})
    assert again.exit_code == 0, again.output
    assert (tmp_path / "out" / "run.json").exists()


def test_a_projection_left_by_a_run_that_did_not_finish_is_dropped_by_the_next(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """A run killed (SIGKILL) mid-detection cannot drop its projection, nor can a run whose projection the server
    completed after the client had gone: the next detection drops it before projecting its own."""
    demo = settings.model_copy(update={"demo": True})
    examples = ROOT / "examples" / "batch"
    nightly_run(demo, examples, tmp_path / "first")
    start_run(graph, demo, "killed-mid-detection")
    for name in ("linkage-evidence", "an analyst's own"):
        graph.gds.run_cypher("CALL gds.graph.project($name, 'Account', '*') YIELD graphName RETURN graphName",
                             params={"name": name})  # fmt: skip
    result = nightly_run(demo, examples, tmp_path / "next")
    assert result.summary.detection.communities.communities > 0
    assert _projections(graph) == ["an analyst's own"]  # only linkage's own name is dropped


FINALISED_STOP = """
import os, signal, sys
from linkage.graph import Graph
from linkage.settings import load_settings
from linkage.signals import Stopped, stop_on_signals

class SignalledWhileCollected:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(100_000):  # the handler runs here, inside the finaliser, where Python drops what it raises
            pass

stop_on_signals()
with Graph(load_settings()) as graph:
    SignalledWhileCollected()
    try:
        graph.read("detect/count_accounts")
    except Stopped as stop:
        sys.exit(stop.exit_code)
"""


def test_a_signal_that_lands_in_a_finaliser_stops_at_the_next_database_call(
    graph: Graph, test_env: dict[str, str]
) -> None:
    """A signal handled while a driver object's ``__del__`` runs (the nightly run's load, once in a full suite run)
    raised into the finaliser and Python dropped it: the run went on to the end and exited 0."""
    done = subprocess.run([sys.executable, "-c", FINALISED_STOP], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **test_env, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert done.returncode == 128 + signal.SIGTERM.value, done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr
