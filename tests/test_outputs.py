"""A nightly run's files: the output folder checked before anything is written to the graph, every file landing
whole or not at all, a full disk failing the run before the graph records it as finished, no file of an earlier run
left beside tonight's, and a night with nothing to decide running to the end.

Read-only folders and full disks are real: the run is started in a mount namespace of its own (``unshare``, as
the user who runs the tests) in which its output folder is a small tmpfs; the test fills that disk from outside,
through the process's view of its mounts (``/proc/PID/root``), while the run detects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from tests.test_lock import _locks

pytestmark = pytest.mark.db

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "batch"
# mount a tmpfs with options $1 on $2, run the rest, list what is left in $2 into the file $3, exit with the run's code
ON_TMPFS = 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 97; out=$2 listing=$3; shift 3; "$@"; code=$?; ' \
           'find "$out" -mindepth 1 -printf "%P\\n" | sort > "$listing"; exit $code'  # fmt: skip


def _count(graph: Graph, label: str) -> int:
    return int(graph.gds.run_cypher(f"MATCH (n:{label}) RETURN count(n) AS n")["n"][0])


def _on_tmpfs(options: str, out: Path, args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.Popen[str]:
    """`linkage ARGS` in a mount namespace of its own where ``out`` is a tmpfs mounted with ``options``; its stderr
    goes to tmp_path/stderr, and what it leaves in ``out`` is listed in tmp_path/listing when it ends."""
    out.mkdir(parents=True, exist_ok=True)
    command = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", ON_TMPFS, "sh", options, str(out),
               str(tmp_path / "listing"), sys.executable, "-m", "linkage", *args]  # fmt: skip
    with (tmp_path / "stderr").open("w") as stderr:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, text=True,
                                env={**os.environ, **env, "LINKAGE_DEMO": "1", "PYTHONPATH": str(ROOT)})  # fmt: skip


def _one_error(stderr: str) -> str:
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in stderr, stderr
    return errors[0]


def _nothing_written(graph: Graph) -> None:
    assert (_count(graph, "Account"), _count(graph, "Batch"), _count(graph, "Run")) == (0, 0, 0)
    assert _locks(graph) == []


@pytest.mark.parametrize("kind", ["a file", "under a file"])
def test_an_output_folder_that_is_a_file_is_one_line_and_exit_2_before_anything_is_written(
    graph: Graph, test_env: dict[str, str], tmp_path: Path, kind: str
) -> None:
    (tmp_path / "taken").write_text("not a folder\n")
    out = tmp_path / "taken" if kind == "a file" else tmp_path / "taken" / "out"
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "--output", str(out)], env=test_env)
    assert result.exit_code == 2, result.output
    assert str(out) in _one_error(result.stderr)
    _nothing_written(graph)


def test_a_read_only_output_folder_is_one_line_and_exit_2_before_anything_is_written(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = _on_tmpfs("ro,size=1m", out, ["run", str(EXAMPLE), "--output", str(out)], test_env, tmp_path)
    assert run.wait(timeout=300) == 2, (tmp_path / "stderr").read_text()
    error = _one_error((tmp_path / "stderr").read_text())
    assert f"Cannot write in the output folder {out}: Read-only file system" in error
    _nothing_written(graph)


def test_a_disk_too_full_for_the_runs_files_is_one_line_and_exit_1_before_anything_is_written(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = _on_tmpfs("size=1m", out, ["run", str(EXAMPLE), "--output", str(out)], test_env, tmp_path)
    assert run.wait(timeout=300) == 1, (tmp_path / "stderr").read_text()
    error = _one_error((tmp_path / "stderr").read_text())
    assert f"The output folder {out} has 1 MB free; the run's files need about 64 MB" in error
    _nothing_written(graph)
    assert (tmp_path / "listing").read_text() == ""


@pytest.mark.parametrize(("moment", "room", "failing"), [
    ("init …", 0, "rejects/"),  # before the load checks the files: the first rejects file does not fit
    ("detect …", 1_000_000, "pictures/"),  # the ban list fits, the report's picture (1.4 MB) does not
])  # fmt: skip
def test_a_disk_that_fills_up_while_the_files_are_written_leaves_the_run_unfinished_and_no_partial_file(
    graph: Graph, test_env: dict[str, str], tmp_path: Path, moment: str, room: int, failing: str
) -> None:
    """The disk fills up (another process) as the run reaches ``moment``, leaving ``room`` bytes: the run fails with
    one line naming the file, no temporary file is left, and the graph does not record the run as finished (it is
    never tomorrow's previous run); with room to write, the same batch runs to the end."""
    out = tmp_path / "out"
    run = _on_tmpfs("size=70m", out, ["run", str(EXAMPLE), "--output", str(out)], test_env, tmp_path)
    try:
        deadline = time.monotonic() + 300
        while moment not in (tmp_path / "stderr").read_text():
            assert run.poll() is None and time.monotonic() < deadline, (tmp_path / "stderr").read_text()
            time.sleep(0.01)
        seen = Path(f"/proc/{run.pid}/root") / out.relative_to("/")
        free = os.statvfs(seen)
        with (seen / "filler").open("wb") as filler:
            os.posix_fallocate(filler.fileno(), 0, free.f_bavail * free.f_frsize - room)
        code = run.wait(timeout=300)
    finally:
        run.kill()
    stderr = (tmp_path / "stderr").read_text()
    assert code == 1, stderr
    error = _one_error(stderr)
    assert error.startswith(f"error: Cannot write {out}/{failing}") and error.endswith(": No space left on device.")
    left = (tmp_path / "listing").read_text().split()
    assert "run.json" not in left and not [name for name in left if name.endswith(".tmp")], left
    finished = graph.gds.run_cypher("MATCH (r:Run) RETURN r.finished_at IS NOT NULL AS f")["f"].tolist()
    assert finished == ([False] if moment == "detect …" else [])
    assert _locks(graph) == []

    again = CliRunner().invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "roomy"), "--json"],
                               env={**test_env, "LINKAGE_DEMO": "1"})  # fmt: skip
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["summary"]["changes"]["previous_run_id"] is None  # the failed run never counts


def test_an_earlier_runs_files_are_removed_before_a_run_writes_its_own(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """Last night's rejects, pictures and temporary files do not stay beside tonight's files (nor does run.json
    point at them); files that are not linkage's stay."""
    out = tmp_path / "out"
    env = {**test_env, "LINKAGE_DEMO": "1"}
    first = CliRunner().invoke(app, ["run", str(EXAMPLE), "--output", str(out)], env=env)
    assert first.exit_code == 0, first.output
    assert (out / "rejects" / "payments.csv").exists() and list((out / "pictures").glob("C-*.html"))
    (out / "pictures" / "C-9999.html").write_text("a cluster of an earlier night\n")
    (out / "banlist.csv.tmp").write_text("half a ban list, of a run killed while writing it\n")
    (out / "notes.txt").write_text("an analyst's own file\n")

    tonight = tmp_path / "accounts-only"
    tonight.mkdir()
    (tonight / "accounts.csv").write_text((EXAMPLE / "accounts.csv").read_text())  # one row rejected, as before
    second = CliRunner().invoke(app, ["run", str(tonight), "--output", str(out)], env=env)
    assert second.exit_code == 0, second.output
    assert [path.name for path in (out / "rejects").iterdir()] == ["accounts.csv"]
    assert json.loads((out / "run.json").read_text())["outputs"]["rejects"] == str(out / "rejects")
    assert not (out / "pictures" / "C-9999.html").exists() and not (out / "banlist.csv.tmp").exists()
    assert (out / "notes.txt").read_text() == "an analyst's own file\n"


def test_an_accounts_only_batch_and_an_empty_night_run_to_the_end_with_empty_outputs(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """Only `accounts` is required: a batch of accounts alone, then a night whose accounts file has its header and
    no row, then one whose every file has its header and no row; each runs to the end, with an empty ban list and a
    summary that says why."""
    headers = {"accounts": "account_id,created_at,email,country,org_id",
               "payments": "account_id,payment_fingerprint,method_type,card_country,first_seen",
               "sessions": "account_id,ip,ts,user_agent,device_id",
               "prompts": "account_id,request_id,ts,prompt,model,input_tokens,output_tokens",
               "prompt_similarity": "account_a,account_b,score", "bans": "account_id,banned_at,reason",
               "allowlist": "account_id,org_id,ip,cidr"}  # fmt: skip
    nights = {
        "accounts-only": {"accounts": (EXAMPLE / "accounts.csv").read_text()},
        "empty-accounts": {"accounts": headers["accounts"] + "\n"},
        "every-file-empty": {name: header + "\n" for name, header in headers.items()},
    }
    says = {
        "accounts-only": "The batch holds accounts only: no payments, sessions or prompts link them to each other.",
        "empty-accounts": "The batch has no valid row (an empty night): nothing was loaded.",
        "every-file-empty": "The batch has no valid row (an empty night): nothing was loaded.",
    }
    env = {**test_env, "LINKAGE_DEMO": "1"}
    for night, files in nights.items():
        batch = tmp_path / night
        batch.mkdir()
        for name, text in files.items():
            (batch / f"{name}.csv").write_text(text)
        out = tmp_path / f"out-{night}"
        result = CliRunner().invoke(app, ["run", str(batch), "--output", str(out)], env=env)
        assert result.exit_code == 0, (night, result.output)
        assert says[night] in result.stderr and "No account is banned or in review" in result.stderr
        assert len(pd.read_csv(out / "banlist.csv")) == 0 and len(pd.read_csv(out / "clusters.csv")) == 0
        run = json.loads((out / "run.json").read_text())
        assert run["notes"] == [says[night], "No account is banned or in review: the ban list is empty."]
        assert says[night] in (out / "report.html").read_text()
    assert _count(graph, "Account") == 327  # the first night's accounts (one of its 328 rows is a duplicate)
