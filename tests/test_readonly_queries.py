"""`linkage query run` only reads: a query that would load files, call a procedure outside the allowlist, build a
GDS projection or write is refused before it runs (exit 1), and what it would have done did not happen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cypher import saved_queries
from linkage.analyst.queries import describe, refusals
from linkage.cli import app
from linkage.graph import Graph, GraphRefused
from linkage.settings import Settings

pytestmark = pytest.mark.db

HEADER = "// An analyst's own query.\n// Parameters: none\n"


def _query(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.cypher"
    path.write_text(HEADER + text)
    return path


@pytest.mark.parametrize(("text", "says"), [
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV"),
    ("LOAD CSV FROM 'https://example.org/x.csv' AS line RETURN line", "LOAD CSV"),
    ("CALL gds.graph.project('stolen', 'Account', '*') YIELD graphName RETURN graphName",
     "the procedure gds.graph.project"),
    ("MATCH (a:Account) RETURN gds.graph.project('stolen', a, null) AS g", "the function gds.graph.project"),
    ("CALL dbms.listConfig() YIELD name RETURN name", "the procedure dbms.listConfig"),
    ("MATCH (a:Account) SET a.decision = 'ban' RETURN a", "a write (SetProperty"),
    ("CREATE (x:Planted) RETURN x", "a write (Create"),
    ("MATCH (n) DETACH DELETE n", "a write (DetachDelete"),
])  # fmt: skip
def test_a_query_that_does_more_than_read_is_refused_before_it_runs(
    graph: Graph, test_env: dict[str, str], tmp_path: Path, text: str, says: str
) -> None:
    graph.gds.run_cypher("CREATE (:Account {account_id: 'a1'})-[:PAID_WITH]->(:PaymentMethod {fingerprint: 'f'})")
    path = _query(tmp_path, "probe", text)
    result = CliRunner().invoke(app, ["query", "run", str(path), "--json"], env=test_env)
    assert result.exit_code == 1, result.output
    assert f"Query '{path}' is refused before it runs: it uses {says}" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert graph.gds.graph.list() == []  # no projection was built
    state = graph.gds.run_cypher("MATCH (n) RETURN count(n) AS n, count(n.decision) AS decided")
    assert state.to_dict("records") == [{"n": 2, "decided": 0}]  # nothing written, nothing deleted


def test_a_query_that_only_reads_runs_and_may_describe_the_schema(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    graph.gds.run_cypher("CREATE (:Account {account_id: 'a1', created_at: datetime('2026-11-01T00:00:00Z')})")
    path = _query(
        tmp_path,
        "reads",
        "CALL db.labels() YIELD label MATCH (a:Account) WHERE label = 'Account' "
        "RETURN label, a.account_id AS id, duration.between(a.created_at, a.created_at).days AS days",
    )
    result = CliRunner().invoke(app, ["query", "run", str(path), "--json"], env=test_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"label": "Account", "id": "a1", "days": 0}]


def test_every_saved_query_passes_the_read_only_check(graph: Graph) -> None:
    examples = {"string": "x", "integer": 1, "float": 0.5, "boolean": True}
    for name in saved_queries():
        params = {key: examples[kind] for key, kind in describe(name).parameters.items()}
        assert refusals(graph.plan(f"analyst/{name}", **params)) == [], name


def test_a_write_reaching_the_database_is_refused_by_the_read_transaction(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    """Beneath the plan check, the query runs in a read transaction, where Neo4j refuses any write."""
    path = _query(tmp_path, "writes", "CREATE (x:Planted) RETURN x")
    with pytest.raises(GraphRefused, match=r"Neo.ClientError.Statement.AccessMode"), Graph(settings) as reader:
        reader.read(path)
    assert graph.gds.run_cypher("MATCH (x:Planted) RETURN count(x) AS n")["n"][0] == 0
