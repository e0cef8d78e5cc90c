"""The local database is a real Neo4j with real GDS procedures, reachable over Bolt."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cypher import SCHEMA_TARGET, schema_groups, schema_statements
from linkage.cli import app
from linkage.graph import Graph
from linkage.settings import Settings

pytestmark = pytest.mark.db


def test_status_json_reports_both_versions(database: Settings, test_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["db", "status", "--json"], env=test_env)
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert set(status) == {"running", "uri", "pid", "neo4j_version", "gds_version"}
    assert status["running"] is True
    assert status["uri"] == f"bolt://127.0.0.1:{database.localdb_port}"
    assert isinstance(status["pid"], int)
    assert status["neo4j_version"].startswith("5.26")
    assert status["gds_version"].startswith("2.13")


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
    }  # fmt: skip


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
