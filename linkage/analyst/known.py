"""An id an analyst typed (a cluster, a batch, an account): one error wherever it names nothing in the graph (a
saved query, a picture, explain), with the ids that do exist nearest to it, instead of "no rows"."""

from __future__ import annotations

import re

from linkage.errors import LinkageError
from linkage.graph import Graph

NEAREST = 3
# parameter -> what it names, and the statement that lists every id of it
KNOWN: dict[str, tuple[str, str]] = {
    "cluster_id": ("cluster", "graph/cluster_ids"),
    "batch": ("batch", "graph/batch_ids"),
    "run_id": ("run", "graph/run_ids"),
}
ACCOUNT_PARAMETERS = ("account_id", "from_account", "to_account")  # too many accounts to list: a few are named


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


def require_account(graph: Graph, account_id: str) -> None:
    """Raise :class:`UnknownId` when no account is ``account_id``, naming the ids that follow it and a few banned
    ones (a saved query's example, ``farm-01``, is an account of the example batch, not of every graph)."""
    found = graph.read("graph/account_examples", account_id=account_id, examples=NEAREST)[0]
    if found["known"]:
        return
    if not found["accounts"]:
        raise UnknownId(f"No account {account_id!r}: no account is in the graph yet (a run loads them).")
    banned = f"; banned: {', '.join(found['banned'])}" if found["banned"] else ""
    following = ", ".join(found["following"]) or "none"
    raise UnknownId(f"No account {account_id!r} in the graph ({found['accounts']:,} in all; next in order: "
                    f"{following}{banned}).")  # fmt: skip


def require_known(graph: Graph, parameter: str, value: str) -> None:
    """Raise :class:`UnknownId` when ``value`` of ``parameter`` (one of :data:`KNOWN` or
    :data:`ACCOUNT_PARAMETERS`) names nothing in the graph."""
    if parameter in ACCOUNT_PARAMETERS:
        return require_account(graph, value)
    what, listing = KNOWN[parameter]
    known = [row["id"] for row in graph.read(listing)]
    if value in known:
        return
    if not known:
        raise UnknownId(f"No {what} {value!r}: nothing of the kind is in the graph yet (a run makes them).")
    raise UnknownId(f"No {what} {value!r} in the graph ({len(known):,} in all; nearest: "
                    f"{', '.join(nearest(value, known))}).")  # fmt: skip
