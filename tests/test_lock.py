"""Two runs at once: the second is refused by the lock held in the database, which a crashed run's lease releases
by expiring."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.nightly.lock import LOCK_NAME, Lease, LockHeld, exclusive
from linkage.settings import Settings

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
ROOT = Path(__file__).parent.parent


def _locks(graph: Graph) -> list[dict[str, object]]:
    return graph.gds.run_cypher("MATCH (l:Lock) RETURN l.name AS name, l.holder AS holder").to_dict("records")


def _nodes(graph: Graph) -> int:
    return int(graph.gds.run_cypher("MATCH (n) WHERE NOT n:Lock RETURN count(n) AS n")["n"][0])


def test_every_command_that_writes_is_refused_while_a_run_holds_the_lock(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    writers = (
        ["run", str(EXAMPLE), "--output", str(tmp_path)],
        ["load", str(EXAMPLE)],
        ["load", str(EXAMPLE), "--initial"],
        ["similarity", str(EXAMPLE)],
        ["detect"],
        ["db", "reset", "--yes"],
    )
    with exclusive(graph, "linkage run (the first)"):
        graph.gds.run_cypher("CREATE (:Account {account_id: 'present before the refused commands'})")
        for command in writers:
            result = CliRunner().invoke(app, command, env=test_env)
            assert result.exit_code == 5, result.output
            assert "The database is busy: another run holds the database's lock (linkage run (the first) on" in (
                result.stderr
            )
            assert "Traceback" not in result.output
        assert _nodes(graph) == 1  # the refused commands wrote nothing, and the reset deleted nothing
    assert _locks(graph) == []  # given back on exit


def test_of_many_asking_at_once_exactly_one_gets_the_lock(graph: Graph) -> None:
    leases = [Lease(graph, f"contender {i}") for i in range(8)]

    def ask(lease: Lease) -> bool:
        return bool(lease._claim()["acquired"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = list(pool.map(ask, leases))
    assert granted.count(True) == 1
    winner = leases[granted.index(True)]
    assert _locks(graph) == [{"name": LOCK_NAME, "holder": winner.holder}]


def test_a_lease_is_renewed_while_its_run_lives(graph: Graph, settings: Settings) -> None:
    short = Graph(settings.model_copy(update={"lock_ttl": 1.0}), start_local=False)
    try:
        with exclusive(short, "a long run"):
            time.sleep(2.5)  # over twice its lifetime: renewed every quarter of it
            with pytest.raises(LockHeld, match="a long run"):
                Lease(graph, "a latecomer").acquire()
    finally:
        short.close()


def test_a_crashed_runs_lease_expires_and_the_next_run_takes_over(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    """A run on another machine took the lock and crashed (it neither renews nor gives back its lease, and its
    process cannot be looked up from here): the next run is refused until the lease runs out, then it runs."""
    short = Graph(settings.model_copy(update={"lock_ttl": 4.0}), start_local=False)
    try:
        elsewhere = Lease(short, "linkage run")
        elsewhere.host = "another-machine"
        assert elsewhere._claim()["acquired"]  # as its run left it: never renewed, never given back
    finally:
        short.close()

    refused = CliRunner().invoke(app, ["load", str(EXAMPLE)], env=test_env)
    assert refused.exit_code == 5, refused.output
    left = graph.gds.run_cypher("MATCH (l:Lock) RETURN duration.inSeconds(datetime(), l.expires_at).seconds AS s")
    assert 0 < left["s"][0] <= 4
    time.sleep(left["s"][0] + 1)  # the dead run's lease lapses
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "next"), "--max-reject-rate",
                                      "1"], env=test_env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _locks(graph) == []


def test_a_lease_held_by_a_dead_process_of_this_host_is_taken_over_at_once(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """A `linkage run` process killed (SIGKILL) while it holds the lock, with a lease of two minutes: the next run on
    this host finds the holder's process gone and takes the lock over at once."""
    env = {**os.environ, **test_env, "LINKAGE_LOCK_TTL": "120", "PYTHONPATH": str(ROOT)}
    crashed = subprocess.Popen(
        [sys.executable, "-m", "linkage", "run", str(EXAMPLE), "--output", str(tmp_path / "crashed")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _locks(graph) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _locks(graph), "the run should have taken the lock"
    finally:
        crashed.send_signal(signal.SIGKILL)
        crashed.wait()
    held = _locks(graph)
    assert len(held) == 1 and f"linkage run on {socket.gethostname()} pid {crashed.pid} " in str(held[0]["holder"])

    started = time.monotonic()
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "next"), "--max-reject-rate",
                                      "1"], env=test_env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60  # not after the dead run's two minutes
    assert (tmp_path / "next" / "run.json").exists() and not (tmp_path / "crashed" / "run.json").exists()
    assert _locks(graph) == []


def test_of_many_taking_over_a_dead_holder_at_once_exactly_one_gets_the_lock(graph: Graph) -> None:
    """The takeover writes only if the dead holder still holds the lock, read under the lock node's write lock."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # exited and reaped: its pid names no process
    dead = Lease(graph, "a run that died")
    dead.pid = gone.pid
    assert dead._claim()["acquired"]
    leases = [Lease(graph, f"contender {i}") for i in range(8)]

    def take(lease: Lease) -> bool:
        try:
            lease.acquire()
        except LockHeld:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = list(pool.map(take, leases))
    assert granted.count(True) == 1
    winner = leases[granted.index(True)]
    assert _locks(graph) == [{"name": LOCK_NAME, "holder": winner.holder}]
    winner.release()
