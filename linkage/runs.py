"""Run bookkeeping: a Run node per run, linked to the one before, with a hash of the configuration used."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from linkage.graph import Graph
from linkage.settings import Settings

# settings that change results; connection details and secrets are not part of a run's identity
RESULT_SETTINGS_PREFIXES = ("detect_", "score_", "similarity_")


class RunInfo(BaseModel):
    run_id: str
    batch: str
    started_at: datetime
    config_hash: str
    previous_run_id: str | None
    previous_summary: dict[str, Any] | None


def thresholds(settings: Settings) -> dict[str, Any]:
    """The settings that shape tonight's decisions, as recorded in run.json."""
    return {
        key: value
        for key, value in settings.model_dump(mode="json").items()
        if key.startswith(RESULT_SETTINGS_PREFIXES)
    }


def config_hash(settings: Settings) -> str:
    return hashlib.sha256(json.dumps(thresholds(settings), sort_keys=True).encode()).hexdigest()[:16]


def start_run(graph: Graph, settings: Settings, batch: str) -> RunInfo:
    started = datetime.now(UTC)
    run_id = "R-" + started.strftime("%Y%m%dT%H%M%S%f")
    digest = config_hash(settings)
    previous = graph.write_returning(
        "create_run", run_id=run_id, batch=batch, started_at=started.isoformat(), config_hash=digest
    )
    summary = previous[0]["previous_summary"] if previous else None
    return RunInfo(
        run_id=run_id,
        batch=batch,
        started_at=started,
        config_hash=digest,
        previous_run_id=previous[0]["previous_run_id"] if previous else None,
        previous_summary=json.loads(summary) if summary else None,
    )


def finish_run(graph: Graph, run: RunInfo, summary: dict[str, Any]) -> None:
    graph.write(
        "finish_run",
        run_id=run.run_id,
        summary=json.dumps(summary, default=str),
        bans=summary.get("bans", 0),
        reviews=summary.get("reviews", 0),
        clusters=summary.get("clusters", 0),
    )
