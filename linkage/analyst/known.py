"""An id an analyst typed (a cluster, a batch): one error wherever it names nothing in the graph (a saved query, a
picture), with the ids that do exist nearest to it, instead of "no rows"."""

from __future__ import annotations

import re

from linkage.errors import LinkageError
from linkage.graph import Graph

NEAREST = 3
# parameter -> what it names, and the statement that lists every id of it
KNOWN: dict[str, tuple[str, str]] = {
    "cluster_id": ("cluster", "graph/cluster_ids"),
    "batch": ("batch", "graph/batch_ids"),
}


class UnknownId(LinkageError):
    pass


def _number(text: str) -> int | None:
    found = re.search(r"(\d+)", text)
    return int(found.group(1)) if found else None


def nearest(wanted: str, known: list[str]) -> list[str]:
    """The known ids most like ``wanted``: those it starts (a batch's name before its ``@digest``), else those
    nearest by number (C-0012 for C-0010), else the first ones."""
    named = [k for k in known if k.startswith(f"{wanted}@")]
    if named:
        return named[:NEAREST]
    number = _number(wanted)
    if number is None:
        return known[:NEAREST]
    return sorted(sorted(known, key=lambda k: abs((_number(k) or 0) - number))[:NEAREST])


def require_known(graph: Graph, parameter: str, value: str) -> None:
    """Raise :class:`UnknownId` when ``value`` of ``parameter`` (one of :data:`KNOWN`) names nothing in the graph."""
    what, listing = KNOWN[parameter]
    known = [row["id"] for row in graph.read(listing)]
    if value in known:
        return
    if not known:
        raise UnknownId(f"No {what} {value!r}: nothing of the kind is in the graph yet (a run makes them).")
    raise UnknownId(f"No {what} {value!r} in the graph ({len(known):,} in all; nearest: "
                    f"{', '.join(nearest(value, known))}).")  # fmt: skip
