"""Where a first load through Neo4j's batch importer starts to repay stopping and starting the database.

One generated batch per size is loaded into an empty local database through Cypher, then through the importer
(`linkage load --initial`); the wall time of each whole command (validation included) is printed beside the rows
the importer would take (accounts, payments, sessions). What ``LINKAGE_IMPORT_MIN_ROWS`` was chosen from::

    .venv/bin/python bench/import_crossover.py [--accounts 5000,20000,60000] [--work .bench-crossover]

It uses a database of its own (``.linkage-bench-crossover``, port 7699) unless LINKAGE_HOME and
LINKAGE_LOCALDB_PORT say otherwise, and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

LINKAGE = [str(Path(sys.executable).with_name("linkage"))]  # the console script beside this Python
IMPORTED = ("accounts", "payments", "sessions")


def _linkage(*args: str) -> str:
    return subprocess.run([*LINKAGE, *args], check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="5000,20000,60000")
    parser.add_argument("--work", type=Path, default=Path(".bench-crossover"))
    args = parser.parse_args()
    os.environ.setdefault("LINKAGE_HOME", ".linkage-bench-crossover")
    os.environ.setdefault("LINKAGE_LOCALDB_PORT", "7699")
    os.environ.setdefault("LINKAGE_HASH_KEY", "bench-hash-key-not-secret")
    try:
        for accounts in (int(n) for n in args.accounts.split(",")):
            scenario = args.work / f"scenario-{accounts}"
            if not scenario.exists():
                _linkage("synth", str(scenario), "--accounts", str(accounts), "--nights", "1", "--seed", "11")
            for path, flags in (("cypher", []), ("importer", ["--initial"])):
                _linkage("db", "reset", "--yes")
                start = time.perf_counter()
                out = _linkage("load", str(scenario / "night1"), *flags, "--rejects-dir", str(args.work / "rejects"),
                               "--json")  # fmt: skip
                seconds = time.perf_counter() - start
                files = json.loads(out)["files"]
                rows = sum(f["rows_read"] - f["rows_rejected"] for f in files if f["file"] in IMPORTED)
                print(f"accounts={accounts} path={path} rows={rows} seconds={seconds:.1f}", flush=True)
    finally:
        _linkage("db", "stop")


if __name__ == "__main__":
    main()
