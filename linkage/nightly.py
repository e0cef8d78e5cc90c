"""`linkage run`: the nightly job, stage by stage, callable from Python as ``nightly_run(settings, …)``.

init → load → prompt similarity → detect (communities, scores, cluster ids, decisions) → outputs → what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from linkage.changes import changes_since
from linkage.detect.stage import BANLIST_COLUMNS, Detection, detect
from linkage.graph import Graph
from linkage.outputs import OutputFiles, write_banlist, write_outputs
from linkage.runs import finish_run, start_run, thresholds
from linkage.settings import Settings
from linkage.similarity.stage import run_similarity
from loaders import Progress, load_batch

Report = Callable[[str], None]


class RunResult(BaseModel):
    run_id: str
    batch: str
    outputs: OutputFiles
    summary: dict[str, Any]


class _Timings:
    def __init__(self, report: Report) -> None:
        self.seconds: dict[str, float] = {}
        self.report = report

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.report(f"{name} …")
        start = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - start, 3)
        self.report(f"{name} done in {self.seconds[name]:.1f}s")


def _graph_counts(graph: Graph) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {"nodes": {}, "relationships": {}}
    for row in graph.read("count_graph"):
        counts["nodes" if row["kind"] == "node" else "relationships"][row["name"]] = row["count"]
    return counts


def nightly_run(
    settings: Settings,
    batch_dir: Path,
    out_dir: Path,
    *,
    max_reject_rate: float | None = None,
    report: Report = lambda _: None,
    progress: Progress | None = None,
) -> RunResult:
    """Run every stage on one night's batch folder and write banlist.csv, clusters.csv and run.json."""
    timings = _Timings(report)
    batch = batch_dir.name
    with Graph(settings) as graph:
        with timings.stage("init"):
            graph.apply_schema()
        run = start_run(graph, settings, batch)
        with timings.stage("load"):
            loaded = load_batch(
                graph, settings, batch_dir, max_reject_rate=max_reject_rate, rejects_dir=out_dir / "rejects",
                progress=progress,
            )  # fmt: skip
        with timings.stage("similarity"):
            similarity = run_similarity(graph, settings, batch_dir)
        with timings.stage("detect"):
            detection = detect(graph, settings, run_id=run.run_id, batch=batch)
        summary: dict[str, Any] = {
            "run_id": run.run_id,
            "batch": batch,
            "batch_dir": str(batch_dir),
            "started_at": run.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "config_hash": run.config_hash,
            "thresholds": thresholds(settings),
            "bans": detection.result.bans,
            "reviews": detection.result.reviews,
            "clusters": detection.result.clusters,
            "changes": changes_since(run.previous_summary, detection.result),
            "load": loaded.model_dump(mode="json"),
            "similarity": similarity.model_dump(mode="json"),
            "detection": detection.result.model_dump(mode="json"),
            "timings_s": timings.seconds,
            "graph": _graph_counts(graph),
        }
        outputs = write_outputs(out_dir, detection.banlist, detection.clusters, summary)
        finish_run(graph, run, summary)
    return RunResult(run_id=run.run_id, batch=batch, outputs=outputs, summary=summary)


def detect_only(settings: Settings, batch: str) -> Detection:
    """`linkage detect`: detection on the graph as it stands (no load), recorded as a run of its own."""
    with Graph(settings) as graph:
        run = start_run(graph, settings, batch)
        detection = detect(graph, settings, run_id=run.run_id, batch=batch)
        summary = {"run_id": run.run_id, "batch": batch, "bans": detection.result.bans,
                   "reviews": detection.result.reviews, "clusters": detection.result.clusters,
                   "detection": detection.result.model_dump(mode="json")}  # fmt: skip
        finish_run(graph, run, summary)
    return detection


def export_banlist(settings: Settings, path: Path) -> int:
    """`linkage banlist`: the decisions now in the graph, written as a ban list; returns its row count."""
    with Graph(settings) as graph:
        frame = graph.frame("read_banlist")
    write_banlist(frame if not frame.empty else pd.DataFrame(columns=BANLIST_COLUMNS), path)
    return len(frame)
