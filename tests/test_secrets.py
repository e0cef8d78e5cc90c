"""Secrets and personal data: planted in a night's export and the environment, found nowhere they must not be.

Planted: the database password (given as NEO4J_PASSWORD), a LINKAGE_HASH_KEY, e-mail addresses, raw card numbers
(in the payments file, and inside prompts) and personal phrases inside prompts. Searched: every property of every
node and relationship, every file the commands wrote (outputs, rejects), every log under LINKAGE_HOME and every
``--help`` and ``--json`` (and table) text of the commands. Then the same with hostile files: card numbers in every
spelling and e-mails in every column, in CSV, JSON Lines and Parquet, in rows that are rejected, in prompts, in
shifted CSV columns and in values of the wrong type.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.main import get_command
from typer.testing import CliRunner

import localdb
from linkage.cli import app
from linkage.graph import Graph
from linkage.settings import Settings
from tests.personal_data import ADDRESSES, CARD_NUMBERS, SPELLINGS, WIDE_EMAIL, found_in, graph_text

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


def _logs(settings: Settings) -> list[Path]:
    """Every log under LINKAGE_HOME: the launcher's, the importer's and Neo4j's."""
    logs = [path for path in settings.localdb.root.rglob("*.log") if path.is_file()]
    return logs + [path for path in (settings.localdb.root / "neo4j" / "logs").rglob("*") if path.is_file()]


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
    logs = _logs(database)
    assert any(path.name == "debug.log" for path in logs) and len(files) >= 6
    haystacks = {"graph": graph_text(graph), **{f"output {t[:60]!r}": t for t in texts}}
    haystacks |= {f"--help {i}": text for i, text in enumerate(_help_texts(env))}
    haystacks |= {str(path): path.read_bytes().decode("utf-8", errors="replace") for path in files + logs}
    for marker in _markers(password):
        found = [where for where, text in haystacks.items() if marker.lower() in text.lower()]
        assert found == [], f"{marker!r} found in {found}"
    assert "************5556" in (out / "rejects" / "payments.csv").read_text()  # masked, to its last four digits


# --- hostile files ------------------------------------------------------------------------------------------------

T = "2026-11-23T01:00:00Z"


def _night_rows(kind: str) -> dict[str, list[dict[str, Any]]]:
    """A small night whose valid rows are harmless and whose bad rows (and prompts) carry the planted data."""
    ids = [f"{kind}-a{i}" for i in range(4)]
    accounts: list[dict[str, Any]] = [
        {"account_id": a, "created_at": T, "email": ADDRESSES[i % 3], "country": "US", "org_id": ""}
        for i, a in enumerate(ids)
    ]
    accounts += [
        {"account_id": ADDRESSES[0], "created_at": T, "email": "", "country": "USA", "org_id": ""},
        {"account_id": SPELLINGS[1], "created_at": "never", "email": "", "country": "", "org_id": ""},
        {"account_id": f"{kind}-b1", "created_at": T, "email": WIDE_EMAIL, "country": "", "org_id": ""},
        {"account_id": f"{kind}-b2", "created_at": T, "email": "", "country": "USA", "org_id": ADDRESSES[1]},
        {"account_id": f"{kind}-b3", "created_at": T, "email": "", "country": "USA", "org_id": WIDE_EMAIL},
    ]
    payments: list[dict[str, Any]] = [{"account_id": a, "payment_fingerprint": "fp_shared_zq", "method_type": "card",
                                       "card_country": "US"} for a in ids]  # fmt: skip
    payments += [{"account_id": ids[1], "payment_fingerprint": s, "method_type": "card", "card_country": "US"}
                 for s in SPELLINGS]  # fmt: skip
    payments += [
        {"account_id": ids[2], "payment_fingerprint": f"card {SPELLINGS[0]} exp 12/29", "method_type": "card",
         "card_country": "US"},
        {"account_id": ADDRESSES[2], "payment_fingerprint": "fp_x", "method_type": SPELLINGS[3],
         "card_country": "USA"},
    ]  # fmt: skip
    sessions: list[dict[str, Any]] = [
        {"account_id": a, "ip": f"203.0.113.{i}", "ts": T, "user_agent": "Mozilla", "device_id": "dev-zq"}
        for i, a in enumerate(ids)
    ]
    sessions += [
        {"account_id": ids[0], "ip": "bad", "ts": T, "user_agent": f"ua {SPELLINGS[4]}",
         "device_id": ADDRESSES[0]},
        {"account_id": ids[0], "ip": "203.0.113.9", "ts": "never", "user_agent": WIDE_EMAIL,
         "device_id": SPELLINGS[8]},
    ]  # fmt: skip
    prompts: list[dict[str, Any]] = [
        {"account_id": a, "ts": T, "prompt": f"Please bill {s} and mail {ADDRESSES[i % 3]} today", "model": "m1",
         "output_tokens": 100} for i, (a, s) in enumerate(zip(ids * 10, SPELLINGS, strict=False))
    ]  # fmt: skip
    prompts += [{"account_id": ids[0], "ts": "never", "prompt": f"card {SPELLINGS[2]} for {ADDRESSES[1]}",
                 "model": ADDRESSES[2], "output_tokens": 5}]  # fmt: skip
    return {"accounts": accounts, "payments": payments, "sessions": sessions, "prompts": prompts}


def _write_night(folder: Path, kind: str) -> Path:
    """The night's files in one format; CSV starts each file with a byte order mark, JSON Lines gives one card
    number as a JSON integer (an id's exact digits: rejected as a card all the same)."""
    folder.mkdir()
    for name, rows in _night_rows(kind).items():
        if kind == "csv":
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            (folder / f"{name}.csv").write_text("\ufeff" + text.getvalue(), encoding="utf-8")
        elif kind == "jsonl":
            if name == "payments":
                rows = [*rows, {"account_id": f"{kind}-a3", "payment_fingerprint": int(CARD_NUMBERS[0])}]
            lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
            (folder / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")
        else:
            pq.write_table(pa.Table.from_pylist(rows), folder / f"{name}.parquet")
    return folder


def _failing_nights(folder: Path) -> dict[str, Path]:
    """Nights whose files fail as a whole (exit 3), each with planted data in what fails: shifted CSV columns
    (a trailing comma; an unquoted comma in a prompt), JSON and Parquet values of the wrong type."""
    nights = {}

    def night(name: str, files: dict[str, str | pa.Table]) -> None:
        path = folder / name
        path.mkdir()
        for file, content in files.items():
            if isinstance(content, pa.Table):
                pq.write_table(content, path / file)
            else:
                (path / file).write_text(content, encoding="utf-8")
        nights[name] = path

    accounts = "account_id,created_at,email\n" + "".join(f"s{i},{T},{e},\n" for i, e in enumerate(ADDRESSES))
    night("shifted-accounts", {"accounts.csv": accounts})
    prompt = f"s1,{T},mail {ADDRESSES[0]}, card {SPELLINGS[0]},m1\n"
    night(
        "shifted-prompt", {"accounts.csv": "account_id\ns1\n", "prompts.csv": f"account_id,ts,prompt,model\n{prompt}"}
    )
    night("json-object", {"accounts.jsonl": json.dumps({"account_id": "j1", "email": {"raw": ADDRESSES[1]}})})
    float_card = json.dumps({"account_id": "j1", "payment_fingerprint": float(CARD_NUMBERS[0])})
    night("json-float-card", {"accounts.jsonl": '{"account_id": "j1"}\n', "payments.jsonl": float_card})
    struct = pa.array([{"raw": ADDRESSES[2], "card": SPELLINGS[9]}])
    night("parquet-struct", {"accounts.parquet": pa.table({"account_id": ["p1"], "email": struct})})
    floats = pa.table({"account_id": ["p1"], "payment_fingerprint": [float(CARD_NUMBERS[1])]})
    night("parquet-float-card", {"accounts.csv": "account_id\np1\n", "payments.parquet": floats})
    return nights


def test_personal_data_in_hostile_files_is_found_nowhere(
    graph: Graph, database: Settings, test_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**test_env, "LINKAGE_HASH_KEY": HASH_KEY}
    nights_dir = tmp_path / "nights"
    nights_dir.mkdir()
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    texts: list[str] = []
    for kind in ("csv", "jsonl", "parquet"):
        night = _write_night(nights_dir / kind, kind)
        result = runner.invoke(app, ["run", str(night), "--output", str(out / kind), "--json", "--max-reject-rate",
                                     "1"], env=env)  # fmt: skip
        assert result.exit_code == 0, (kind, result.output)
        texts += [result.output, result.stderr]
        summary = json.loads(result.stdout)
        assert {f["file"]: f["rows_rejected"] for f in summary["summary"]["load"]["files"]} == {
            "accounts": 5, "payments": len(SPELLINGS) + 2 + (kind == "jsonl"), "sessions": 2, "prompts": 1,
        }, kind  # fmt: skip
        rejects = {name: (out / kind / "rejects" / f"{name}.csv").read_text() for name in ("accounts", "payments")}
        assert "z***@example.org" in rejects["accounts"] and "************6467" in rejects["payments"]
        assert "***@example.net" in rejects["accounts"]  # the full-width at sign is an address all the same
    for name, night in _failing_nights(nights_dir).items():
        result = runner.invoke(app, ["run", str(night), "--output", str(out / name), "--json"], env=env)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.exit_code == 3 and len(errors) == 1 and str(night) in errors[0], (name, result.output)
        texts += [result.output, result.stderr]
    assert graph.gds.run_cypher("MATCH (p:PaymentMethod) RETURN collect(p.fingerprint) AS f")["f"][0] == [
        "fp_shared_zq"
    ]
    assert graph.gds.run_cypher("MATCH (a:Account) RETURN count(a) AS n")["n"][0] == 12  # 4 accounts a night

    files = [path for path in tmp_path.rglob("*") if path.is_file() and nights_dir not in path.parents]
    assert len([path for path in files if path.parent.name == "rejects"]) == 12
    haystacks = {"graph": graph_text(graph), **{f"output {i}": t for i, t in enumerate(texts)}}
    haystacks |= {str(path): path.read_bytes().decode("utf-8", errors="replace") for path in files + _logs(database)}
    found = {where: found_in(text) for where, text in haystacks.items()}
    assert {where: markers for where, markers in found.items() if markers} == {}
