"""The local database is a real Neo4j with real GDS procedures, reachable over Bolt."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cypher import SCHEMA_TARGET, schema_groups, schema_statements
from linkage.cli import app
from linkage.graph import Graph
from linkage.settings import Settings
from localdb.memory import choose, parse_size, size_text

pytestmark = pytest.mark.db


def test_status_json_reports_both_versions(database: Settings, test_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["db", "status", "--json"], env=test_env)
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    memory = {"heap", "pagecache", "heap_sized", "pagecache_sized"}
    assert set(status) == {"running", "uri", "pid", "neo4j_version", "gds_version", *memory}
    assert status["running"] is True
    assert status["uri"] == f"bolt://127.0.0.1:{database.localdb_port}"
    assert isinstance(status["pid"], int)
    assert status["neo4j_version"].startswith("5.26")
    assert status["gds_version"].startswith("2.13")
    # the heap the server reports, and the memory the database was started with: set, not sized (tests/conftest.py)
    assert (status["heap"], status["pagecache"]) == (size_text(parse_size(test_env["LINKAGE_LOCALDB_HEAP"])), "1g")
    assert status["heap_sized"] is False and status["pagecache_sized"] is False


def test_status_of_a_server_reports_the_heap_it_runs_with(database: Settings, test_env: dict[str, str]) -> None:
    """With NEO4J_URI: the server's heap as GDS reads it; its page cache and how it was sized are its own."""
    remote = {**test_env, "NEO4J_URI": database.localdb.uri, "NEO4J_PASSWORD_FILE": str(database.localdb.password_file)}
    status = json.loads(CliRunner().invoke(app, ["db", "status", "--json"], env=remote).stdout)
    assert status["running"] is True and status["heap"] == size_text(parse_size(test_env["LINKAGE_LOCALDB_HEAP"]))
    assert status["pagecache"] is None and status["heap_sized"] is None and status["pagecache_sized"] is None


def test_gds_client_reports_server_version(graph: Graph) -> None:
    assert str(graph.gds.server_version()).startswith("2.13")


def _two_cliques(graph: Graph) -> None:
    """Two 5-cliques joined by a single bridge edge: WCC sees one component, modularity sees two."""
    graph.gds.run_cypher(
        "UNWIND range(0, 9) AS i CREATE (:Probe {id: i})"
        " WITH 1 AS one MATCH (a:Probe), (b:Probe) WHERE a.id < b.id AND a.id / 5 = b.id / 5"
        " CREATE (a)-[:LINK]->(b)"
    )


def test_wcc_and_louvain_find_known_communities(graph: Graph) -> None:
    _two_cliques(graph)
    graph.gds.run_cypher("UNWIND range(10, 12) AS i CREATE (:Probe {id: i})")  # three isolated nodes
    g, _ = graph.gds.graph.project.native("probe", "Probe", {"LINK": {"orientation": "UNDIRECTED"}})
    try:
        wcc = graph.gds.wcc.stream(g)
        assert sorted(wcc.groupby("componentId").size().tolist()) == [1, 1, 1, 5, 5]
        louvain = graph.gds.louvain.stream(g)
        sizes = louvain.groupby("communityId").size()
        assert sorted(sizes.tolist()) == [1, 1, 1, 5, 5]
        leiden = graph.gds.leiden.stream(g, random_seed=7)
        assert sorted(leiden.groupby("communityId").size().tolist()) == [1, 1, 1, 5, 5]
    finally:
        g.drop()


def test_reset_leaves_no_data_and_no_projection(graph: Graph) -> None:
    _two_cliques(graph)
    graph.gds.graph.project.native("leftover", "Probe", "LINK")
    graph.reset()  # what the `graph` fixture does before every test
    assert graph.gds.run_cypher("MATCH (n) RETURN count(n) AS n")["n"][0] == 0
    assert graph.gds.graph.list() == []


def test_status_when_stopped_reports_not_running(tmp_path: pytest.TempPathFactory, test_env: dict[str, str]) -> None:
    env = {**test_env, "LINKAGE_HOME": str(tmp_path), "LINKAGE_LOCALDB_PORT": "7699"}
    result = CliRunner().invoke(app, ["db", "status", "--json"], env=env)
    assert result.exit_code == 4
    assert json.loads(result.stdout) == {
        "running": False, "uri": "bolt://127.0.0.1:7699", "pid": None, "neo4j_version": None, "gds_version": None,
        "heap": test_env["LINKAGE_LOCALDB_HEAP"], "pagecache": "1g", "heap_sized": False, "pagecache_sized": False,
    }  # fmt: skip
    # unset, both are sized from the machine's memory: what a start would give the database
    unset = {**env, "LINKAGE_LOCALDB_HEAP": None, "LINKAGE_LOCALDB_PAGECACHE": None}
    sized = json.loads(CliRunner().invoke(app, ["db", "status", "--json"], env=unset).stdout)
    memory = choose(None, None)
    assert (sized["heap"], sized["pagecache"]) == (memory.heap, memory.pagecache)
    assert sized["heap_sized"] is True and sized["pagecache_sized"] is True


def test_remote_password_is_required_and_never_printed(test_env: dict[str, str]) -> None:
    env = {**test_env, "NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "hunter2-secret"}
    result = CliRunner().invoke(app, ["db", "status", "--json"], env=env)
    assert result.exit_code == 4
    assert "hunter2-secret" not in result.output
    assert json.loads(result.stdout)["running"] is False


def test_schema_applied_label_by_label_side_by_side_is_whole_and_idempotent(graph: Graph) -> None:
    def index_names() -> list[str]:
        found = graph.gds.run_cypher("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
        return sorted(found["name"])

    created = graph.apply_schema()
    first = index_names()
    assert len(first) == created == len(schema_statements())  # each constraint is backed by an index of its name
    assert graph.apply_schema() == created and index_names() == first
    targets = [{SCHEMA_TARGET.search(ddl).group(0) for ddl in group} for group in schema_groups()]  # type: ignore[union-attr]
    assert all(len(group) == 1 for group in targets)  # one label per group, and each label in one group only
    assert len({next(iter(group)) for group in targets}) == len(targets)
