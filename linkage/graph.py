"""The one module that talks to Neo4j: the official driver and the GDS client live here and nowhere else.

Statements come from ``cypher/`` by name and values travel only as parameters. Writes go through the
driver's managed transactions (``execute_write``), which retry transient errors such as deadlocks, leader switches
and a lost connection, with backoff, for ``LINKAGE_RETRY_SECONDS``; batches are UNWIND lists so one round trip
carries thousands of rows. Whatever the driver or the server raises inside ``with Graph(...)`` leaves it as one
:class:`GraphUnavailable` or :class:`GraphRefused` line (the CLI prints it, no traceback).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

import neo4j
import pandas as pd
from graphdatascience import GraphDataScience
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable

import localdb
from cypher import schema_groups, statement
from linkage.errors import ExitCode, LinkageError
from linkage.settings import Settings
from linkage.signals import raise_if_dropped, raise_if_received, received

Row = Mapping[str, Any]
Statement = str | Path  # a name under cypher/, or a benchmark's or test's own .cypher file
SCHEMA_WORKERS = 4  # schema statements on different labels at once

# The driver logs each retry of a managed transaction as a warning ("Transaction failed and will be retried"), which
# without a handler Python prints to stderr: a first load's restart printed five of them. What fails for good
# reaches the user as one line (GraphUnavailable, exit 4); the retries on the way are not theirs to read.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class GraphUnavailable(LinkageError):
    """The database cannot be reached, was lost, or failed; the message names the URI."""

    exit_code = ExitCode.DATABASE


class GraphRefused(LinkageError):
    """The database refused a statement (a write in a read transaction, a syntax error…); the message says why."""


def _first_line(exc: BaseException) -> str:
    """The gist of an error: a server's own message (not the driver's wrapping of it), first line, bounded."""
    message = exc.message if isinstance(exc, Neo4jError) and exc.message else str(exc)
    lines = message.strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]


def _neo4j_cause(exc: BaseException) -> BaseException | None:
    """The driver's or the server's exception behind ``exc`` (the GDS client wraps some of them)."""
    seen: BaseException | None = exc
    for _ in range(10):  # a chain is short; a cycle must not hang us
        if seen is None or isinstance(seen, DriverError | Neo4jError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


@dataclass(frozen=True)
class ServerVersions:
    neo4j_version: str
    gds_version: str


class Graph:
    """A connection to the configured database (the local one, started on demand, or ``NEO4J_URI``)."""

    def __init__(self, settings: Settings, *, start_local: bool = True) -> None:
        self.settings = settings
        if settings.uses_local_db and start_local:
            localdb.start(settings.localdb)
        self.database = settings.neo4j_database
        self.driver = self._connect()
        self._gds: GraphDataScience | None = None
        self._renewed_after_stop = False

    def _connect(self) -> neo4j.Driver:
        # server notifications (e.g. "label does not exist yet" on an empty graph) are not for our users' logs
        uri = self.settings.uri
        driver = neo4j.GraphDatabase.driver(
            uri,
            auth=self.settings.auth(),
            notifications_min_severity="OFF",
            max_transaction_retry_time=self.settings.retry_seconds,
        )
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            driver.close()
            raise self.translate(exc) from exc
        except (ServiceUnavailable, OSError) as exc:
            driver.close()
            raise GraphUnavailable(f"Cannot reach Neo4j at {uri}: {_first_line(exc)}") from exc
        return driver

    def translate(self, exc: BaseException) -> LinkageError:
        """The one line a user reads for a driver's or server's error (the password is never part of it)."""
        cause = _neo4j_cause(exc) or exc
        uri = self.settings.uri
        if isinstance(cause, AuthError):
            source = (
                f"the password in {self.settings.localdb.password_file}"
                if self.settings.uses_local_db
                else "NEO4J_USER with NEO4J_PASSWORD or NEO4J_PASSWORD_FILE"
            )
            return GraphUnavailable(f"Neo4j at {uri} refused the credentials ({source}): {_first_line(cause)}")
        if isinstance(cause, ClientError):
            return GraphRefused(f"Neo4j refused the statement: {cause.code}: {_first_line(cause)}")
        if isinstance(cause, Neo4jError):
            return GraphUnavailable(f"Neo4j at {uri} failed: {cause.code}: {_first_line(cause)}")
        return GraphUnavailable(
            f"Lost the connection to Neo4j at {uri} ({_first_line(cause)}); nothing unfinished is recorded as "
            "finished: run the same command again once the database is back."
        )

    @contextmanager
    def _session(self) -> Iterator[neo4j.Session]:
        """A session on the database. A stop signal (:mod:`linkage.signals`) may have cut a driver call short
        mid-message: the connection it left half-read breaks the driver's own cleanup of it (a BufferError) and the
        pool would hand it out again, so the first session after one comes from a new driver (the cleanup on the way
        out: the lock given back, the projection dropped), and what a session raises then is the stop. A stop that
        Python dropped in a finaliser is raised here, before the session."""
        raise_if_dropped()
        if received() is not None and not self._renewed_after_stop:
            self._renewed_after_stop = True
            with contextlib.suppress(Exception):
                self.driver.close()
            self.driver = self._connect()
            self._gds = None
        session = self.driver.session(database=self.database)
        try:
            yield session
        except Exception:
            raise_if_received()
            raise
        finally:
            try:
                session.close()
            except Exception:
                raise_if_received()
                raise

    def reconnect(self) -> None:
        """A fresh driver, after the local database was restarted (the old one's pooled connections are dead)."""
        self.driver.close()
        self.driver = self._connect()
        self._gds = None

    def close(self) -> None:
        self.driver.close()  # the GDS client shares this driver

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: object) -> None:
        self.close()
        if isinstance(exc, Exception) and not isinstance(exc, LinkageError) and _neo4j_cause(exc) is not None:
            raise self.translate(exc) from exc

    @property
    def gds(self) -> GraphDataScience:
        """The GDS client over Bolt (open GDS has no Arrow server)."""
        if self._gds is None:
            self._gds = GraphDataScience(
                self.driver,
                database=self.database,
                arrow=False,
                show_progress=False,
            )
        return self._gds

    def _records(self, name: Statement, params: dict[str, Any], *, writes: bool) -> list[dict[str, Any]]:
        query = statement(name)

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, params)]

        with self._session() as session:
            return session.execute_write(work) if writes else session.execute_read(work)

    def read(self, name: Statement, /, **params: Any) -> list[dict[str, Any]]:
        """Run ``cypher/<name>.cypher`` in a managed read transaction; return its records as dicts."""
        return self._records(name, params, writes=False)

    def plan(self, name: Statement, /, **params: Any) -> dict[str, Any]:
        """The plan Neo4j would run ``cypher/<name>.cypher`` with, from ``EXPLAIN`` in a read transaction: nothing
        of the statement runs (the keyword is the only text added to the file's)."""
        query = statement(name)

        def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
            plan = tx.run("EXPLAIN " + query, params).consume().plan
            return plan if isinstance(plan, dict) else {}

        with self._session() as session:
            return session.execute_read(work)

    def frame(self, name: Statement, /, **params: Any) -> pd.DataFrame:
        """Like :meth:`read`, as a DataFrame (the statement's columns even when there are no rows).

        Rows arrive as value lists (``Result.to_df``), not one dict per record, for the million-row reads of
        detection."""
        query = statement(name)

        def work(tx: neo4j.ManagedTransaction) -> pd.DataFrame:
            return tx.run(query, params).to_df()

        with self._session() as session:
            return session.execute_read(work)

    def write(self, name: Statement, /, **params: Any) -> neo4j.SummaryCounters:
        """Run ``cypher/<name>.cypher`` in one managed write transaction."""
        query = statement(name)

        def work(tx: neo4j.ManagedTransaction) -> neo4j.SummaryCounters:
            return tx.run(query, params).consume().counters

        with self._session() as session:
            return session.execute_write(work)

    def write_returning(self, name: Statement, /, **params: Any) -> list[dict[str, Any]]:
        """Run a writing ``cypher/<name>.cypher`` in one managed write transaction; return its records."""
        return self._records(name, params, writes=True)

    def write_rows(self, name: Statement, /, rows: Sequence[Row], **params: Any) -> WriteCounts:
        """Send ``rows`` as ``$rows`` to ``cypher/<name>.cypher``, a batch of them per managed transaction."""
        counts = WriteCounts()
        size = self.settings.write_batch_size
        for start in range(0, len(rows), size):
            counts.add(self.write(name, rows=list(rows[start : start + size]), **params))
        return counts

    def apply_schema(self) -> int:
        """Create every constraint and index of ``cypher/schema.cypher`` (all ``IF NOT EXISTS``).

        Statements on different labels run side by side: after a bulk import, populating the indexes is most of
        the time (4.0-5.2 s against 6.6-11.6 s one after another, 1M accounts on two cores)."""
        groups = schema_groups()
        with ThreadPoolExecutor(max_workers=SCHEMA_WORKERS) as pool:
            list(pool.map(self._apply_schema_group, groups))
        return sum(len(group) for group in groups)

    def _apply_schema_group(self, statements: list[LiteralString]) -> None:
        with self._session() as session:
            for ddl in statements:
                session.run(ddl).consume()  # schema statements cannot run in managed transactions

    def run_batched(self, name: Statement, /, **params: Any) -> neo4j.SummaryCounters:
        """Run a ``CALL { … } IN TRANSACTIONS`` statement, which only runs in an auto-commit transaction."""
        with self._session() as session:
            return session.run(statement(name), params).consume().counters

    def reset(self) -> None:
        """Delete all data and drop every GDS projection; the schema stays."""
        self.write("graph/drop_all_projections")
        self.run_batched("graph/delete_all")

    def versions(self) -> ServerVersions:
        neo4j_version = self.read("graph/show_neo4j_version")[0]["version"]
        return ServerVersions(neo4j_version=neo4j_version, gds_version=str(self.gds.server_version()))

    def heap_max(self) -> int:
        """The server's largest heap in bytes, which GDS's memory estimates must fit in."""
        return int(self.read("graph/server_heap")[0]["heap_max_bytes"])

    @contextmanager
    def projection_cleanup(self, *names: str) -> Iterator[None]:
        """Drop the named GDS projections on exit, also on failure, so none outlives its stage."""
        try:
            yield
        finally:
            for graph_name in names:
                try:
                    self.write("graph/drop_projection", name=graph_name)
                except Neo4jError:
                    continue


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as values the driver takes: plain Python scalars, NaN and NaT as None."""
    boxed = frame.astype(object)
    return boxed.where(frame.notna(), None).to_dict("records")  # type: ignore[return-value]


@dataclass
class WriteCounts:
    """What a series of writes changed, summed over batches."""

    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    batches: int = 0

    def add(self, counters: neo4j.SummaryCounters) -> None:
        self.nodes_created += counters.nodes_created
        self.relationships_created += counters.relationships_created
        self.properties_set += counters.properties_set
        self.batches += 1

    def merge(self, other: WriteCounts) -> None:
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set
        self.batches += other.batches
