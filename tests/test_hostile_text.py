"""Hostile ids and values print as they are and export safely: never read as Rich markup, never a terminal's
control sequence, never a spreadsheet formula; the ban list's escaped ids read back exactly (`linkage eval`, the
run report)."""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.spreadsheet import FORMULA_PREFIXES, read_csv, write_csv

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
HOSTILE = {  # the example farm's accounts (and one of its cards), renamed
    "farm-01": "[/]",
    "farm-02": "[bold red]x",
    "farm-03": "[link=https://evil.example]click[/link]",
    "farm-04": "=cmd|' /C calc'!A0",
    "farm-05": "+1",
    "farm-06": "-2+3",
    "farm-07": "@SUM(1)",
    "farm-08": "$\\foo$",  # matplotlib's mathtext, in a picture's legend
    "fp_prepaid_77": "[/]fp77",
}
HOSTILE_IDS = [value for key, value in HOSTILE.items() if key.startswith("farm-")]
FARM = {*HOSTILE_IDS, "farm-09", "farm-10", "farm-11", "farm-12"}
WIDE = {"COLUMNS": "400"}  # a table's cells on one line each


def _hostile_batch(folder: Path) -> Path:
    """The example batch with the farm's accounts renamed, and a bad row whose id is a formula."""
    shutil.copytree(EXAMPLE, folder)
    for path in folder.iterdir():
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as stream:
            text = stream.read()
        for plain, hostile in HOSTILE.items():
            text = text.replace(plain, json.dumps(hostile)[1:-1] if path.suffix == ".jsonl" else hostile)
        if path.name == "accounts.csv":
            text += "-9,not a time,,,\n"
        with opener(path, "wt", encoding="utf-8") as stream:
            stream.write(text)
    return folder


def _cells(path: Path) -> list[dict[str, str]]:
    """A CSV's cells as a spreadsheet reads them (no type inference, no unescaping)."""
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _run(test_env: dict[str, str], tmp_path: Path) -> Path:
    """`linkage run` on the hostile batch; its output folder."""
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["run", str(_hostile_batch(tmp_path / "batch")), "-o", str(out), "--json"],
                             env=test_env)  # fmt: skip
    assert run.exit_code == 0, run.output
    return out


@pytest.mark.db
def test_hostile_ids_export_escaped_and_read_back_exactly(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    out = _run(test_env, tmp_path)

    # banlist.csv: text cells that start like a formula start with ', numbers stay numbers
    banlist = _cells(out / "banlist.csv")
    banned = {row["account_id"] for row in banlist if row["decision"] == "ban"}
    assert banned == {"'" + id_ if id_.startswith(FORMULA_PREFIXES) else id_ for id_ in FARM}
    assert all(float(row["score"]) >= 0 for row in banlist)
    clusters = _cells(out / "clusters.csv")
    assert clusters and all(float(row["score"]) >= 0 and int(row["size"]) > 0 for row in clusters)
    assert not [cell for row in banlist + clusters for cell in row.values() if cell.startswith(FORMULA_PREFIXES)]
    assert "'-9" in [row["account_id"] for row in _cells(out / "rejects" / "accounts.csv")]

    # read back exactly: `linkage eval` credits every farm account, the report lists the ids as they are
    truth = tmp_path / "truth.csv"
    pd.DataFrame({"account_id": sorted(FARM), "group": "farm_proxy_1", "kind": "coordinated", "night": 1}).to_csv(
        truth, index=False
    )
    scored = runner.invoke(app, ["eval", str(out / "banlist.csv"), str(truth), "--json"], env=test_env)
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["true_positives"] == len(FARM)
    page = (out / "report.html").read_text(encoding="utf-8")
    embedded = re.search(r'<script type="application/json" id="banlist-data">(.*?)</script>', page, re.DOTALL)
    assert embedded is not None
    assert {row["account_id"] for row in json.loads(embedded.group(1)) if row["decision"] == "ban"} == FARM


@pytest.mark.db
def test_hostile_ids_print_as_they_are(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    """Each id as it is in explain's title and fields, among the values it shares, in a saved query's table and in
    the line that says where its picture is; never read as markup (`[/]` was a MarkupError traceback, `[bold
    red]x` printed as `x`, `[link=…]` a hyperlink) nor as mathtext in a picture."""
    runner = CliRunner()
    out = _run(test_env, tmp_path)
    cluster = next(row["cluster_id"] for row in _cells(out / "banlist.csv") if row["decision"] == "ban")
    explained = {account: runner.invoke(app, ["explain", "--", account], env={**test_env, **WIDE})
                 for account in HOSTILE_IDS}  # fmt: skip
    for account, result in explained.items():
        assert result.exit_code == 0, (account, result.output)
        assert f"Account {account}" in result.stdout and f"│ {account} " in result.stdout
    assert "│ [/]fp77 " in explained["[/]"].stdout  # its card, among the values it shares
    members = runner.invoke(app, ["query", "run", "cluster_members", "-p", f"cluster_id={cluster}"],
                            env={**test_env, **WIDE})  # fmt: skip
    assert members.exit_code == 0, members.output
    assert all(f"│ {account} " in members.stdout for account in HOSTILE_IDS), members.stdout
    drawn = runner.invoke(app, ["explain", "$\\foo$", "--picture", str(tmp_path / "foo.svg")], env=test_env)
    assert drawn.exit_code == 0, drawn.output
    assert "Account $\\foo$ drawn in" in drawn.stderr and (tmp_path / "foo.svg").stat().st_size > 0


@pytest.mark.db
def test_control_characters_from_the_graph_are_shown_never_sent_to_the_terminal(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """A value holding terminal control sequences (a hyperlink, a screen clear, a carriage return that hides what
    precedes it) prints with them written out; JSON output escapes them as JSON does."""
    hostile = "\x1b]8;;http://x\x07y\x1b[2J\rz"
    graph.gds.run_cypher("CREATE (:Account {account_id: $id})", {"id": hostile})
    path = tmp_path / "ids.cypher"
    path.write_text("// Every account id.\n// Parameters: none\nMATCH (a:Account) RETURN a.account_id AS id\n")
    runner = CliRunner()
    table = runner.invoke(app, ["query", "run", str(path)], env={**test_env, **WIDE})
    assert table.exit_code == 0, table.output
    assert r"\x1b]8;;http://x\x07y\x1b[2J\rz" in table.stdout
    explained = runner.invoke(app, ["explain", hostile], env={**test_env, **WIDE})
    assert explained.exit_code == 0, explained.output
    assert r"Account \x1b]8;;http://x\x07y\x1b[2J\rz" in explained.stdout
    for printed in (table.output, explained.output):
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", printed), repr(printed)
    as_json = runner.invoke(app, ["query", "run", str(path), "--json"], env=test_env)
    assert json.loads(as_json.stdout) == [{"id": hostile}]


def test_csv_cells_escape_text_not_numbers_and_read_back_exactly(tmp_path: Path) -> None:
    """Text that starts like a formula (or with the quote itself) gets a leading ', numbers stay numbers (a
    negative score is no formula), and reading undoes exactly that; an id named NA stays text."""
    texts = ["=1+2", "+1", "-2+3", "@SUM(1)", "\tx", "\rx", "'quoted", "plain", "NA", "", "-"]
    frame = pd.DataFrame({"account_id": texts, "score": [-0.5, *range(len(texts) - 1)]})
    path = tmp_path / "cells.csv"
    write_csv(frame, path)
    cells = _cells(path)
    assert [row["account_id"] for row in cells] == [
        "'=1+2", "'+1", "'-2+3", "'@SUM(1)", "'\tx", "'\rx", "''quoted", "plain", "NA", "", "'-"
    ]  # fmt: skip
    assert cells[0]["score"] == "-0.5"
    back = read_csv(path, dtype={"account_id": str})
    assert back["account_id"].fillna("").tolist() == texts and back["score"].tolist() == frame["score"].tolist()
