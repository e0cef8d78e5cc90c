"""`linkage init` and `linkage load`: the schema and one batch, against the configured database."""

from __future__ import annotations

from pathlib import Path

from linkage.graph import Graph
from linkage.settings import Settings
from loaders import LoadResult, Progress, load_batch


def init(settings: Settings) -> int:
    """Create every constraint and index (IF NOT EXISTS); returns how many statements ran."""
    with Graph(settings) as graph:
        return graph.apply_schema()


def load(
    settings: Settings,
    batch_dir: Path,
    *,
    max_reject_rate: float | None = None,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
    initial: bool = False,
) -> LoadResult:
    with Graph(settings) as graph:
        graph.apply_schema()
        return load_batch(graph, settings, batch_dir, max_reject_rate=max_reject_rate, rejects_dir=rejects_dir,
                          progress=progress, initial=initial)  # fmt: skip
