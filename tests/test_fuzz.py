"""Fuzzing the loaders (hypothesis) through the real ``load_batch`` into the real database, and through the CLI.

Every kind of file gets random bytes, other encodings, huge fields, missing and extra columns, Cypher injection in
every field, NaN, infinities, negative and fractional counts, duplicate ids, in CSV, JSON Lines and Parquet. Whatever
arrives: no exception but a :class:`LinkageError` (the CLI: exit 0 or 3, never a traceback), a file that fails
writes nothing, and what is written respects the database's limits. Each test prints how many cases it ran (and
fails if hypothesis ran fewer than asked).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from linkage.cli import app
from linkage.errors import LinkageError
from linkage.graph import Graph
from linkage.settings import Settings
from loaders import contract, load_batch
from loaders.contract import MAX_KEY_BYTES, MAX_TEXT_BYTES

pytestmark = pytest.mark.db

LIBRARY_CASES = 150
CLI_CASES = 20
INJECTIONS = [
    "x'}) DETACH DELETE (n) //", '"}) MATCH (n) DETACH DELETE n //', "$rows", "`; DROP CONSTRAINT account_id`",
    "\\u0027 OR 1=1", "{batch}", "' + $batch + '", "CALL dbms.shutdown()", "LOAD CSV FROM 'file:///etc/passwd' AS l",
]  # fmt: skip
SPECIAL = ["", " ", "NaN", "nan", "inf", "-inf", "Infinity", "1e23", "12.7", "-1", "-0", "0", "9" * 30, "null",
           "None", "=1+2", "\r", "\n", "\t", '"', ",", "\x00", "é", "\ufeff", "0001-01-01T00:00:00Z",
           "9999-12-31T23:59:59Z", "::ffff:203.0.113.10", "fe80::1%eth0", "4111 1111 1111 1111"]  # fmt: skip
PLAUSIBLE = {
    "account_id": st.sampled_from(["acc-1", "acc-2", "acc-3"]),  # few: duplicates are common
    "created_at": st.sampled_from(["2026-11-23T01:00:00Z", "2026-11-23", "2026-13-01T00:00:00Z"]),
    "email": st.sampled_from(["a.b+x@gmail.com", "x@mailinator.com", "not-an-email", "@x.org"]),
    "country": st.sampled_from(["US", "de", "USA", ""]),
    "ip": st.sampled_from(["203.0.113.10", "2001:db8::1", "10.0.0.1", "256.1.1.1", "8.8.8.8"]),
    "ts": st.sampled_from(["2026-11-23T01:00:00Z", "2026-11-23T01:00:00+05:00", "yesterday"]),
    "score": st.sampled_from(["0.5", "1", "0", "1.7", "-0.1"]),
    "input_tokens": st.sampled_from(["10", "-5", "12.7", "1e23", "inf", "NaN", ""]),
    "output_tokens": st.sampled_from(["1800", "-1", "2.5", "9007199254740993", ""]),
    "cidr": st.sampled_from(["10.0.0.0/24", "198.51.100.0/24", "10.0.0.0/99"]),
}
VALUE = st.one_of(
    st.sampled_from(INJECTIONS),
    st.sampled_from(SPECIAL),
    st.text(max_size=20),
    st.builds(lambda char, n: char * n, st.sampled_from(["a", "é", "🙂"]), st.integers(1000, 12_000)),  # huge
)
FORMATS = ["csv", "csv.gz", "jsonl", "jsonl.gz", "parquet"]


@st.composite
def files(draw: st.DrawFn) -> tuple[contract.FileSpec, str, bytes]:
    """One file of some kind: (its spec, its ending, its bytes)."""
    spec = draw(st.sampled_from(contract.SPECS))
    ending = draw(st.sampled_from(FORMATS))
    if draw(st.integers(0, 4)) == 0:
        return spec, ending, draw(st.binary(max_size=300))  # random bytes
    columns = [c for c in spec.columns if draw(st.integers(0, 9))]  # now and then a column goes missing
    columns += draw(st.lists(st.sampled_from(["extra", "user_id", "note"]), max_size=2, unique=True))
    rows = draw(st.lists(st.fixed_dictionaries({c: st.one_of(PLAUSIBLE.get(c, VALUE), VALUE) for c in columns}),
                         max_size=6))  # fmt: skip
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1", "cp1252"]))
    return spec, ending, _encode(columns, rows, ending, encoding)


def _encode(columns: list[str], rows: list[dict[str, str]], ending: str, encoding: str) -> bytes:
    if ending == "parquet":
        table = pa.table({c: pa.array([_typed(row[c]) for row in rows]) if _numeric(rows, c)
                          else pa.array([row[c] for row in rows], pa.string()) for c in columns})  # fmt: skip
        out = io.BytesIO()
        pq.write_table(table, out)
        return out.getvalue()
    if ending.startswith("csv"):
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(columns)
        writer.writerows([[row[c] for c in columns] for row in rows])
        lines = text.getvalue()
    else:
        lines = "".join(json.dumps({c: _typed(row[c]) for c in columns}) + "\n" for row in rows)
    data = lines.encode(encoding, errors="replace")
    return gzip.compress(data) if ending.endswith(".gz") else data


def _typed(value: str) -> Any:
    """A number where the text is one (JSON and Parquet carry NaN, infinities and floats as such)."""
    try:
        return float(value) if value.strip() else value
    except ValueError:
        return value


def _numeric(rows: list[dict[str, str]], column: str) -> bool:
    return bool(rows) and all(isinstance(_typed(row[column]), float) for row in rows)


ACCOUNTS = b"account_id,created_at,email\nacc-1,2026-11-23T01:00:00Z,a@x.org\nacc-2,,\n"


def _batch(folder: Path, spec: contract.FileSpec, ending: str, data: bytes) -> Path:
    folder.mkdir()
    if spec is not contract.ACCOUNTS:
        (folder / "accounts.csv").write_bytes(ACCOUNTS)
    (folder / f"{spec.name}.{ending}").write_bytes(data)
    return folder


def _count(graph: Graph) -> int:
    return int(graph.gds.run_cypher("MATCH (n) RETURN count(n) AS n")["n"][0])


def _longest_text(graph: Graph) -> int:
    """The longest text any node holds (in characters, at most its UTF-8 bytes)."""
    found = graph.gds.run_cypher(
        "MATCH (n) UNWIND keys(n) AS key WITH n[key] AS value WHERE value IS :: STRING "
        "RETURN max(size(value)) AS longest"
    )["longest"][0]
    return 0 if found is None else int(found)


def _report(capsys: pytest.CaptureFixture[str], what: str, cases: int) -> None:
    with capsys.disabled():
        print(f"\nfuzz: {cases} cases {what}")


def test_fuzzed_files_load_or_fail_cleanly_and_never_half(
    session_graph: Graph, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = []

    @hypothesis_settings(max_examples=LIBRARY_CASES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=files(), strict=st.booleans())
    def load(case: tuple[contract.FileSpec, str, bytes], strict: bool) -> None:
        spec, ending, data = case
        cases.append(spec.name)
        session_graph.reset()
        with tempfile.TemporaryDirectory() as work:
            batch = _batch(Path(work) / "fuzz", spec, ending, data)
            try:
                result = load_batch(session_graph, settings, batch, max_reject_rate=None if strict else 1.0,
                                    rejects_dir=Path(work) / "rejects")  # fmt: skip
            except LinkageError:
                assert _count(session_graph) == 0  # a file that fails writes nothing, and neither does its batch
                return
        fuzzed = next(f for f in result.files if f.file == spec.name)
        assert fuzzed.rows_read == fuzzed.rows_rejected + fuzzed.rows_written
        assert _longest_text(session_graph) <= MAX_TEXT_BYTES
        accounts = session_graph.gds.run_cypher("MATCH (a:Account) RETURN a.account_id AS id")["id"].tolist()
        assert all(len(account.encode()) <= MAX_KEY_BYTES for account in accounts)

    load()
    _report(capsys, "through load_batch", len(cases))
    assert len(cases) == LIBRARY_CASES and set(cases) == {spec.name for spec in contract.SPECS}


def test_fuzzed_batches_through_the_cli_exit_0_or_3_never_a_traceback(
    session_graph: Graph, test_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cases = []

    @hypothesis_settings(max_examples=CLI_CASES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=files())
    def run(case: tuple[contract.FileSpec, str, bytes]) -> None:
        spec, ending, data = case
        cases.append(spec.name)
        session_graph.reset()
        with tempfile.TemporaryDirectory() as work:
            batch = _batch(Path(work) / "fuzz", spec, ending, data)
            result = CliRunner().invoke(app, ["load", str(batch), "--json", "--rejects-dir", str(Path(work) / "r")],
                                        env=test_env)  # fmt: skip
        assert result.exit_code in (0, 3), (result.exit_code, result.exception, result.output[-2000:])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code == 3:
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and str(batch) in errors[0], result.stderr
            assert _count(session_graph) == 0
        else:
            json.loads(result.stdout)

    run()
    _report(capsys, "through the CLI", len(cases))
    assert len(cases) == CLI_CASES
