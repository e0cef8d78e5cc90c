"""Times the scenario generator: `python bench/bench_synth.py OUT_DIR --accounts 1000000 [--format parquet]`.

Prints accounts, rows per file and night, seconds, rows/s of prompts, bytes on disk and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from linkage.scenarios import Scenario, synthesize


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    result = synthesize(args.out_dir, Scenario(accounts=args.accounts, seed=args.seed, file_format=args.format))
    seconds = time.perf_counter() - started
    prompts = sum(n.get("prompts", 0) for n in result.nights.values())
    size = sum(p.stat().st_size for p in args.out_dir.rglob("*") if p.is_file())
    report = {
        "accounts": result.accounts,
        "coordinated": result.coordinated,
        "groups": len(result.groups),
        "nights": result.nights,
        "prompts": prompts,
        "seconds": round(seconds, 1),
        "prompts_per_second": round(prompts / seconds),
        "bytes_on_disk": size,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
