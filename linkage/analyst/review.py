"""`linkage review`: the review queue, the accounts one step short of a ban, most harmful first.

An account goes to review when its evidence falls short of a ban (linkage/detect/scoring.py): the queue says, per
account, what a ban would still need and by how much, and ranks the accounts by expected harm, the size of the
community they act in times the output they harvested tonight, so that an analyst's first hour goes where a wrong
"no" costs most.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from linkage.detect.reasons import Reason
from linkage.graph import Graph
from linkage.settings import Settings


class ReviewItem(BaseModel):
    account_id: str
    cluster_id: str | None
    score: float | None
    kinds: int
    community_size: int
    output_tokens: int
    harm: int  # community size x output tokens
    missed: str | None  # each condition of a ban it misses, and by how much
    reasons: list[Reason]


def review_queue(settings: Settings, limit: int) -> list[ReviewItem]:
    """The first ``limit`` accounts of the review queue now in the graph, most harmful first."""
    with Graph(settings) as graph:
        rows = graph.read("nightly/read_review_queue", limit=limit)
    return [_item(row) for row in rows]


def _item(row: dict[str, object]) -> ReviewItem:
    records = json.loads(str(row["reason_json"]))
    fields = {key: value for key, value in row.items() if key not in ("reasons", "reason_json")}
    return ReviewItem.model_validate({**fields, "reasons": [Reason(**record) for record in records]})
