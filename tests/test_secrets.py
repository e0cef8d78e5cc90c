"""Secrets and personal data: planted in a night's export and the environment, found nowhere they must not be.

Planted: the database password (given as NEO4J_PASSWORD), a LINKAGE_HASH_KEY, e-mail addresses, raw card numbers
(in the payments file, and inside prompts) and personal phrases inside prompts. Searched: every property of every
node and relationship, every file the commands wrote (outputs, rejects), every log under LINKAGE_HOME and every
``--help`` and ``--json`` (and table) text of the commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import localdb
from linkage.cli import app
from linkage.graph import Graph
from linkage.settings import Settings

pytestmark = pytest.mark.db

HASH_KEY = "hash-key-MARKER-7f3a9c"
EMAILS = ["zq.marker.alice+news@gmail.com", "zqmarkeralice@gmail.com", "bob.zqmarker@example.org"]
CARDS = ["4000056655665556", "4000 0566 5566 5556", "5555555555554444"]
PHRASES = ["my grandmother zqvelt lives at", "purple okapi zqmarker"]
TEMPLATE = "Think step by step and show all your reasoning before the final answer. Question: {q}"


def _markers(password: str) -> list[str]:
    local_parts = ["zq.marker.alice", "zqmarkeralice", "bob.zqmarker"]
    return [password, HASH_KEY, *EMAILS, *local_parts, *CARDS, *PHRASES]


def _batch(folder: Path) -> Path:
    """Ten accounts of a farm (shared card, IP, template) and three of people whose data is planted."""
    folder.mkdir()
    farm = [f"farm-{i:02d}" for i in range(10)]
    people = ["person-a", "person-b", "person-c"]
    accounts = ["account_id,created_at,email,country"]
    accounts += [f"{a},2026-11-23T01:{i:02d}:00Z,f{i}@mailinator.com,US" for i, a in enumerate(farm)]
    accounts += [f"{a},2026-10-01T10:00:00Z,{email},DE" for a, email in zip(people, EMAILS, strict=True)]
    (folder / "accounts.csv").write_text("\n".join(accounts) + "\n")
    payments = ["account_id,payment_fingerprint"]
    payments += [f"{a},fp_farm_card" for a in farm] + [f"{a},{card}" for a, card in zip(people, CARDS, strict=True)]
    (folder / "payments.csv").write_text("\n".join(payments) + "\n")
    sessions = ["account_id,ip,ts,device_id"]
    sessions += [f"{a},203.0.113.{i % 3 + 20},2026-11-23T02:{i:02d}:00Z,dev-farm" for i, a in enumerate(farm)]
    (folder / "sessions.csv").write_text("\n".join(sessions) + "\n")
    prompts = ["account_id,ts,prompt,output_tokens"]
    for i, account in enumerate(farm):
        for j in range(8):
            question = f"prove that {i * 8 + j} is prime; mail {EMAILS[0]} and bill {CARDS[0]}"
            prompts.append(f'{account},2026-11-23T03:{j:02d}:00Z,"{TEMPLATE.format(q=question)}",1800')
    for account, phrase in zip(people, PHRASES * 2, strict=False):
        prompts.append(f'{account},2026-11-23T04:00:00Z,"Help me write a letter: {phrase} the old mill",200')
    (folder / "prompts.csv").write_text("\n".join(prompts) + "\n")
    return folder


def _graph_text(graph: Graph) -> str:
    rows = graph.gds.run_cypher("MATCH (n) RETURN labels(n) AS l, properties(n) AS p").to_dict("records")
    rows += graph.gds.run_cypher("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p").to_dict("records")
    return json.dumps(rows, default=str)


def _help_texts(env: dict[str, str]) -> list[str]:
    texts = []
    command = get_command(app)
    paths = [[]] + [[name] for name in command.commands]  # type: ignore[attr-defined]
    paths += [[group, name] for group, sub in command.commands.items()  # type: ignore[attr-defined]
              if hasattr(sub, "commands") for name in sub.commands]  # fmt: skip
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], env=env)
        assert result.exit_code == 0, (path, result.output)
        texts.append(result.output)
    return texts


def test_planted_secrets_and_personal_data_are_found_nowhere(
    graph: Graph, database: Settings, test_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = localdb.password(database.localdb)
    assert password is not None
    env = {**test_env, "NEO4J_URI": database.localdb.uri, "NEO4J_PASSWORD": password, "LINKAGE_HASH_KEY": HASH_KEY}
    batch = _batch(tmp_path / "night")
    out = tmp_path / "out"
    monkeypatch.chdir(out.parent)  # where commands write rejects/ by default: searched too
    runner = CliRunner()
    texts: list[str] = []
    for command in (
        ["run", str(batch), "--output", str(out), "--json", "--max-reject-rate", "1"],
        ["run", str(batch), "--output", str(out / "table"), "--max-reject-rate", "1"],
        ["load", str(batch), "--json", "--max-reject-rate", "1", "--rejects-dir", str(out / "load-rejects")],
        ["load", str(batch)],  # refused: more bad rows than the default limit
        ["explain", "person-a", "--json"], ["explain", "farm-01"],
        ["query", "run", "template_families", "--json"], ["query", "run", "top_clusters"],
        ["query", "run", "explain_account", "-p", "account_id=person-b", "--json"],
        ["banlist", "--output", str(out / "banlist-export.csv"), "--json"],
        ["db", "status", "--json"], ["query", "list", "--json"],
        ["similarity", str(batch), "--json"],
    ):  # fmt: skip
        result = runner.invoke(app, command, env=env)
        assert result.exit_code in (0, 3), (command, result.output)
        texts.append(result.output)
    assert (out / "run.json").exists() and (out / "rejects" / "payments.csv").exists()
    families = graph.gds.run_cypher("MATCH (f:TemplateFamily) RETURN f.example AS example")["example"].tolist()
    assert families and "<" in families[0]  # the farm's prompts made a family, whose example is redacted

    files = [path for path in tmp_path.rglob("*") if path.is_file() and batch not in path.parents]
    logs = [path for path in database.localdb.root.rglob("*.log") if path.is_file()]
    logs += [path for path in (database.localdb.root / "neo4j" / "logs").rglob("*") if path.is_file()]
    assert any(path.name == "debug.log" for path in logs) and len(files) >= 6
    haystacks = {"graph": _graph_text(graph), **{f"output {t[:60]!r}": t for t in texts}}
    haystacks |= {f"--help {i}": text for i, text in enumerate(_help_texts(env))}
    haystacks |= {str(path): path.read_bytes().decode("utf-8", errors="replace") for path in files + logs}
    for marker in _markers(password):
        found = [where for where, text in haystacks.items() if marker.lower() in text.lower()]
        assert found == [], f"{marker!r} found in {found}"
    assert "************5556" in (out / "rejects" / "payments.csv").read_text()  # masked, to its last four digits
