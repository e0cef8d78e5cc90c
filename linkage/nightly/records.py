"""The record of each run: a Run node linked to the one before, the configuration it ran with, and what changed.

A Run node is created only once the batch has been validated and loaded, and counts as "previous" only when it
finished: a run that failed or crashed half-way never becomes the baseline of tomorrow's changes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from linkage.detect.stage import DetectResult
from linkage.graph import Graph
from linkage.nightly.outputs import OutputFiles
from linkage.settings import Settings
from linkage.similarity.stage import SimilarityResult
from loaders import LoadResult

# settings that change results; connection details and secrets are not part of a run's identity
RESULT_SETTINGS_PREFIXES = ("detect_", "score_", "similarity_")


class PreviousRun(BaseModel):
    """The last finished run's counts, the baseline of tonight's deltas."""

    run_id: str
    bans: int
    reviews: int
    clusters: int


class RunInfo(BaseModel):
    run_id: str
    batch: str
    started_at: datetime
    config_hash: str
    previous: PreviousRun | None


class Changes(BaseModel):
    """What changed since the previous finished run: the part of the nightly report a human reads first."""

    previous_run_id: str | None
    new_bans: int
    respawns_flagged: int
    clusters_new: int
    clusters_grown: int
    clusters_shrunk: int
    clusters_merged: int
    clusters_split: int
    clusters_stable: int
    clusters_dissolved: int
    clusters_absorbed: int
    bans_delta: int | None = None
    reviews_delta: int | None = None
    clusters_delta: int | None = None


class GraphCounts(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]


class RunSummary(BaseModel):
    """What run.json records and the Run node keeps: the batch, the settings, the counts, what changed."""

    run_id: str
    batch: str
    batch_dir: str | None = None
    started_at: datetime
    finished_at: datetime
    config_hash: str
    thresholds: dict[str, Any]
    bans: int
    reviews: int
    clusters: int
    changes: Changes
    load: LoadResult | None = None
    similarity: SimilarityResult | None = None
    detection: DetectResult
    timings_s: dict[str, float] = {}
    graph: GraphCounts | None = None
    outputs: OutputFiles | None = None  # where each of the run's files is
    notes: list[str] = []  # what a reader should know first: an empty night, a batch of accounts only, no decisions


def run_summary(run: RunInfo, settings: Settings, detection: DetectResult, **stages: Any) -> RunSummary:
    """The run's summary from its record, its settings and tonight's detection (plus the stages it ran)."""
    return RunSummary(
        run_id=run.run_id,
        batch=run.batch,
        started_at=run.started_at,
        finished_at=datetime.now(UTC),
        config_hash=run.config_hash,
        thresholds=thresholds(settings),
        bans=detection.bans,
        reviews=detection.reviews,
        clusters=detection.clusters,
        changes=changes_since(run.previous, detection),
        detection=detection,
        **stages,
    )


def run_notes(load: LoadResult, detection: DetectResult) -> list[str]:
    """Sentences for a night that is not like the others: no rows at all, accounts and nothing to link them by, no
    decision (the ban list then holds its header only)."""
    rows = {summary.file: summary.rows_read - summary.rows_rejected for summary in load.files}
    notes = []
    if not any(rows.values()):
        notes.append("The batch has no valid row (an empty night): nothing was loaded.")
    elif not any(count for file, count in rows.items() if file != "accounts"):
        notes.append("The batch holds accounts only: no payments, sessions or prompts link them to each other.")
    if detection.bans + detection.reviews == 0:
        notes.append("No account is banned or in review: the ban list is empty.")
    if not detection.partner_hashes_matched:
        notes.append(
            "Partner reports name payment methods or template families by keyed hash, but LINKAGE_SHARE_KEY is not "
            "set: only the addresses and networks they name were matched tonight."
        )
    return notes


def thresholds(settings: Settings) -> dict[str, Any]:
    """The settings that shape tonight's decisions, as recorded in run.json."""
    return {
        key: value
        for key, value in settings.model_dump(mode="json").items()
        if key.startswith(RESULT_SETTINGS_PREFIXES)
    }


def config_hash(settings: Settings) -> str:
    return hashlib.sha256(json.dumps(thresholds(settings), sort_keys=True).encode()).hexdigest()[:16]


def start_run(graph: Graph, settings: Settings, batch: str, started: datetime | None = None) -> RunInfo:
    """Create tonight's Run node (linked to the last finished run) and return it with that run's counts."""
    started = started or datetime.now(UTC)
    run_id = "R-" + started.strftime("%Y%m%dT%H%M%S%f")
    digest = config_hash(settings)
    rows = graph.write_returning(
        "nightly/create_run", run_id=run_id, batch=batch, started_at=started.isoformat(), config_hash=digest
    )
    previous = PreviousRun.model_validate(rows[0]) if rows and rows[0]["run_id"] is not None else None
    return RunInfo(run_id=run_id, batch=batch, started_at=started, config_hash=digest, previous=previous)


def finish_run(graph: Graph, summary: RunSummary) -> None:
    """Mark the run finished, with its summary (JSON text) and counts: from now on it is the previous run."""
    graph.write(
        "nightly/finish_run",
        run_id=summary.run_id,
        summary=summary.model_dump_json(),
        bans=summary.bans,
        reviews=summary.reviews,
        clusters=summary.clusters,
    )


def changes_since(previous: PreviousRun | None, detection: DetectResult) -> Changes:
    """Counts of tonight's cluster events and new decisions, with deltas against the previous finished run."""
    events = detection.cluster_events
    changes = Changes(
        previous_run_id=previous.run_id if previous else None,
        new_bans=detection.new_bans,
        respawns_flagged=detection.respawns_flagged,
        clusters_new=events.get("new", 0),
        clusters_grown=events.get("grown", 0),
        clusters_shrunk=events.get("shrunk", 0),
        clusters_merged=events.get("merged", 0),
        clusters_split=events.get("split", 0),
        clusters_stable=events.get("stable", 0),
        clusters_dissolved=detection.dissolved_clusters,
        clusters_absorbed=detection.absorbed_clusters,
    )
    if previous is not None:
        changes.bans_delta = detection.bans - previous.bans
        changes.reviews_delta = detection.reviews - previous.reviews
        changes.clusters_delta = detection.clusters - previous.clusters
    return changes
