"""`linkage run`: the nightly job, stage by stage, callable from Python as ``nightly_run(settings, …)``.

output folder checked → init → lock → load (validate, then write: into an empty local database, a large batch goes
through Neo4j's batch importer, :func:`loaders.bulk.worth_importing`) → prompt similarity over the accepted prompts →
detect (communities, scores, cluster ids, decisions) → outputs → what changed. The run is recorded only once its
batch has loaded, and counts as a previous run only once it has finished: after every file but run.json is written,
and run.json only then. The database's lock (:mod:`linkage.nightly.lock`) keeps a second run out meanwhile. A run
cut short (the database lost, the process killed or stopped by a signal, a full disk) leaves no finished record: the
same command run again completes it, every write being keyed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from linkage.analyst.report import write_report
from linkage.detect.stage import Detection, detect
from linkage.files import check_folder, output_errors
from linkage.graph import Graph
from linkage.nightly.formats import BanlistFormat, SimilarityEngine
from linkage.nightly.lock import exclusive
from linkage.nightly.outputs import (
    REJECTS,
    OutputFiles,
    banlist_from_graph,
    forget_earlier_run,
    output_paths,
    space_needed,
    write_banlist,
    write_record,
    write_results,
)
from linkage.nightly.records import GraphCounts, RunSummary, finish_run, run_notes, run_summary, start_run
from linkage.settings import Settings
from linkage.similarity.stage import SimilarityResult, engine_named, run_similarity
from loaders import LoadResult, Progress, accepted_prompts, check_prompts, load_batch

Report = Callable[[str], None]


class RunResult(BaseModel):
    run_id: str
    batch: str
    outputs: OutputFiles
    summary: RunSummary


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


def _graph_counts(graph: Graph) -> GraphCounts:
    counts = GraphCounts(nodes={}, relationships={})
    for row in graph.read("nightly/count_graph"):
        (counts.nodes if row["kind"] == "node" else counts.relationships)[row["name"]] = row["count"]
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
    """Run every stage on one night's batch folder and write its files to ``out_dir``: banlist.csv, clusters.csv,
    report.html and its pictures, then run.json, as the graph records the run as finished (files first: a disk that
    fills up fails the run before the graph says finished)."""
    timings = _Timings(report)
    started = datetime.now(UTC)
    check_folder(out_dir, space_needed(batch_dir))
    with Graph(settings) as graph, tempfile.TemporaryDirectory(prefix="linkage-run-") as work:
        with timings.stage("init"):
            graph.apply_schema()
        with exclusive(graph, "linkage run") as lease:
            forget_earlier_run(out_dir)
            with timings.stage("load"):
                loaded = load_batch(
                    graph, settings, batch_dir, max_reject_rate=max_reject_rate, rejects_dir=out_dir / REJECTS,
                    progress=progress, work_dir=Path(work), initial=None,
                )  # fmt: skip
            batch = loaded.batch
            if loaded.imported:
                lease.reclaim()
            lease.check()
            run = start_run(graph, settings, batch, started)
            with timings.stage("similarity"):
                prompts = accepted_prompts(Path(work), settings.similarity_chunk_rows)
                similarity = run_similarity(graph, settings, prompts, batch)
            lease.check()
            with timings.stage("detect"):
                detection = detect(graph, settings, run_id=run.run_id, batch=batch)
            outputs = output_paths(out_dir, rejects=loaded.rows_rejected > 0)
            summary = run_summary(run, settings, detection.result, batch_dir=str(batch_dir), load=loaded,
                                  similarity=similarity, timings_s=timings.seconds, graph=_graph_counts(graph),
                                  outputs=outputs, notes=run_notes(loaded, detection.result))  # fmt: skip
            write_results(outputs, detection.banlist, detection.clusters)
            with timings.stage("report"):
                write_report(graph, out_dir, summary.model_dump(mode="json"))
            lease.check()
            write_record(outputs, summary, lambda: finish_run(graph, summary))
    return RunResult(run_id=run.run_id, batch=batch, outputs=outputs, summary=summary)


def load_only(
    settings: Settings,
    batch_dir: Path,
    *,
    max_reject_rate: float | None = None,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
    initial: bool = False,
) -> LoadResult:
    """`linkage load`: the schema, then one batch folder, holding the database's lock like a nightly run."""
    with Graph(settings) as graph:
        graph.apply_schema()
        with exclusive(graph, "linkage load"):
            return load_batch(graph, settings, batch_dir, max_reject_rate=max_reject_rate, rejects_dir=rejects_dir,
                              progress=progress, initial=initial)  # fmt: skip


def similarity_only(
    settings: Settings, batch_dir: Path, progress: Report | None = None, engine: SimilarityEngine = "local"
) -> SimilarityResult:
    """`linkage similarity`: the stage alone on a batch folder's prompts file, holding the database's lock. The file
    is validated as `linkage load` would (its rejects go to ``rejects/<batch>/prompts.csv``); only the accepted rows
    are analysed, pass 1 on ``engine``."""
    with Graph(settings) as graph, tempfile.TemporaryDirectory(prefix="linkage-similarity-") as work:
        graph.apply_schema()
        with exclusive(graph, "linkage similarity"):
            check_prompts(settings, batch_dir, Path(work))
            prompts = accepted_prompts(Path(work), settings.similarity_chunk_rows)
            with engine_named(engine, settings) as pass1:
                return run_similarity(graph, settings, prompts, batch_dir.name, progress, pass1)


def detect_only(settings: Settings, batch: str) -> Detection:
    """`linkage detect`: detection on the graph as it stands (no load), recorded as a run of its own."""
    with Graph(settings) as graph:
        graph.apply_schema()
        with exclusive(graph, "linkage detect"):
            run = start_run(graph, settings, batch)
            detection = detect(graph, settings, run_id=run.run_id, batch=batch)
            summary = run_summary(run, settings, detection.result)
            finish_run(graph, summary)
    return detection


class BanlistExport(BaseModel):
    path: Path
    file_format: BanlistFormat
    rows: int


def export_banlist(settings: Settings, path: Path, file_format: BanlistFormat = "csv") -> BanlistExport:
    """`linkage banlist`: the decisions now in the graph, written as a ban list (CSV, JSON or Parquet)."""
    with Graph(settings) as graph:
        frame = banlist_from_graph(graph.frame("nightly/read_banlist"))
    with output_errors(path):  # its folder, created if missing
        write_banlist(frame, path, file_format)
    return BanlistExport(path=path, file_format=file_format, rows=len(frame))
