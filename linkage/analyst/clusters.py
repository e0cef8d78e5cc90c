"""A cluster id an analyst typed: one error wherever it names no cluster (a saved query, a picture), with the ids
that do exist nearest to it."""

from __future__ import annotations

import re

from linkage.errors import LinkageError
from linkage.graph import Graph

NEAREST = 3


class UnknownCluster(LinkageError):
    pass


def _number(cluster_id: str) -> int | None:
    found = re.fullmatch(r"C-(\d+)", cluster_id)
    return int(found.group(1)) if found else None


def require_cluster(graph: Graph, cluster_id: str) -> None:
    """Raise :class:`UnknownCluster` when the graph has no cluster ``cluster_id``, naming the nearest ids (by
    number, or the first ones)."""
    known = [row["cluster_id"] for row in graph.read("graph/cluster_ids")]
    if cluster_id in known:
        return
    if not known:
        raise UnknownCluster(f"No cluster {cluster_id!r}: the graph has no clusters yet (a run makes them).")
    wanted = _number(cluster_id)
    nearest = known[:NEAREST] if wanted is None else sorted(known, key=lambda c: abs((_number(c) or 0) - wanted))
    shown = ", ".join(sorted(nearest[:NEAREST]))
    raise UnknownCluster(f"No cluster {cluster_id!r} in the graph ({len(known):,} clusters; nearest: {shown}).")
