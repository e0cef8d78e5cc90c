"""Loading batches into the real database: counts, idempotency, later nights, bad input, privacy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph, WriteCounts
from linkage.settings import Settings
from loaders import InvalidBatch, bulk, load_batch
from localdb import LocalDbError

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
INJECTION = "x'}) DETACH DELETE (n) //"

DUMP_NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
DUMP_RELS = (
    "MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
    "coalesce(a.account_id, a.address, a.rule) AS source, "
    "coalesce(b.fingerprint, b.address, b.cidr, b.device_id, b.domain, b.org_id, b.account_id) AS target"
)


def _dump(graph: Graph) -> list[str]:
    """Every node and relationship with its properties (but the time a batch was recorded as loaded)."""
    rows = graph.gds.run_cypher(DUMP_NODES).to_dict("records") + graph.gds.run_cypher(DUMP_RELS).to_dict("records")
    for row in rows:
        row["props"].pop("loaded_at", None)
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def _count(graph: Graph, pattern: str) -> int:
    return int(graph.gds.run_cypher(f"MATCH {pattern} RETURN count(*) AS n")["n"][0])


def _load(graph: Graph, settings: Settings, batch: Path, tmp_path: Path, **options: object):
    """Load ``batch``; the example's few bad rows are more than the default limit's share of so small a file."""
    options = {"max_reject_rate": 1.0, **options}
    return load_batch(graph, settings, batch, rejects_dir=tmp_path / "rejects", **options)  # type: ignore[arg-type]


def test_example_batch_round_trip(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    result = _load(graph, settings, EXAMPLE, tmp_path)
    by_file = {f.file: f for f in result.files}
    assert (by_file["accounts"].rows_read, by_file["accounts"].rows_rejected) == (328, 1)
    assert (by_file["payments"].rows_read, by_file["payments"].rows_rejected) == (325, 1)
    assert (by_file["sessions"].rows_read, by_file["sessions"].rows_rejected) == (651, 2)
    assert _count(graph, "(a:Account)") == 328  # 327 valid rows + farm-00 from the bans file
    assert _count(graph, "(:Account)-[:PAID_WITH]->(:PaymentMethod)") == 324
    assert _count(graph, "(:PaymentMethod)") == 312  # the org's, the family's, two prepaid, 8 students', 300 users'
    # acme's 3 seats on one NAT IP, the family on one, 12 farm accounts on 3 proxies each, 8 students on one, 300
    # users on two home IPs each
    assert _count(graph, "(:Account)-[:CONNECTED_FROM]->(:IP)") == 3 + 2 + 36 + 8 + 600
    assert _count(graph, "(:IP)-[:IN_SUBNET]->(:Subnet {cidr: '2001:db8:1234::/48'})") == 1
    # 22 valid rows of farm pairs, one of them given twice (farm-02,farm-01 and farm-01,farm-02): 21 links
    assert _count(graph, "(:Account)-[:SIMILAR_PROMPTS {source: 'batch'}]->(:Account)") == 21
    assert _count(graph, "(:Account {account_id: 'farm-00', banned: true})") == 1
    assert _count(graph, "(:Org {org_id: 'org-acme', allowlisted: true})") == 1
    assert _count(graph, "(:IP {address: '198.51.100.7', allowlisted: true})") == 1  # inside an allowlisted CIDR
    assert _count(graph, "(:EmailDomain {domain: 'mailinator.com', disposable: true})") == 1
    assert _count(graph, "(:EmailDomain {domain: 'example.net', disposable: false})") == 1
    visits = graph.gds.run_cypher(
        "MATCH (:Account {account_id: 'farm-01'})-[r:CONNECTED_FROM]->(:IP {address: '45.141.215.10'})"
        " RETURN r.count AS n"
    )
    assert visits["n"].tolist() == [1]


def test_loading_twice_leaves_the_graph_identical(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    _load(graph, settings, EXAMPLE, tmp_path)
    first = _dump(graph)
    second_result = _load(graph, settings, EXAMPLE, tmp_path)
    assert _dump(graph) == first
    assert second_result.nodes_created == 0 and second_result.relationships_created == 0


def test_a_later_night_adds_and_updates(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    night1 = _load(graph, settings, EXAMPLE, tmp_path).batch
    night2 = tmp_path / "night2"
    night2.mkdir()
    (night2 / "accounts.csv").write_text("account_id,created_at\nnew-01,2026-11-24T01:00:00Z\n")
    (night2 / "sessions.csv").write_text(
        "account_id,ip,ts,device_id\n"
        "farm-01,45.141.215.10,2026-11-24T05:00:00Z,dev-farm-vm\n"
        "farm-01,45.141.215.10,2026-11-24T06:00:00Z,dev-farm-vm\n"
        "new-01,45.141.215.10,2026-11-24T07:00:00Z,\n"
    )
    second = _load(graph, settings, night2, tmp_path).batch
    _load(graph, settings, night2, tmp_path)  # a re-run of the same night counts nothing twice
    link = graph.gds.run_cypher(
        "MATCH (:Account {account_id: 'farm-01'})-[r:CONNECTED_FROM]->(:IP {address: '45.141.215.10'})"
        " RETURN r.count AS count, toString(r.last_seen) AS last, toString(r.first_seen) AS first, r.batches AS b"
    ).to_dict("records")[0]
    assert link["count"] == 3
    assert link["last"].startswith("2026-11-24T06:00") and link["first"].startswith("2026-11-23T02:10")
    assert link["b"] == [night1, second]
    accounts = graph.gds.run_cypher(
        "MATCH (a:Account) WHERE a.account_id IN ['new-01', 'farm-01']"
        " RETURN a.account_id AS id, a.first_batch AS first, a.last_batch AS last ORDER BY id"
    ).to_dict("records")
    assert accounts == [
        {"id": "farm-01", "first": night1, "last": night1},
        {"id": "new-01", "first": second, "last": second},
    ]


def test_raw_emails_and_card_numbers_never_reach_the_graph(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    _load(graph, settings, EXAMPLE, tmp_path)
    text = "\n".join(_dump(graph)).lower()
    for secret in ["alice.smith", "alice", "4111111111111111", "4111 1111 1111 1111", "user0001@", "lentils"]:
        assert secret not in text
    rejects = (tmp_path / "rejects" / "payments.csv").read_text()
    assert "************1111" in rejects and "4111 1111" not in rejects
    hashed = graph.gds.run_cypher("MATCH (a:Account {account_id: 'acme-01'}) RETURN a.email_hash AS h")["h"][0]
    assert len(hashed) == 64


def test_integer_ids_are_one_account_whatever_the_file(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    """A Parquet int64 account_id with a null was read through floats ("100.0" there, "100" in the payments file: a
    phantom account each) and ids above 2^53 collapsed into one; JSON Lines integers are the same ids too."""
    batch = tmp_path / "night"
    batch.mkdir()
    big = 2**53
    ids = [100, 101, big, big + 1, None]
    created = ["2026-11-23T01:00:00Z"] * len(ids)
    pq.write_table(
        pa.table({"account_id": pa.array(ids, pa.int64()), "created_at": created}), batch / "accounts.parquet"
    )
    (batch / "payments.csv").write_text(
        f"account_id,payment_fingerprint\n100,fp_a\n101,fp_a\n{big},fp_b\n{big + 1},fp_b\n"
    )
    sessions = [{"account_id": i, "ip": "203.0.113.7", "ts": "2026-11-23T02:00:00Z"} for i in (100, big + 1)]
    (batch / "sessions.jsonl").write_text("".join(json.dumps(row) + "\n" for row in sessions))
    result = _load(graph, settings, batch, tmp_path)
    assert {f.file: f.rows_rejected for f in result.files} == {"accounts": 1, "payments": 0, "sessions": 0}
    accounts = graph.gds.run_cypher("MATCH (a:Account) RETURN a.account_id AS id ORDER BY id")["id"].tolist()
    assert accounts == sorted(["100", "101", str(big), str(big + 1)])
    assert _count(graph, "(:Account)-[:PAID_WITH]->(:PaymentMethod)") == 4
    assert _count(graph, "(:Account)-[:CONNECTED_FROM]->(:IP)") == 2


def test_injection_strings_are_stored_verbatim(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    _load(graph, settings, EXAMPLE, tmp_path)
    found = graph.gds.run_cypher("MATCH (a:Account {account_id: $id}) RETURN a.account_id AS id", {"id": INJECTION})
    assert found["id"].tolist() == [INJECTION]
    assert _count(graph, "(a:Account)") == 328


def _broken_copy(tmp_path: Path, name: str, content: str) -> Path:
    batch = tmp_path / "broken"
    shutil.copytree(EXAMPLE, batch)
    for old in batch.glob(f"{name}.*"):
        old.unlink()
    (batch / f"{name}.csv").write_text(content)
    return batch


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("sessions", "account_id,ip,ts\na,1.2.3.4,2026-01-01\nb,1.2.3.4,2026-01-01,extra\n", "line 3, column 4"),
        ("payments", "account_id,method_type\na,card\n", "missing required column(s): payment_fingerprint"),
        ("accounts", "", "line 1: the file is empty"),
    ],
)
def test_structural_error_writes_nothing_and_exits_3(
    graph: Graph, test_env: dict[str, str], tmp_path: Path, name: str, content: str, expected: str
) -> None:
    batch = _broken_copy(tmp_path, name, content)
    result = CliRunner().invoke(app, ["load", str(batch), "--rejects-dir", str(tmp_path / "r"), "--max-reject-rate",
                                      "1"], env=test_env)  # fmt: skip
    assert result.exit_code == 3, result.output
    assert expected in result.output and f"{name}.csv" in result.output
    assert "Traceback" not in result.output
    assert _count(graph, "(n)") == 0


def test_reject_rate_limit_fails_before_writing(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(InvalidBatch, match=r"accounts\.csv: 1 of 328 rows rejected \(0\.3%, limit 0\.2%\)"):
        _load(graph, settings, EXAMPLE, tmp_path, max_reject_rate=0.002)
    assert _count(graph, "(n)") == 0


def test_missing_hash_key_is_a_clear_error(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    env = {**test_env, "LINKAGE_HASH_KEY": "", "LINKAGE_DEMO": "0"}
    result = CliRunner().invoke(app, ["load", str(EXAMPLE), "--rejects-dir", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert "LINKAGE_HASH_KEY" in result.output and "Traceback" not in result.output
    assert _count(graph, "(n)") == 0


def test_load_json_summary(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    command = ["load", str(EXAMPLE), "--json", "--rejects-dir", str(tmp_path)]
    result = CliRunner().invoke(app, command, env=test_env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["batch"] == f"batch@{summary['identity']['digest'][:12]}"
    assert {f["file"]: f["rows_rejected"] for f in summary["files"]}["prompts"] == 1


def _awkward_batch(tmp_path: Path) -> Path:
    """Values the import files must carry verbatim: quotes, commas, newlines, a Cypher injection, an empty org,
    an account only payments and sessions name, one card seen twice (its country given only the first time)."""
    batch = tmp_path / "awkward"
    batch.mkdir()
    ids = ['q"uote', "com,ma", "new\nline", INJECTION]
    pd.DataFrame({
        "account_id": ids, "created_at": ["2026-11-01T10:00:00.123456Z", "", "2026-11-02T00:00:00+02:00", ""],
        "email": ["A.B+x@Gmail.com", "", "c@mailinator.com", "d@example.org"], "country": ["de", "", "FR", ""],
        "org_id": ["org,1", "", "", 'org"2'],
    }).to_parquet(batch / "accounts.parquet")  # fmt: skip
    pd.DataFrame({
        "account_id": [*ids, "unlisted-1"], "payment_fingerprint": ["fp1", "fp1", "fp,2", "fp3", "fp3"],
        "method_type": ["card", "", "card", "", "wallet"], "card_country": ["US", "", "", "GB", ""],
        "first_seen": ["2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z", "", "", "2026-11-03T00:00:00Z"],
    }).to_parquet(batch / "payments.parquet")  # fmt: skip
    pd.DataFrame({
        "account_id": [ids[0], ids[0], ids[1], ids[2], "unlisted-1", "unlisted-2"],
        "ip": ["10.0.0.1", "10.0.0.1", "2001:db8::1", "10.0.0.2", "10.0.0.1", "198.51.100.7"],
        "ts": ["2026-11-01T01:00:00.999Z", "2026-11-01T03:00:00Z", "2026-11-01T02:00:00Z", "2026-11-01T04:00:00Z",
               "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z"],
        "device_id": ["d1", "d1", "", "d,2", "d1", "d3"],
    }).to_parquet(batch / "sessions.parquet")  # fmt: skip
    for name in ("allowlist.csv", "bans.csv", "prompt_similarity.csv"):
        shutil.copy(EXAMPLE / name, batch / name)
    return batch


@pytest.mark.parametrize("make_batch", [lambda _: EXAMPLE, _awkward_batch], ids=["example", "awkward"])
def test_an_initial_load_writes_the_graph_the_cypher_path_writes(
    graph: Graph, settings: Settings, tmp_path: Path, make_batch: Callable[[Path], Path]
) -> None:
    batch = make_batch(tmp_path)
    by_cypher = _load(graph, settings, batch, tmp_path)
    expected = _dump(graph)
    graph.reset()
    imported = _load(graph, settings, batch, tmp_path, initial=True)
    assert _dump(graph) == expected
    assert (imported.nodes_created, imported.relationships_created) == (
        by_cypher.nodes_created,
        by_cypher.relationships_created,
    )
    assert _count(graph, "(:Account)-[:CONNECTED_FROM]->(:IP)") > 0
    # the schema is back, and the Cypher path takes over: loading the same batch again changes nothing
    constraints = graph.gds.run_cypher("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")["n"][0]
    assert constraints >= 12
    again = _load(graph, settings, batch, tmp_path)
    assert _dump(graph) == expected
    assert again.nodes_created == 0 and again.relationships_created == 0


def test_an_initial_load_refuses_a_database_that_holds_data(
    graph: Graph, test_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    _load(graph, settings, EXAMPLE, tmp_path)
    before = _dump(graph)
    command = ["load", str(EXAMPLE), "--initial", "--rejects-dir", str(tmp_path)]
    result = CliRunner().invoke(app, command, env=test_env)
    assert result.exit_code == 1, result.output
    assert "only into an empty database" in result.output and "Traceback" not in result.output
    assert _dump(graph) == before


def test_a_failed_import_leaves_the_database_empty_running_and_with_its_schema(
    graph: Graph, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The importer fails half-way (a string column's offsets run past its bytes): the error names the log, the
    half-written store is gone, and the database is back, empty, with its constraints."""
    folder = tmp_path / "columns"
    folder.mkdir()
    np.arange(3, dtype=np.int64).tofile(folder / "ids")
    np.array([0, 1, 2, 99], dtype=np.int64).tofile(folder / "names.offsets")
    (folder / "names.data").write_bytes(b"abc")
    manifest = folder / "manifest.tsv"
    manifest.write_text("part\tnodes\tAccount\t3\ncolumn\t:id\tlong\tids\ncolumn\taccount_id\tstring\tnames\n")
    monkeypatch.setattr(bulk, "write_columns", lambda *_: (manifest, WriteCounts()))
    with pytest.raises(LocalDbError, match=r"localdb-import\.log"):
        _load(graph, settings, EXAMPLE, tmp_path, initial=True)
    assert _count(graph, "(n)") == 0
    assert graph.gds.run_cypher("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")["n"][0] >= 12
    _load(graph, settings, EXAMPLE, tmp_path)
    assert _count(graph, "(a:Account)") == 328
