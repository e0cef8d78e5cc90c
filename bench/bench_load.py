"""Loader throughput and memory: a synthetic batch of N accounts (~3 sessions, 1 payment each) loaded into an empty
dedicated local database twice, as a first load (``--initial``: Neo4j's batch importer) and through Cypher (the
nightly path), against a naive one-transaction-per-row writer measured in the same run on a sample.

    .venv/bin/python bench/bench_load.py --accounts 1000000
    .venv/bin/python bench/bench_load.py --accounts 200000 --sessions 20000000   # the 20M-row memory check

Uses its own state folder and port (LINKAGE_HOME=.linkage-bench-load, port 7698) and empties that database.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import localdb
from linkage.graph import Graph, frame_rows
from linkage.settings import Settings
from loaders import Progress, contract, load_batch
from loaders.load import _context, _validate_file
from loaders.read import iter_chunks
from loaders.spool import SESSION_PARTITIONS, Spool, aggregate_sessions
from loaders.validate import FileState
from loaders.validate import sessions as check_sessions

BENCH_ENV = {
    "LINKAGE_HOME": ".linkage-bench-load",
    "LINKAGE_LOCALDB_PORT": "7698",
    "LINKAGE_LOCALDB_HEAP": "8g",
    "LINKAGE_LOCALDB_PAGECACHE": "4g",
    "LINKAGE_DEMO": "1",
}

T0 = 1_763_000_000  # epoch seconds, November 2025


def _iso(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]")).cast(pa.string())


def write_batch(folder: Path, accounts: int, sessions: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    ids = np.char.add("acct-", np.arange(accounts).astype(str))
    pq.write_table(pa.table({
        "account_id": ids,
        "created_at": _iso(T0 + rng.integers(0, 86_400 * 300, accounts)),
        "email": np.char.add(np.char.add("user", np.arange(accounts).astype(str)), "@example.org"),
        "country": rng.choice(["US", "DE", "FR", "BR", "IN"], accounts),
    }), folder / "accounts.parquet")  # fmt: skip
    pq.write_table(pa.table({
        "account_id": ids,
        "payment_fingerprint": np.char.add("fp_", (np.arange(accounts) // 2).astype(str)),
        "method_type": np.full(accounts, "card"),
    }), folder / "payments.parquet")  # fmt: skip
    writer = None
    chunk = 2_000_000
    for start in range(0, sessions, chunk):
        n = min(chunk, sessions - start)
        owner = rng.integers(0, accounts, n)
        ip = rng.integers(0, max(accounts // 2, 1), n)
        table = pa.table({
            "account_id": ids[owner],
            "ip": [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in ip.tolist()],
            "ts": _iso(T0 + rng.integers(0, 86_400, n)),
            "device_id": np.char.add("dev-", owner.astype(str)),
        })  # fmt: skip
        writer = writer or pq.ParquetWriter(folder / "sessions.parquet", table.schema)
        writer.write_table(table)
    if writer:
        writer.close()


class PhaseTimer(Progress):
    """Records how long each check and write phase of the loader took, and its rows."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, int, float]] = []
        self.label, self.rows, self.started = "", 0, 0.0

    def start(self, label: str, total: int | None) -> None:
        self.label, self.rows, self.started = label, 0, time.perf_counter()

    def advance(self, rows: int) -> None:
        self.rows += rows

    def finish(self) -> None:
        self.phases.append((self.label, self.rows, time.perf_counter() - self.started))


def naive_rate(graph: Graph, folder: Path, sample: int) -> float:
    """One managed transaction per row and statement, the same statements: relationships per second."""
    chunk = next(iter_chunks(folder / "sessions.parquet", contract.SESSIONS, sample))
    clean = check_sessions(chunk.frame.head(sample), FileState(), _context(Settings(demo=True))).clean
    # fresh account ids, so that every row creates its relationship as the bulk load did
    millis = pd.to_datetime(clean["ts"], utc=True).astype("int64") // 1_000_000  # as the loader sends timestamps
    fresh = clean.assign(account_id="naive-" + clean["account_id"], first_seen=millis, last_seen=millis, count=1)
    rows = frame_rows(fresh)
    started = time.perf_counter()
    created = 0
    for row in rows:
        graph.write_rows("load/merge_account_ids", [row], batch="naive")
        graph.write_rows("load/merge_ips", [row], batch="naive")
        created += graph.write_rows("load/merge_connected_from", [row], batch="naive").relationships_created
    return created / (time.perf_counter() - started)


def check_sessions_file(folder: Path) -> None:
    """A load of the sessions file without the database: chunked read, validation, spooling, and the per-partition
    aggregation the writes stream from (the writes themselves go out in 10,000-row batches)."""
    started = time.perf_counter()
    spool = Spool(folder, contract.SESSIONS, SESSION_PARTITIONS)
    summary = _validate_file(contract.SESSIONS, folder / "sessions.parquet", spool, _context(Settings(demo=True)),
                             200_000, folder / "rejects", Progress())  # fmt: skip
    ips = len(spool.distinct(["ip", "version", "subnet"])) + len(spool.distinct(["device_id"]))
    links = sum(len(aggregate_sessions(partition)[0]) for partition in spool.partitions())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"checked {summary.rows_read:,} session rows into {ips:,} IPs and devices and {links:,} account-IP links "
          f"in {time.perf_counter() - started:.1f}s; peak RSS {peak:,.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=None, help="session rows (default 3 per account)")
    parser.add_argument("--naive-sample", type=int, default=2_000)
    parser.add_argument(
        "--paths", nargs="+", choices=["initial", "cypher"], default=["initial", "cypher"],
        help="which write paths to measure, each into an empty store: Neo4j's batch importer, Cypher",
    )  # fmt: skip
    parser.add_argument(
        "--check-only", action="store_true",
        help="read, validate and aggregate the sessions file without writing (the memory-heavy half of a load)",
    )  # fmt: skip
    args = parser.parse_args()
    sessions = args.sessions or 3 * args.accounts
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp) / "night1"
        folder.mkdir()
        started = time.perf_counter()
        write_batch(folder, args.accounts, sessions)
        print(f"generated {args.accounts:,} accounts, {sessions:,} sessions in {time.perf_counter() - started:.1f}s")
        if args.check_only:
            check_sessions_file(folder)
            return
        rates = {}
        for path in args.paths:
            rates[path] = load_into_empty_store(settings, folder, Path(tmp), initial=path == "initial")
        with Graph(settings) as graph:
            rate = naive_rate(graph, folder, args.naive_sample)
        print(f"naive one-transaction-per-row writer on {args.naive_sample:,} rows: {rate:,.0f} relationships/s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        best = rates.get("initial", rates.get("cypher", 0.0))
        others = " ".join(f"{path}_rels_per_s={value:.0f}" for path, value in rates.items())
        print(f"speedup={best / rate:.1f} rels_per_s={best:.0f} {others} peak_rss_mb={peak:.0f}")


def load_into_empty_store(settings: Settings, folder: Path, tmp: Path, *, initial: bool) -> float:
    """Load the batch into a new, empty store (faster than deleting a previous run's millions of relationships in
    Cypher); print the phases and return relationships per second."""
    localdb.stop(settings.localdb)
    shutil.rmtree(settings.localdb.root / "neo4j", ignore_errors=True)
    with Graph(settings) as graph:
        graph.apply_schema()
        started = time.perf_counter()
        timer = PhaseTimer()
        result = load_batch(graph, settings, folder, rejects_dir=tmp / "rejects", progress=timer, initial=initial)
        seconds = time.perf_counter() - started
    print(f"{'initial load (batch importer)' if initial else 'load through Cypher (the nightly path)'}:")
    for label, rows, spent in timer.phases:
        print(f"  {label:<26} {rows:>12,} rows {spent:8.1f} s")
    rels = result.relationships_created
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  {rels:,} relationships, {result.nodes_created:,} nodes in {seconds:.1f}s = {rels / seconds:,.0f} "
        f"relationships/s; peak RSS so far {peak:,.0f} MB"
    )
    return rels / seconds


if __name__ == "__main__":
    main()
