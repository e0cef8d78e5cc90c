"""How fast the command line answers what needs no database: `python bench/cli_start.py [--runs 10]`.

Runs `linkage --help`, `linkage --version` and `linkage explain --help` as a user does (a new process each time,
the installed entry point) ``--runs`` times each, after one untimed warm-up run (the OS's file cache), and prints
per command the median and slowest wall time and the largest peak RSS of those processes (JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (["--help"], ["--version"], ["explain", "--help"])


def _linkage() -> str:
    beside = Path(sys.executable).with_name("linkage")
    return str(beside) if beside.exists() else shutil.which("linkage") or "linkage"


def _time(command: list[str]) -> tuple[float, int]:
    """Wall seconds of one run, and its peak RSS in kB (wait4's rusage of that child alone)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed (wait status {status})")
    return seconds, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    linkage = _linkage()
    results = {}
    for extra in COMMANDS:
        command = [linkage, *extra]
        _time(command)
        runs = [_time(command) for _ in range(args.runs)]
        seconds = [s for s, _ in runs]
        results[" ".join(["linkage", *extra])] = {"median_s": round(statistics.median(seconds), 3),
                                                  "max_s": round(max(seconds), 3),
                                                  "peak_rss_mb": round(max(r for _, r in runs) / 1024, 1)}  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, row in results.items():
        print(f"{name:<26} median {row['median_s']:.3f} s, slowest {row['max_s']:.3f} s, "
              f"peak RSS {row['peak_rss_mb']} MB")  # fmt: skip


if __name__ == "__main__":
    main()
