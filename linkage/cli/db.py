"""`linkage db …`: start, stop, inspect and reset the database linkage works on."""

from __future__ import annotations

from pydantic import BaseModel

import localdb
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph, GraphUnavailable
from linkage.nightly.lock import exclusive
from linkage.settings import Settings


class DatabaseStatus(BaseModel):
    running: bool
    uri: str
    pid: int | None
    neo4j_version: str | None
    gds_version: str | None
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
    """Running or not, and the versions the server itself reports over Bolt; never starts anything."""
    pid = None
    if settings.uses_local_db:
        local = localdb.state(settings.localdb)
        pid = local.pid
        if not local.running:
            return DatabaseStatus(running=False, uri=settings.uri, pid=None, neo4j_version=None, gds_version=None,
                                  local=True)  # fmt: skip
    try:
        with Graph(settings, start_local=False) as graph:
            versions = graph.versions()
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
    )


def reset(settings: Settings) -> None:
    """Delete every node, relationship and GDS projection (the schema stays); refused while a run holds the lock."""
    with Graph(settings) as graph, exclusive(graph, "linkage db reset"):
        graph.reset()
