"""A night's cost as history grows: synth an N-night scenario, run the nightly job on each night in order.

    make bench-nights     # bench/nightly_stages.py --accounts 100000 --nights 10 --seed 7 on its own database

Empties its own local database (``--home`` .linkage-bench-nights, ``--port`` 7694; heap and page cache from
LINKAGE_LOCALDB_HEAP / LINKAGE_LOCALDB_PAGECACHE, else 4g / 2g), runs ``nightly_run`` on night 1, 2, … N of one
scenario of the default generator and prints a markdown table: per night the wall seconds of each stage (run.json's
``timings_s``), of the rest (the report, the output files and the run's records in the graph) and of the whole run,
the accounts in the graph after it, the peak RSS during the night of this Python process and of Neo4j's java process
(VmRSS sampled every 0.5 s: ``ru_maxrss`` only ever grows, so it cannot give a night's peak), and the precision and
recall of the ban list against the truth; then each column's growth factor, night 2 / night 1 and night N / night 2.
``--json`` prints the rows as JSON instead. The database is stopped at the end; the scenario is deleted unless
``--work`` names where to keep it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import localdb
from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.scenarios import Scenario, synthesize
from linkage.scenarios.evaluate import evaluate, known_bans
from linkage.settings import Settings


def _rss_mb(pid: int) -> float:
    """VmRSS of ``pid`` in MB; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


class PeakRss:
    """Peak VmRSS of this process and of the local database's java process while the block runs. The database's pid
    is read from its pid file at every sample: a first load stops and restarts it around the batch importer."""

    def __init__(self, pid_file: Path, every: float = 0.5) -> None:
        self.pid_file, self.every = pid_file, every
        self.python_mb = self.neo4j_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.python_mb = max(self.python_mb, _rss_mb(os.getpid()))
            with contextlib.suppress(OSError, ValueError):  # no pid file while the database is down
                self.neo4j_mb = max(self.neo4j_mb, _rss_mb(int(self.pid_file.read_text().strip())))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Night:
    night: int
    stages_s: dict[str, float]  # run.json's timings_s
    total_s: float  # the whole nightly_run call
    accounts: int  # Account nodes in the graph after the run
    python_peak_mb: float
    neo4j_peak_mb: float
    precision: float
    recall: float


def run_nights(settings: Settings, scenario_dir: Path, nights: int) -> list[Night]:
    """Every night of the scenario in order on an emptied database; what each cost and how its ban list scores."""
    with Graph(settings) as graph:
        graph.reset()
    truth = scenario_dir / "truth.csv"
    rows: list[Night] = []
    for night in range(1, nights + 1):
        out = scenario_dir / "out" / f"night{night}"
        with PeakRss(settings.localdb.pid_file) as peak:
            started = time.perf_counter()
            nightly_run(settings, scenario_dir / f"night{night}", out)
            total = time.perf_counter() - started
        record = json.loads((out / "run.json").read_text())
        scores = evaluate(out / "banlist.csv", truth, night, known_bans(truth, night))
        rows.append(Night(
            night=night, stages_s=record["timings_s"], total_s=round(total, 1),
            accounts=int(record["graph"]["nodes"].get("Account", 0)), python_peak_mb=round(peak.python_mb),
            neo4j_peak_mb=round(peak.neo4j_mb), precision=scores.precision, recall=scores.recall,
        ))  # fmt: skip
        print(f"night {night}: {total:.0f} s, {rows[-1].stages_s}", file=sys.stderr)
    return rows


def _columns(rows: list[Night]) -> dict[str, list[float]]:
    """Every numeric column by its header, stages in the order the run timed them."""
    stages = list(dict.fromkeys(name for r in rows for name in r.stages_s))
    columns = {f"{s} s": [r.stages_s.get(s, 0.0) for r in rows] for s in stages}
    return columns | {
        # the report, the output files and the run's records: run.json's timings_s is written before the report is timed
        "rest s": [round(r.total_s - sum(r.stages_s.values()), 1) for r in rows],
        "total s": [r.total_s for r in rows],
        "accounts": [float(r.accounts) for r in rows],
        "python peak MB": [r.python_peak_mb for r in rows],
        "neo4j peak MB": [r.neo4j_peak_mb for r in rows],
        "precision": [r.precision for r in rows],
        "recall": [r.recall for r in rows],
    }


def _cell(header: str, value: float) -> str:
    if header in ("precision", "recall"):
        return f"{value:.4f}"
    return f"{value:,.1f}" if header.endswith(" s") else f"{value:,.0f}"


def _growth(values: list[float], top: int, bottom: int) -> str:
    return f"×{values[top] / values[bottom]:.2f}" if len(values) > top and values[bottom] else "-"


def table(rows: list[Night]) -> str:
    """The markdown table: a row per night, then the growth factors night 2 / night 1 and night N / night 2."""
    columns = _columns(rows)
    lines = ["| night | " + " | ".join(columns) + " |", "| ---: |" + " ---: |" * len(columns)]
    for i, r in enumerate(rows):
        lines.append(f"| {r.night} | " + " | ".join(_cell(h, v[i]) for h, v in columns.items()) + " |")
    n = len(rows)
    for label, top, bottom in (("2 / 1", 1, 0), (f"{n} / 2", n - 1, 1)):
        lines.append(f"| {label} | " + " | ".join(_growth(v, top, bottom) for v in columns.values()) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000, help="night 1's accounts")
    parser.add_argument("--nights", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, default=Path(".linkage-bench-nights"), help="the database's home")
    parser.add_argument("--port", type=int, default=7694)
    parser.add_argument("--work", type=Path, default=None, help="keep the scenario and the outputs here")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    args = parser.parse_args()

    settings = Settings(demo=True, home=args.home, localdb_port=args.port)
    work = args.work or Path(tempfile.mkdtemp(prefix="linkage-bench-nights-"))
    try:
        started = time.perf_counter()
        synthesize(work, Scenario(accounts=args.accounts, nights=args.nights, seed=args.seed))
        print(f"synth: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows = run_nights(settings, work, args.nights)
    finally:
        localdb.stop(settings.localdb)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps([asdict(r) for r in rows], indent=2) if args.json else table(rows))


if __name__ == "__main__":
    main()
