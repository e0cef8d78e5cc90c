"""The database killed (SIGKILL) in the middle of a load and of detection: one clear line and exit 4, nothing
recorded as finished that was not, and the same command run again completes with the graph a clean run leaves.

The kills are not timed: a load is killed when its progress reports that the sessions' write has begun, detection
when the report says it started and its GDS projection exists. The database is started again by the test, as a
user would, and every test leaves it running.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import localdb
from linkage.cli import app
from linkage.graph import Graph, GraphUnavailable
from linkage.nightly import nightly_run
from linkage.scenarios.generate import synthesize
from linkage.scenarios.scenario import Scenario
from linkage.settings import Settings
from loaders import Progress

pytestmark = pytest.mark.db

VOLATILE = {"loaded_at", "started_at", "finished_at", "acquired_at", "expires_at", "summary"}
PARTITIONS = ("community", "component")
# A reason names one of several values an account shares equally ("shares IP 194.197.176.178 (and 6 more)"):
# detection breaks that tie by the order rows come from the store (linkage/detect/reasons.py), which a crash and
# its rerun change, so which one it names is left out of the comparison (what is shared, and how much, is not).
TIED_EXAMPLE = re.compile(r"(shares [A-Za-z ]+?) \S+ (\(and \d+ more\))")


def kill_database(settings: Settings) -> None:
    """SIGKILL the local database process (no shutdown, no flush) and wait until it is gone."""
    pid = localdb.state(settings.localdb).pid
    assert pid is not None, "the database should be running"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while localdb.state(settings.localdb).running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not localdb.state(settings.localdb).running


@pytest.fixture
def restarts(database: Settings) -> Iterator[Settings]:
    """Settings for runs the test kills: a short lease (a killed run's lock lapses before the restart is done) and
    short retries (a lost database is reported in seconds); the database is running again afterwards."""
    yield database.model_copy(update={"lock_ttl": 2.0, "retry_seconds": 1.0, "demo": True})
    localdb.start(database.localdb)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    synthesize(out, Scenario(accounts=600, nights=1, seed=3))
    return out / "night1"


@pytest.fixture(scope="module")
def clean(session_graph: Graph, database: Settings, night: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The graph one uninterrupted run of the night leaves in an empty database."""
    session_graph.reset()
    nightly_run(database.model_copy(update={"demo": True}), night, tmp_path_factory.mktemp("clean"))
    return _graph_state(session_graph)


def _graph_state(graph: Graph) -> list[str]:
    """Every node and relationship with its properties, bar the bookkeeping of runs (their ids and times differ
    from one run to the next): what two runs of the same batch must agree on. Community and component numbers are
    GDS's arbitrary labels (they follow internal node ids): each is replaced by the smallest account id it holds,
    so two runs agree when their partitions do."""
    runs = {row["r"] for row in graph.gds.run_cypher("MATCH (r:Run) RETURN r.run_id AS r").to_dict("records")}
    nodes = graph.gds.run_cypher(
        "MATCH (n) WHERE NOT n:Run AND NOT n:Lock RETURN labels(n) AS labels, properties(n) AS props"
    ).to_dict("records")
    rels = graph.gds.run_cypher(
        "MATCH (a)-[r]->(b) WHERE NOT b:Run AND NOT a:Run RETURN type(r) AS type, properties(r) AS props, "
        "coalesce(a.account_id, a.address, a.cluster_id) AS source, "
        "coalesce(b.account_id, b.fingerprint, b.address, b.cidr, b.device_id, b.domain, b.org_id, b.family_id, "
        "b.cluster_id) AS target"
    ).to_dict("records")
    partitions = {key: _first_members(nodes, key) for key in PARTITIONS}

    def value(key: str, value: Any) -> Any:
        if key in PARTITIONS and value is not None:
            return partitions[key][value]
        if key == "reasons" and isinstance(value, str):
            return TIED_EXAMPLE.sub(r"\1 … \2", value)
        return "<run>" if isinstance(value, str) and value in runs else value

    def normal(row: dict[str, Any]) -> str:
        props = {key: value(key, v) for key, v in row["props"].items() if key not in VOLATILE}
        return json.dumps({**row, "props": props}, sort_keys=True, default=str)

    return sorted(normal(row) for row in nodes + rels)


def _first_members(nodes: list[dict[str, Any]], key: str) -> dict[Any, str]:
    """Each value of ``key`` on accounts, mapped to the smallest account id that has it."""
    first: dict[Any, str] = {}
    for node in nodes:
        label, account = node["props"].get(key), node["props"].get("account_id")
        if label is not None and account is not None and (label not in first or account < first[label]):
            first[label] = account
    return first


def _same_graph(now: list[str], clean: list[str]) -> None:
    """The same nodes and relationships with the same properties; else the first difference, property by property."""
    missing, extra = sorted(set(clean) - set(now)), sorted(set(now) - set(clean))
    differences: dict[str, object] = {}
    if missing and extra:
        was, became = json.loads(missing[0]), json.loads(extra[0])
        keys = set(was["props"]) | set(became["props"])
        differences = {k: (was["props"].get(k), became["props"].get(k)) for k in keys
                       if was["props"].get(k) != became["props"].get(k)}  # fmt: skip
    assert (len(missing), len(extra), len(now)) == (0, 0, len(clean)), (differences, missing[:1], extra[:1])


def _finished_runs(graph: Graph) -> list[bool]:
    found = graph.gds.run_cypher("MATCH (r:Run) RETURN r.finished_at IS NOT NULL AS finished ORDER BY r.started_at")
    return [bool(flag) for flag in found["finished"]]


class KillWhenStarted(Progress):
    """Progress that kills the database as the stage ``label`` starts (the load's writes of that file)."""

    def __init__(self, settings: Settings, label: str) -> None:
        self.settings, self.label, self.killed = settings, label, False

    def start(self, label: str, total: int | None) -> None:
        if label == self.label and not self.killed:
            self.killed = True
            kill_database(self.settings)


def _kill_once_projected(graph: Graph, settings: Settings, seen: list[str]) -> Callable[[str], None]:
    """A run's report callback that, once detection starts, kills the database as soon as a GDS projection exists
    (polled from another thread while detection runs)."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not graph.gds.run_cypher("CALL gds.graph.list() YIELD graphName RETURN graphName").empty:
                seen.append("killed")
                kill_database(settings)
                return
            time.sleep(0.01)

    def report(message: str) -> None:
        seen.append(message)
        if message == "detect …":
            threading.Thread(target=watch, daemon=True).start()

    return report


def test_a_load_killed_mid_write_completes_when_run_again(
    clean: list[str], graph: Graph, restarts: Settings, night: Path, tmp_path: Path
) -> None:
    killer = KillWhenStarted(restarts, "write sessions")
    with pytest.raises(GraphUnavailable, match=r"^Lost the connection to Neo4j at bolt://127\.0\.0\.1:\d+ \("):
        nightly_run(restarts, night, tmp_path / "out", progress=killer)
    assert killer.killed
    assert not (tmp_path / "out" / "run.json").exists()

    localdb.start(restarts.localdb)
    assert _finished_runs(graph) == []  # the run was cut short in its load: no Run node, finished or not
    assert graph.gds.run_cypher("MATCH (b:Batch) RETURN count(b) AS n")["n"][0] == 0  # nor a batch loaded
    result = nightly_run(restarts, night, tmp_path / "out")
    assert result.summary.load is not None and not result.summary.load.already_loaded
    _same_graph(_graph_state(graph), clean)
    assert _finished_runs(graph) == [True]
    assert json.loads((tmp_path / "out" / "run.json").read_text())["run_id"] == result.run_id


def test_detection_killed_mid_way_completes_when_run_again(
    clean: list[str], graph: Graph, restarts: Settings, night: Path, tmp_path: Path
) -> None:
    seen: list[str] = []
    with pytest.raises(GraphUnavailable):
        nightly_run(restarts, night, tmp_path / "out", report=_kill_once_projected(graph, restarts, seen))
    assert "killed" in seen and "detect done" not in " ".join(seen)  # it died in detection, after its projection
    assert not (tmp_path / "out" / "run.json").exists()

    localdb.start(restarts.localdb)
    assert _finished_runs(graph) == [False]  # recorded, never finished: not tomorrow's previous run
    result = nightly_run(restarts, night, tmp_path / "out")
    assert result.summary.load is not None and result.summary.load.already_loaded  # the batch had loaded whole
    assert result.summary.changes.previous_run_id is None
    _same_graph(_graph_state(graph), clean)
    assert _finished_runs(graph) == [False, True]
    assert graph.gds.graph.list() == []  # no projection outlives the crash


def test_a_lost_database_is_one_line_and_exit_4(
    graph: Graph, restarts: Settings, test_env: dict[str, str], night: Path, tmp_path: Path
) -> None:
    """The CLI, with the database killed while it loads (watched from another thread): one line, exit code 4."""

    def kill_when_loading() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if graph.gds.run_cypher("MATCH (a:Account) RETURN count(a) AS n")["n"][0] > 0:
                kill_database(restarts)
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=kill_when_loading, daemon=True)
    watcher.start()
    env = {**test_env, "LINKAGE_RETRY_SECONDS": "1", "LINKAGE_DEMO": "1", "LINKAGE_LOCK_TTL": "2"}
    result = CliRunner().invoke(app, ["run", str(night), "--output", str(tmp_path)], env=env)
    watcher.join(timeout=5)
    assert result.exit_code == 4, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Lost the connection to Neo4j" in errors[0], result.stderr
    assert "run the same command again" in errors[0] and "Traceback" not in result.output


def test_a_write_while_the_database_restarts_is_retried_until_it_is_back(graph: Graph, restarts: Settings) -> None:
    """A managed transaction retries a lost connection with backoff: a write issued while the database is down
    and coming back succeeds, with nothing for the caller to do."""
    patient = Graph(restarts.model_copy(update={"retry_seconds": 120.0}), start_local=False)
    try:
        kill_database(restarts)
        starter = threading.Thread(target=localdb.start, args=(restarts.localdb,), daemon=True)
        starter.start()
        counts = patient.write_rows("load/merge_account_ids", [{"account_id": "written-after-restart"}], batch="b")
        starter.join(timeout=60)
    finally:
        patient.close()
    assert counts.nodes_created == 1
    assert (
        graph.gds.run_cypher("MATCH (a:Account {account_id: 'written-after-restart'}) RETURN count(a) AS n")["n"][0]
        == 1
    )


def test_the_drivers_retries_are_not_printed() -> None:
    """The driver logs every retry as a warning, which Python prints to stderr when nobody handles its logger: a
    first load's restart printed five such lines. linkage handles them (and an application's own logging still
    receives them)."""

    def stderr(code: str) -> str:
        root = Path(__file__).parents[1]  # this checkout's linkage, first on the path
        return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stderr

    warn = "logging.getLogger('neo4j.pool').warning('Transaction failed and will be retried')"
    assert stderr(f"import logging, linkage.graph; {warn}") == ""
    assert "will be retried" in stderr(f"import logging, linkage.graph; logging.basicConfig(); {warn}")


def test_after_the_database_died_mid_load_the_rerun_takes_over_the_dead_runs_lock(
    graph: Graph, restarts: Settings, test_env: dict[str, str], night: Path, tmp_path: Path
) -> None:
    """A `linkage run` whose database dies while it loads exits 4 ("run the same command again once the database is
    back") and cannot give its lock back; once the database is back, the same command run again takes over the
    dead run's lease at once instead of waiting out its two minutes."""
    root = Path(__file__).parents[1]
    env = {**os.environ, **test_env, "LINKAGE_RETRY_SECONDS": "1", "LINKAGE_DEMO": "1", "LINKAGE_LOCK_TTL": "120",
           "PYTHONPATH": str(root)}  # fmt: skip
    args = ["run", str(night), "--output", str(tmp_path / "out")]
    died = subprocess.Popen([sys.executable, "-m", "linkage", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while graph.gds.run_cypher("MATCH (a:Account) RETURN count(a) AS n")["n"][0] == 0:
            assert died.poll() is None and time.monotonic() < deadline, "the run should be loading"
            time.sleep(0.01)
        kill_database(restarts)
        _, stderr = died.communicate(timeout=120)
    finally:
        died.kill()
    assert died.returncode == 4, stderr
    assert "run the same command again once the database is back" in stderr and "Traceback" not in stderr

    localdb.start(restarts.localdb)
    held = graph.gds.run_cypher("MATCH (l:Lock) RETURN l.holder AS holder, "
                                "duration.inSeconds(datetime(), l.expires_at).seconds AS left")  # fmt: skip
    assert len(held) == 1 and f" pid {died.pid} " in held["holder"][0]
    assert held["left"][0] > 10  # the dead run's lease, alive for a while yet
    result = CliRunner().invoke(app, args, env={**test_env, "LINKAGE_DEMO": "1"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "run.json").exists()
    assert graph.gds.run_cypher("MATCH (l:Lock) RETURN count(l) AS n")["n"][0] == 0
