"""Turns a night's batch folder into validated frames and writes them to Neo4j."""

from loaders.load import (
    FileSummary,
    LoadResult,
    accepted_prompts,
    check_prompts,
    init_schema,
    load_batch,
)
from loaders.progress import Progress
from loaders.read import InvalidBatch

__all__ = [
    "FileSummary",
    "InvalidBatch",
    "LoadResult",
    "Progress",
    "accepted_prompts",
    "check_prompts",
    "init_schema",
    "load_batch",
]
