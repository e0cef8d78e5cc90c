"""Fixtures on the real local Neo4j + GDS: started once per session, a clean graph for every test.

The suite uses its own state folder and port (``.linkage-test``, 7688) so that it never touches the demo
database; ``LINKAGE_TEST_HOME`` and ``LINKAGE_TEST_PORT`` override them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import localdb
from linkage.graph import Graph
from linkage.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TEST_HOME = Path(os.environ.get("LINKAGE_TEST_HOME", ".linkage-test")).resolve()
TEST_PORT = int(os.environ.get("LINKAGE_TEST_PORT", "7688"))


@pytest.fixture(scope="session")
def test_env() -> Iterator[dict[str, str]]:
    """Environment variables that point linkage (library and CLI) at the test database."""
    values = {
        "LINKAGE_HOME": str(TEST_HOME),
        "LINKAGE_LOCALDB_PORT": str(TEST_PORT),
        "LINKAGE_LOCALDB_HEAP": os.environ.get("LINKAGE_TEST_HEAP", "3g"),
        "LINKAGE_LOCALDB_PAGECACHE": "1g",
        "LINKAGE_HASH_KEY": "test-hash-key-not-secret",
    }
    saved = {key: os.environ.get(key) for key in [*values, "NEO4J_URI"]}
    os.environ.update(values)
    os.environ.pop("NEO4J_URI", None)
    yield values
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def settings(test_env: dict[str, str]) -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Settings]:
    """Start the local database once (or reuse a running one); stop it at the end only if we started it."""
    started_here = not localdb.state(settings.localdb).running
    localdb.start(settings.localdb)
    yield settings
    if started_here and not os.environ.get("LINKAGE_TEST_KEEP_DB"):
        localdb.stop(settings.localdb)


@pytest.fixture(scope="session")
def session_graph(database: Settings) -> Iterator[Graph]:
    with Graph(database) as graph:
        graph.apply_schema()
        yield graph


@pytest.fixture
def graph(session_graph: Graph) -> Graph:
    """The shared connection, on an empty graph with no GDS projections left over."""
    session_graph.reset()
    return session_graph


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local SparkSession for the whole test session (it takes 10-20 s to start): two cores, a 2 GB driver."""
    from linkage.similarity.spark.session import start

    session = start("local[2]", "2g")
    yield session
    session.stop()
