"""What a batch is and what it may hold, against the real database: identity by content, the database's limits
checked before writing, canonical and non-routable addresses, the default reject limit, rejects files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.detect.stage import read_incidence, weigh_evidence
from linkage.graph import Graph
from linkage.settings import Settings
from loaders import InvalidBatch, load_batch

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
ACCOUNTS = "account_id,created_at\nacc-1,2026-11-23T01:00:00Z\nacc-2,2026-11-23T02:00:00Z\n"


def _batch(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"accounts": ACCOUNTS, **files}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def _count(graph: Graph, pattern: str) -> int:
    return int(graph.gds.run_cypher(f"MATCH {pattern} RETURN count(*) AS n")["n"][0])


def test_two_nights_exported_to_one_folder_name_are_two_batches(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """A scheduler's `export/` folder, two nights running: the second night's sessions count; the same files
    again load nothing."""
    sessions = "account_id,ip,ts\nacc-1,203.0.113.10,2026-11-23T0{h}:00:00Z\n"
    first = load_batch(graph, settings, _batch(tmp_path / "n1" / "export", sessions=sessions.format(h=1)))
    second = load_batch(graph, settings, _batch(tmp_path / "n2" / "export", sessions=sessions.format(h=5)))
    assert first.batch != second.batch
    assert first.batch.startswith("export@") and second.batch == f"export@{second.identity.digest[:12]}"
    assert {entry.file for entry in second.identity.files} == {"accounts", "sessions"}
    link = graph.gds.run_cypher(
        "MATCH (:Account {account_id: 'acc-1'})-[r:CONNECTED_FROM]->() RETURN r.count AS count, r.batches AS batches"
    ).to_dict("records")
    assert link == [{"count": 2, "batches": [first.batch, second.batch]}]

    again = load_batch(graph, settings, tmp_path / "n2" / "export")
    assert again.batch == second.batch and again.already_loaded
    assert again.nodes_created == again.relationships_created == again.properties_set == 0
    assert _count(graph, "(:Account)-[:CONNECTED_FROM {count: 2}]->()") == 1
    assert _count(graph, "(b:Batch)") == 2


def test_run_json_shows_the_batch_identity(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "-o", str(tmp_path)],
                                env=test_env)  # fmt: skip
    assert result.exit_code == 0, result.output
    run = json.loads((tmp_path / "run.json").read_text())
    identity = run["load"]["identity"]
    assert run["batch"] == run["load"]["batch"] == f"batch@{identity['digest'][:12]}"
    assert sorted(entry["file"] for entry in identity["files"]) == [
        "accounts", "allowlist", "bans", "payments", "prompt_similarity", "prompts", "sessions",
    ]  # fmt: skip
    assert all(len(entry["sha256"]) == 64 and entry["bytes"] > 0 for entry in identity["files"])
    assert "Run R-" in result.stdout and run["batch"] in result.stdout


def test_values_over_the_databases_limits_are_rejected_before_anything_is_written(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """A 9 kB device id or account id (over Neo4j's 8 kB index key limit) is a bad row with its line and reason;
    the rest of the batch loads, and the write never fails half-way."""
    huge = "d" * 9000
    batch = _batch(
        tmp_path / "limits",
        accounts=ACCOUNTS + f"{'a' * 9000},2026-11-23T03:00:00Z\n",
        sessions=f"account_id,ip,ts,device_id\nacc-1,198.51.100.1,2026-11-23T01:00:00Z,{huge}\n"
        "acc-2,198.51.100.2,2026-11-23T01:00:00Z,dev-ok\n",
        bans="account_id,banned_at,reason\nacc-1,2026-11-23T01:00:00Z," + "r" * 5000 + "\n",
    )
    result = load_batch(graph, settings, batch, max_reject_rate=1.0, rejects_dir=tmp_path / "rejects")
    assert {f.file: f.rows_rejected for f in result.files} == {"accounts": 1, "sessions": 1, "bans": 1}
    assert _count(graph, "(a:Account)") == 2 and _count(graph, "(d:Device)") == 1
    rows = {name: _rows(tmp_path / "rejects" / f"{name}.csv") for name in ("accounts", "sessions", "bans")}
    assert (
        rows["accounts"][0]["line"] == "4" and rows["accounts"][0]["reason"] == "account_id is longer than 1,024 bytes"
    )
    assert (
        rows["sessions"][0]["line"] == "2" and rows["sessions"][0]["reason"] == "device_id is longer than 1,024 bytes"
    )
    assert rows["bans"][0]["reason"] == "reason is longer than 4,096 bytes"
    assert len(rows["sessions"][0]["device_id"]) == 1001  # shown cut, with an ellipsis


def test_times_outside_the_configured_window_are_rejected(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    batch = _batch(
        tmp_path / "times",
        sessions="account_id,ip,ts\nacc-1,198.51.100.1,0001-01-01T00:00:00Z\nacc-1,198.51.100.1,9999-12-31T00:00:00Z\n"
        "acc-1,198.51.100.1,2026-11-23T01:00:00Z\n",
    )
    result = load_batch(graph, settings, batch, max_reject_rate=1.0, rejects_dir=tmp_path / "r")
    assert {f.file: f.rows_rejected for f in result.files}["sessions"] == 2
    reasons = [row["reason"] for row in _rows(tmp_path / "r" / "sessions.csv")]
    assert reasons == ["ts is not an ISO-8601 timestamp within 2000-01-01 … 2100-01-01"] * 2
    narrow = settings.model_copy(update={"earliest_time": settings.earliest_time.replace(year=2026, month=11, day=24)})
    with pytest.raises(InvalidBatch, match=r"rows rejected \(100\.0%, limit 5\.0%\)"):
        load_batch(graph, narrow, batch, rejects_dir=tmp_path / "r2")


def test_addresses_are_canonical_and_non_routable_ones_are_never_evidence(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    # six accounts that share a card (so their sharing of an address is corroborated) among 300 bystanders
    accounts = "account_id\n" + "".join(f"acc-{i}\n" for i in range(6)) + "".join(f"other-{i}\n" for i in range(300))
    payments = "account_id,payment_fingerprint\n" + "".join(f"acc-{i},fp_shared\n" for i in range(6))
    sessions = "account_id,ip,ts\n" + "".join(
        f"acc-{i},{ip},2026-11-23T01:00:00Z\n"
        for i in range(6)
        for ip in ("::ffff:203.0.113.10" if i % 2 else "203.0.113.10", f"fe80::1%eth{i}", "192.168.1.10", "8.8.8.8")
    )
    load_batch(graph, settings, _batch(tmp_path / "ips", accounts=accounts, payments=payments, sessions=sessions))
    ips = graph.gds.run_cypher(
        "MATCH (a:Account)-[:CONNECTED_FROM]->(i:IP)-[:IN_SUBNET]->(s:Subnet) RETURN i.address AS ip, "
        "i.routable AS routable, s.cidr AS subnet, s.routable AS subnet_routable, count(DISTINCT a) AS accounts "
        "ORDER BY ip"
    ).to_dict("records")
    assert ips == [
        {"ip": "192.168.1.10", "routable": False, "subnet": "192.168.1.0/24", "subnet_routable": False, "accounts": 6},
        {"ip": "203.0.113.10", "routable": False, "subnet": "203.0.113.0/24", "subnet_routable": False, "accounts": 6},
        {"ip": "8.8.8.8", "routable": True, "subnet": "8.8.8.0/24", "subnet_routable": True, "accounts": 6},
        {"ip": "fe80::1", "routable": False, "subnet": "fe80::/48", "subnet_routable": False, "accounts": 6},
    ]
    weigh_evidence(graph, settings, read_incidence(graph))
    weights = graph.gds.run_cypher(
        "MATCH (v) WHERE v:IP OR v:Subnet RETURN coalesce(v.address, v.cidr) AS value, v.link_weight AS w"
    ).set_index("value")["w"]
    assert weights["8.8.8.8"] > 0.9 and weights["8.8.8.0/24"] > 0.9  # six card-sharing accounts share an address
    assert all(weights[v] == 0 for v in ("192.168.1.10", "203.0.113.10", "fe80::1", "192.168.1.0/24", "fe80::/48"))


def test_every_row_rejected_fails_by_default_and_the_limit_is_checked(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    batch = _batch(tmp_path / "bad", accounts="account_id,created_at\nacc-1,yesterday\nacc-2,tomorrow\n")
    result = CliRunner().invoke(app, ["load", str(batch), "--rejects-dir", str(tmp_path / "r")], env=test_env)
    assert result.exit_code == 3, result.output
    assert "accounts.csv: 2 of 2 rows rejected (100.0%, limit 5.0%); nothing was written" in result.stderr
    assert _count(graph, "(n)") == 0
    for value in ("-1", "1.5", "nan"):
        result = CliRunner().invoke(app, ["load", str(batch), "--max-reject-rate", value], env=test_env)
        assert result.exit_code == 2 and "--max-reject-rate" in result.output, result.output
    result = CliRunner().invoke(app, ["load", str(EXAMPLE)], env={**test_env, "LINKAGE_MAX_REJECT_RATE": "1.5"})
    assert result.exit_code == 2 and "LINKAGE_MAX_REJECT_RATE='1.5'" in result.output
    result = CliRunner().invoke(app, ["load", str(EXAMPLE), "--rejects-dir", str(tmp_path / "r")],
                                env={**test_env, "LINKAGE_MAX_REJECT_RATE": "0.5"})  # fmt: skip
    assert result.exit_code == 0, result.output


def test_rejects_files_hold_no_formula_and_say_why(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    batch = _batch(
        tmp_path / "formulas",
        accounts=ACCOUNTS + "=cmd|' /C calc'!A0,not a time\n@SUM(1+1),x\n",
        bans="account_id,banned_at,reason\n,2026-11-23T01:00:00Z,=1+2\n",
    )
    load_batch(graph, settings, batch, max_reject_rate=1.0, rejects_dir=tmp_path / "r")
    accounts = _rows(tmp_path / "r" / "accounts.csv")
    assert [row["account_id"] for row in accounts] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)"]
    assert accounts[0]["reason"].startswith("created_at is not an ISO-8601 timestamp")
    bans = _rows(tmp_path / "r" / "bans.csv")
    assert bans == [{"line": "2", "reason": "empty account_id", "account_id": "", "banned_at": "2026-11-23T01:00:00Z",
                     "file_reason": "'=1+2"}]  # fmt: skip
