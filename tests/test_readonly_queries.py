"""`linkage query run` only reads the graph: a query that would run a command (SHOW, TERMINATE, administration,
schema), use another database, load files, call a procedure outside the allowlist, build a GDS projection, commit
in batches or write is refused before it runs (exit 1), and what it would have done did not happen."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from cypher import saved_queries, statement
from linkage.analyst.queries import clause_refusals, describe, plan_refusals
from linkage.cli import app
from linkage.graph import Graph, GraphRefused
from linkage.settings import Settings

pytestmark = pytest.mark.db

HEADER = "// An analyst's own query.\n// Parameters: none\n"


def _schema(graph: Graph) -> list[str]:
    """The names of every index and constraint."""
    found = [graph.gds.run_cypher(f"SHOW {kind} YIELD name RETURN name")["name"] for kind in ("INDEXES", "CONSTRAINTS")]
    return sorted(name for names in found for name in names)


def _query(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.cypher"
    path.write_text(HEADER + text)
    return path


@pytest.mark.parametrize(("text", "says"), [
    # commands: what runs on the server rather than reading the graph
    ("SHOW TRANSACTIONS YIELD transactionId AS id TERMINATE TRANSACTIONS id YIELD message RETURN message",
     "SHOW, TERMINATE"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("SHOW SETTINGS YIELD name, value RETURN name, value", "SHOW"),
    ("SHOW USERS", "SHOW"),
    ("SHOW DATABASES", "SHOW"),
    ("SHOW PROCEDURES YIELD name RETURN name", "SHOW"),
    ("SHOW FUNCTIONS", "SHOW"),
    ("SHOW INDEXES", "SHOW"),
    ("SHOW CONSTRAINTS", "SHOW"),
    ("USE system SHOW USERS", "USE, SHOW"),
    ("USE neo4j MATCH (a:Account) RETURN a.account_id AS id", "USE"),
    # schema and administration
    ("CREATE INDEX planted IF NOT EXISTS FOR (n:Planted) ON (n.x)", "CREATE INDEX"),
    ("DROP CONSTRAINT account_id IF EXISTS", "DROP"),
    ("CREATE USER planted SET PASSWORD 'planted-password'", "CREATE USER"),
    ("ALTER USER neo4j SET PASSWORD 'planted-password'", "ALTER"),
    ("GRANT ROLE admin TO planted", "GRANT"),
    ("STOP DATABASE neo4j", "STOP DATABASE"),
    # procedures outside the schema's, batches of transactions, files
    ("CALL dbms.listConfig() YIELD name RETURN name", "the procedure dbms.listConfig"),
    ("CALL dbms.components() YIELD name RETURN name", "the procedure dbms.components"),
    ("CALL db.info() YIELD name RETURN name", "the procedure db.info"),
    ("CALL `db`.`ping`()", "the procedure db.ping"),
    ("CALL gds.graph.list() YIELD graphName RETURN graphName", "the procedure gds.graph.list"),
    ("CALL gds.graph.project('stolen', 'Account', '*') YIELD graphName RETURN graphName",
     "the procedure gds.graph.project"),
    ("MATCH (a:Account) RETURN gds.graph.project('stolen', a, null) AS g", "the function gds.graph.project"),
    ("MATCH (a:Account) CALL { WITH a RETURN a.account_id AS id } IN TRANSACTIONS RETURN id",
     "CALL { } IN TRANSACTIONS"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV"),
    ("LOAD CSV FROM 'https://example.org/x.csv' AS line RETURN line", "LOAD CSV"),
    # writes
    ("MATCH (a:Account) SET a.decision = 'ban' RETURN a", "a write (SetProperty"),
    ("CREATE (x:Planted) RETURN x", "a write (Create"),
    ("MERGE (x:Planted) RETURN x", "a write (Merge"),
    ("MATCH (p:PaymentMethod) DELETE p", "a write (Delete"),
    ("MATCH (n) DETACH DELETE n", "a write (DetachDelete"),
    ("MATCH (a:Account) REMOVE a:Account RETURN a", "a write (RemoveLabels"),
    ("FOREACH (x IN [1] | CREATE (:Planted))", "a write (Foreach"),
])  # fmt: skip
def test_a_query_that_does_more_than_read_is_refused_before_it_runs(
    graph: Graph, test_env: dict[str, str], tmp_path: Path, text: str, says: str
) -> None:
    graph.gds.run_cypher("CREATE (:Account {account_id: 'a1'})-[:PAID_WITH]->(:PaymentMethod {fingerprint: 'f'})")
    schema = _schema(graph)
    path = _query(tmp_path, "probe", text)
    result = CliRunner().invoke(app, ["query", "run", str(path), "--json"], env=test_env)
    assert result.exit_code == 1, result.output
    assert f"Query '{path}' is refused before it runs: it uses {says}" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert graph.gds.graph.list() == []  # no projection was built
    state = graph.gds.run_cypher("MATCH (n) RETURN count(n) AS n, count(n.decision) AS decided")
    assert state.to_dict("records") == [{"n": 2, "decided": 0}]  # nothing written, nothing deleted
    assert _schema(graph) == schema  # no index or constraint made or dropped


@pytest.mark.parametrize(("text", "operator"), [
    ("SHOW TRANSACTIONS YIELD transactionId AS id TERMINATE TRANSACTIONS id YIELD message RETURN message",
     "TerminateTransactions"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TerminateTransactions"),
    ("SHOW SETTINGS YIELD name, value RETURN name, value", "ShowSettings"),
    ("SHOW USERS", "AdministrationCommand"),
    ("SHOW PROCEDURES YIELD name RETURN name", "ShowProcedures"),
    ("CREATE INDEX planted IF NOT EXISTS FOR (n:Planted) ON (n.x)", "CreateIndex"),
    ("DROP CONSTRAINT account_id IF EXISTS", "DropConstraint"),
    ("CREATE USER planted SET PASSWORD 'planted-password'", "AdministrationCommand"),
    ("MATCH (a:Account) CALL { WITH a RETURN a.account_id AS id } IN TRANSACTIONS RETURN id", "TransactionApply"),
])  # fmt: skip
def test_the_plan_alone_refuses_every_command_neo4j_plans(
    graph: Graph, tmp_path: Path, text: str, operator: str
) -> None:
    """Where Neo4j 5.26 gives a plan for a command (an operator of its own; administration commands are one
    AdministrationCommand on the system database), the allowlist of operators refuses it alone: the two checks hold
    each without the other."""
    refused = plan_refusals(graph.plan(_query(tmp_path, "probe", text)))
    assert any(operator in reason for reason in refused), refused


def test_an_operator_the_allowlist_does_not_know_and_an_empty_plan_are_refused() -> None:
    assert plan_refusals({"operatorType": "ProduceResults@neo4j", "children": [{"operatorType": "Teleport@neo4j"}]}) \
        == ["the operator Teleport (not a read of the graph)"]  # fmt: skip
    assert plan_refusals({}) == ["a statement Neo4j gives no plan for"]


def test_a_refused_terminate_reaches_no_transaction(
    settings: Settings, graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """The query is harmful: run as linkage runs queries (a read transaction) it ends another session's transaction
    (a nightly run's, in the issue); refused before it runs, it reaches nothing."""
    text = ("SHOW TRANSACTIONS YIELD transactionId AS id, metaData WHERE metaData.probe = 'victim' "
            "TERMINATE TRANSACTIONS id YIELD message RETURN message")  # fmt: skip
    path = _query(tmp_path, "terminate", text)
    with Graph(settings) as victim, victim.driver.session() as session:
        transaction = session.begin_transaction(metadata={"probe": "victim"})
        transaction.run("MATCH (n) RETURN count(n) AS n").consume()
        result = CliRunner().invoke(app, ["query", "run", str(path)], env=test_env)
        assert result.exit_code == 1, result.output
        assert "it uses SHOW, TERMINATE" in result.stderr
        assert transaction.run("RETURN 1 AS alive").single()["alive"] == 1  # untouched

        with Graph(settings) as unchecked:  # what `query run` did before the check: a read transaction
            assert unchecked.read(path) == [{"message": "Transaction terminated."}]
        with pytest.raises(neo4j.exceptions.Neo4jError, match="terminated"):
            transaction.run("RETURN 1 AS alive").consume()


def test_a_query_that_only_reads_runs_and_may_describe_the_schema(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    graph.gds.run_cypher("CREATE (:Account {account_id: 'a1', created_at: datetime('2026-11-01T00:00:00Z')})")
    path = _query(
        tmp_path,
        "reads",
        "// SHOW USERS, TERMINATE TRANSACTIONS: words of a comment\n"
        "CALL db.labels() YIELD label MATCH (a:Account) WHERE label = 'Account' AND a.show IS NULL "
        "RETURN label, a.account_id AS id, duration.between(a.created_at, a.created_at).days AS days, "
        "'SHOW USERS; LOAD CSV; CALL dbms.listConfig()' AS text, {use: 1, drop: 2} AS map",
    )
    result = CliRunner().invoke(app, ["query", "run", str(path), "--json"], env=test_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"label": "Account", "id": "a1", "days": 0,
                                          "text": "SHOW USERS; LOAD CSV; CALL dbms.listConfig()",
                                          "map": {"use": 1, "drop": 2}}]  # fmt: skip


def test_every_saved_query_passes_the_read_only_check(graph: Graph) -> None:
    examples = {"string": "x", "integer": 1, "float": 0.5, "boolean": True}
    for name in saved_queries():
        params = {key: examples[kind] for key, kind in describe(name).parameters.items()}
        assert clause_refusals(statement(f"analyst/{name}")) == [], name
        assert plan_refusals(graph.plan(f"analyst/{name}", **params)) == [], name


def test_a_write_reaching_the_database_is_refused_by_the_read_transaction(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    """Beneath the plan check, the query runs in a read transaction, where Neo4j refuses any write."""
    path = _query(tmp_path, "writes", "CREATE (x:Planted) RETURN x")
    with pytest.raises(GraphRefused, match=r"Neo.ClientError.Statement.AccessMode"), Graph(settings) as reader:
        reader.read(path)
    assert graph.gds.run_cypher("MATCH (x:Planted) RETURN count(x) AS n")["n"][0] == 0
