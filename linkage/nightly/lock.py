"""One writer at a time: a lease held in the database itself, so it binds every machine that runs against it.

Two runs loading and detecting on one graph at once would interleave their writes and their decisions. A run
takes the lock ``(:Lock {name: 'nightly'})`` in a write transaction before it writes anything, renews it while it
is alive, and gives it back when it ends (also when a signal stops it, :mod:`linkage.signals`). A run that dies
without giving it back (killed, its machine down, the database lost) stops renewing it: its lease expires after
``LINKAGE_LOCK_TTL`` seconds and the next run takes it over; a run on the holder's own host takes it over at once
when the holder's process no longer exists. A second run meanwhile is refused with exit code 5 and a line that says
who holds the lock and until when.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import localdb
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph

LOCK_NAME = "nightly"
RENEWALS_PER_LEASE = 4  # a lease is renewed this many times within its lifetime: a late renewal is no lost lock


class LockHeld(LinkageError):
    """Another run holds the database: try again later."""

    exit_code = ExitCode.BUSY


class Lease:
    """This process's claim on the database's lock; renewed by a background thread once acquired."""

    def __init__(self, graph: Graph, command: str) -> None:
        self.graph = graph
        self.ttl = graph.settings.lock_ttl
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.holder = f"{command} on {self.host} pid {self.pid} ({uuid.uuid4().hex[:8]})"
        self.lost: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew_until_stopped, name="linkage-lease", daemon=True)

    def _claim(self, statement: str = "nightly/acquire_lock", **params: Any) -> dict[str, Any]:
        return self.graph.write_returning(statement, name=LOCK_NAME, holder=self.holder, host=self.host, pid=self.pid,
                                          ttl=self.ttl, **params)[0]  # fmt: skip

    def _holder_is_gone(self, state: dict[str, Any]) -> bool:
        """Whether the lock's holder was a process of this host that no longer exists (a pid reused since counts as
        alive: its lease then runs out as usual)."""
        return state["host"] == self.host and state["pid"] is not None and not localdb.pid_alive(state["pid"])

    def acquire(self) -> None:
        state = self._claim()
        if not state["acquired"] and self._holder_is_gone(state):
            state = self._claim("nightly/take_over_lock", dead=state["holder"])
        if not state["acquired"]:
            raise LockHeld("The database is busy: " + _held_message(state))
        self._renewer.start()

    def _renew_until_stopped(self) -> None:
        while self.lost is None and not self._stop.wait(self.ttl / RENEWALS_PER_LEASE):
            # the database away: the main thread finds out by itself, and the lease lapses unless renewed later
            with contextlib.suppress(Exception):
                state = self._claim()
                if not state["acquired"]:
                    self.lost = state

    def reclaim(self) -> None:
        """Take the lock again at once, as a renewal does: the batch importer replaces the database, and the lock's
        node with it (:class:`LockHeld` if another run took it meanwhile)."""
        state = self._claim()
        if not state["acquired"]:
            self.lost = state
        self.check()

    def check(self) -> None:
        """Raise :class:`LockHeld` if the lease lapsed and another run took the lock (this one must stop)."""
        if self.lost is not None:
            raise LockHeld("This run lost its lease on the database (it could not renew it in time): " +
                           _held_message(self.lost))  # fmt: skip

    def release(self) -> None:
        """Stop renewing and give the lock back; when the database is gone, the lease simply lapses."""
        self._stop.set()
        if self._renewer.is_alive():
            self._renewer.join(timeout=1.0)
        with contextlib.suppress(Exception):
            self.graph.write("nightly/release_lock", name=LOCK_NAME, holder=self.holder)


def _held_message(state: dict[str, Any]) -> str:
    return (
        f"another run holds the database's lock ({state['holder']}, since {state['acquired_at']}; its lease runs "
        f"until {state['expires_at']} unless renewed): try again later."
    )


@contextlib.contextmanager
def exclusive(graph: Graph, command: str) -> Iterator[Lease]:
    """Hold the database's lock for the duration of the block (refused with :class:`LockHeld` if another run has
    it)."""
    lease = Lease(graph, command)
    lease.acquire()
    try:
        yield lease
    finally:
        lease.release()
