"""Appeals: trust & safety's decision on a ban someone contested, kept in the graph as an append-only action log.

A reversal must stay undone: the account is allowlisted (the allowlist wins over a ban that stands, so no later
night bans it again), and marked reversed, so that its cards, addresses, devices and templates stop counting as a
banned network's infrastructure and it signs no campaign. An upheld ban changes nothing but the log. Each entry says
who decided (``LINKAGE_ACTOR``, else the OS user), when, and why, in a note with any card number or e-mail address
masked before it is stored.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from linkage.analyst.known import require_account, require_known
from linkage.errors import LinkageError
from linkage.graph import Graph
from linkage.settings import Settings
from loaders.privacy import mask_personal

Decision = Literal["reverse", "uphold"]


class NothingToAppeal(LinkageError):
    pass


class Action(BaseModel):
    """One entry of the action log."""

    action_id: str
    action: Decision
    account_id: str
    actor: str
    at: str  # ISO 8601, UTC
    note: str
    decision: str  # the decision appealed: ban (also a batch's) or review
    cluster_id: str | None
    decided_run: str | None  # the run that made it


def actor(settings: Settings) -> str:
    """Who records an action: ``LINKAGE_ACTOR``, else the user this process runs as."""
    return settings.actor or getpass.getuser()


def appeal(settings: Settings, account_id: str, decision: Decision, note: str) -> Action:
    """Record the appeal's ``decision`` on ``account_id``'s ban or review; a reversal allowlists the account."""
    with Graph(settings) as graph:
        require_account(graph, account_id)
        rows = graph.write_returning("actions/record_appeal", account_id=account_id, action=decision,
                                     actor=actor(settings), at=datetime.now(UTC).isoformat(),
                                     note=mask_personal(note))  # fmt: skip
    if not rows:
        raise NothingToAppeal(f"Account {account_id!r} has no ban or review to appeal.")
    return Action.model_validate(rows[0])


def actions(settings: Settings, since: str | None = None) -> list[Action]:
    """The action log, oldest first; with ``since``, the actions recorded since that run started."""
    with Graph(settings) as graph:
        if since is not None:
            require_known(graph, "run_id", since)
        return read_actions(graph, since)


def read_actions(graph: Graph, since: str | None) -> list[Action]:
    return [Action.model_validate(row) for row in graph.read("actions/read_actions", since=since)]
