"""`linkage db …`: start, stop, inspect and reset the database linkage works on."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel

import localdb
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph, GraphUnavailable
from linkage.nightly.lock import exclusive
from linkage.settings import Settings
from localdb.memory import size_text


class DatabaseStatus(BaseModel):
    running: bool
    uri: str
    pid: int | None
    neo4j_version: str | None
    gds_version: str | None
    heap: str | None = None  # the server's largest heap; the local database stopped: the one a start gives it
    pagecache: str | None = None  # the local database's (a server's page cache is its own)
    # whether the local database's were sized from the machine's memory rather than set (None: a server's)
    heap_sized: bool | None = None
    pagecache_sized: bool | None = None
    local: bool


class RemoteDatabase(LinkageError):
    exit_code = ExitCode.USAGE


def _require_local(settings: Settings, verb: str) -> None:
    if not settings.uses_local_db:
        raise RemoteDatabase(f"NEO4J_URI is set ({settings.neo4j_uri}): linkage does not {verb} a remote server.")


def start(settings: Settings) -> DatabaseStatus:
    _require_local(settings, "start")
    localdb.start(settings.localdb)
    return status(settings)


def stop(settings: Settings) -> bool:
    _require_local(settings, "stop")
    return localdb.stop(settings.localdb)


def status(settings: Settings) -> DatabaseStatus:
    """Running or not, the versions and the heap the server itself reports over Bolt, and the local database's memory
    as it was started (stopped: as a start would size it); never starts anything."""
    pid, memory = None, None
    if settings.uses_local_db:
        local = localdb.state(settings.localdb)
        if not local.running:
            return DatabaseStatus(running=False, uri=settings.uri, pid=None, neo4j_version=None, gds_version=None,
                                  local=True, **_memory(settings.localdb.memory))  # fmt: skip
        pid, memory = local.pid, local.memory
    try:
        with Graph(settings, start_local=False) as graph:
            versions = graph.versions()
            heap = graph.heap_max()
    except GraphUnavailable:
        return DatabaseStatus(running=False, uri=settings.uri, pid=pid, neo4j_version=None, gds_version=None,
                              local=settings.uses_local_db)  # fmt: skip
    return DatabaseStatus(
        running=True,
        uri=settings.uri,
        pid=pid,
        neo4j_version=versions.neo4j_version,
        gds_version=versions.gds_version,
        local=settings.uses_local_db,
        **{**_memory(memory), "heap": size_text(heap)},
    )


def _memory(memory: localdb.Memory | None) -> dict[str, Any]:
    """The local database's memory as status fields (none when it was started by a linkage that kept no record)."""
    return {} if memory is None else asdict(memory)


def reset(settings: Settings) -> None:
    """Delete every node, relationship and GDS projection (the schema stays); refused while a run holds the lock."""
    with Graph(settings) as graph, exclusive(graph, "linkage db reset"):
        graph.reset()
