"""Fuzzing the loaders (hypothesis) through the real ``load_batch`` into the real database, and through the CLI.

Every kind of file gets random bytes, other encodings, huge fields, missing and extra columns, Cypher injection in
every field, NaN, infinities, negative and fractional counts, duplicate ids, in CSV, JSON Lines and Parquet. Whatever
arrives: no exception but a :class:`LinkageError` (the CLI: exit 0 or 3, never a traceback), a file that fails
writes nothing, and what is written respects the database's limits. Each test prints how many cases it ran (and
fails if hypothesis ran fewer than asked).

Half the cases are shaped files (:func:`shaped_files`): valid rows beside hostile ones, each hostile row broken on
purpose and carrying hostile ids, personal data (e-mails, card numbers in every spelling), control characters and
values of every JSON and Parquet type, in rows with fields missing or extra, with or without a byte order mark.
There the load also keeps every valid row (every valid row is accepted, or the whole file fails), rejects exactly
the hostile ones, and no planted personal value is found in the graph, the rejects or the error message.
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
from loaders.read import ACCEPTS
from tests.personal_data import ADDRESSES, SPELLINGS, WIDE_EMAIL, found_in, graph_text

pytestmark = pytest.mark.db

CASES_PER_KIND = 22  # each kind of file its own share, so that no kind goes unfuzzed
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
def files(draw: st.DrawFn, spec: contract.FileSpec) -> tuple[contract.FileSpec, str, bytes]:
    """One file of a kind: (its spec, its ending, its bytes)."""
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


T = "2026-11-23T01:00:00Z"
HOSTILE = [
    *ADDRESSES, WIDE_EMAIL, *SPELLINGS[::3], "[/]", "[bold red]x", "[link=https://x.org]y", "=cmd|' /C calc'!A0",
    "@SUM(1)", "-1", "acc\x00nul", "acc\x1b[31m", "acc\x85", "\ufeffacc", " acc ", "acc,comma", 'acc"quote',
    "acc\nline", "\ud7ff", "é" * 1100, *INJECTIONS,
]  # fmt: skip
# a column whose value makes a row bad whatever else it holds; first in the file, so that a row missing fields
# keeps it
BREAKER = {
    "accounts": ("created_at", "never"), "payments": ("first_seen", "never"), "sessions": ("ts", "never"),
    "prompts": ("ts", "never"), "prompt_similarity": ("score", "2"), "bans": ("banned_at", "never"),
    "allowlist": ("ip", "not-an-ip"),
}  # fmt: skip


def _valid_row(spec: contract.FileSpec, n: int) -> dict[str, str]:
    """A row every rule accepts, unique in its file; its e-mail and prompt text are personal (hashed, never kept)."""
    rows = {
        "accounts": {"account_id": f"valid-{n}", "created_at": T, "email": ADDRESSES[n % 3], "country": "US",
                     "org_id": f"org-{n % 2}"},
        "payments": {"account_id": f"valid-{n}", "payment_fingerprint": f"fp_valid_{n}_ab", "method_type": "card",
                     "card_country": "DE", "first_seen": T},
        "sessions": {"account_id": f"valid-{n}", "ip": f"203.0.113.{n}", "ts": T, "user_agent": "Mozilla/5.0",
                     "device_id": f"dev-{n}"},
        "prompts": {"account_id": f"valid-{n}", "ts": T, "prompt": f"bill {SPELLINGS[n % 9]} and mail {ADDRESSES[0]}",
                    "request_id": f"r{n}", "model": "m-1", "input_tokens": "10", "output_tokens": "20"},
        "prompt_similarity": {"account_a": f"valid-{n}", "account_b": f"valid-{n}-b", "score": "0.5"},
        "bans": {"account_id": f"valid-{n}", "banned_at": T, "reason": "abuse"},
        "allowlist": {"org_id": f"org-valid-{n}"},
    }  # fmt: skip
    return {c: rows[spec.name].get(c, "") for c in spec.columns}


# what a JSON value may be besides a string: each kind of JSON value; where its column's kind does not take it, the
# file fails as a whole
JSON_VALUE = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.builds(lambda v: {"raw": v}, st.sampled_from(HOSTILE)), st.builds(lambda v: [v], st.sampled_from(HOSTILE)),
)  # fmt: skip
# a Parquet column of each kind of type: a string column of another width, bytes, or a type no column takes
ARROW_TYPES = ["large_string", "dictionary", "utf8_binary", "binary", "float64", "bool", "struct", "list", "int64"]
# the types above that change the values and that some columns take (an id may be an integer, a number a fraction):
# drawn only for a column that does not take them, so that a file with one fails whatever its values
CHANGES_VALUES = {"float64": "fraction", "int64": "integer"}


@st.composite
def shaped_files(draw: st.DrawFn, spec: contract.FileSpec) -> tuple[contract.FileSpec, str, bytes, tuple[int, int]]:
    """A file of a kind with valid rows and hostile rows (each broken by its :data:`BREAKER`): (spec, ending, bytes,
    (valid rows, hostile rows))."""
    ending = draw(st.sampled_from(FORMATS))
    breaker, broken = BREAKER[spec.name]
    columns = [breaker, *(c for c in spec.columns if c != breaker)]
    valid = [_valid_row(spec, n) for n in range(draw(st.integers(1, 5)))]
    values = st.one_of(st.sampled_from(HOSTILE), VALUE)
    hostile = [{c: broken if c == breaker else draw(values) for c in columns} for _ in range(draw(st.integers(0, 5)))]
    rows = draw(st.permutations(valid + hostile))
    if ending.startswith("csv"):
        data = _shaped_csv(draw, columns, rows, [row for row in rows if row in hostile])
    elif ending.startswith("jsonl"):
        data = _shaped_jsonl(draw, columns, rows, hostile, breaker)
    else:
        data = _shaped_parquet(draw, spec, columns, rows, breaker)
    if ending.endswith(".gz"):
        data = gzip.compress(data)
    return spec, ending, data, (len(valid), len(hostile))


def _shaped_csv(
    draw: st.DrawFn, columns: list[str], rows: list[dict[str, Any]], hostile: list[dict[str, Any]]
) -> bytes:
    """Quoted as a CSV writer quotes; a hostile row may miss fields at its end, and in one file of three one has
    one or two too many (a trailing comma); a byte order mark, Windows line ends, another encoding now and then (when
    it can hold the file's text: a planted value must arrive as planted)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    extra = draw(st.integers(0, 2)) == 0
    for row in rows:
        fields = [str(row[c]) for c in columns]
        if any(row is other for other in hostile):
            shape = draw(st.integers(1, 2)) if extra else draw(st.integers(-len(fields) + 1, 0))
            fields = fields[: len(fields) + shape] if shape < 0 else fields + [""] * shape
            extra = False
        writer.writerow(fields)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-8-sig", "utf-16", "latin-1"]))
    try:
        return text.getvalue().encode(encoding)
    except UnicodeEncodeError:  # a file in latin-1 cannot hold a full-width at sign: "?" would end the address
        return text.getvalue().encode("utf-8", errors="replace")


def _shaped_jsonl(
    draw: st.DrawFn, columns: list[str], rows: list[dict[str, Any]], hostile: list[dict[str, Any]], breaker: str
) -> bytes:
    """A record a line; in one file of two, a hostile record's values may be any JSON value; a byte order mark now
    and then."""
    typed = draw(st.booleans())
    lines = []
    for row in rows:
        record = dict(row)
        if typed and any(row is other for other in hostile):
            for column in columns:
                if column != breaker and draw(st.integers(0, 3)) == 0:
                    record[column] = draw(JSON_VALUE)
        lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())) + "\n")
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + "".join(lines)).encode("utf-8", errors="surrogatepass")


def _shaped_parquet(
    draw: st.DrawFn, spec: contract.FileSpec, columns: list[str], rows: list[dict[str, Any]], breaker: str
) -> bytes:
    """String columns, but now and then one (not the breaker) of another Arrow type."""
    arrays = {c: pa.array([_utf8(row[c]) for row in rows], pa.string()) for c in columns}
    if draw(st.booleans()):
        column = draw(st.sampled_from([c for c in columns if c != breaker]))
        taken = ACCEPTS[spec.kind(column)]
        kinds = [kind for kind in ARROW_TYPES if CHANGES_VALUES.get(kind) not in taken]
        arrays[column] = _typed_array(arrays[column], draw(st.sampled_from(kinds)))
    out = io.BytesIO()
    pq.write_table(pa.table(arrays), out)
    return out.getvalue()


def _utf8(value: str) -> str:
    return value.encode("utf-8", errors="replace").decode("utf-8")


def _typed_array(strings: pa.Array, kind: str) -> pa.Array:
    """The same values as another Arrow type: as strings still (large, dictionary, bytes), or values of a type the
    column may not take (so the file fails whatever the values)."""
    texts = strings.to_pylist()
    typed = {
        "large_string": lambda: strings.cast(pa.large_string()),
        "dictionary": lambda: strings.dictionary_encode(),
        "utf8_binary": lambda: strings.cast(pa.binary()),
        "binary": lambda: pa.array([t.encode("utf-16") for t in texts], pa.binary()),
        "float64": lambda: pa.array([float(len(t)) for t in texts]),
        "bool": lambda: pa.array([bool(t) for t in texts]),
        "struct": lambda: pa.array([{"raw": t} for t in texts]),
        "list": lambda: pa.array([[t] for t in texts]),
        "int64": lambda: pa.array([len(t) for t in texts]),
    }
    return typed[kind]()


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


Case = tuple[contract.FileSpec, str, bytes, tuple[int, int] | None]  # (valid, hostile rows) of a shaped file


def cases(spec: contract.FileSpec) -> st.SearchStrategy[Case]:
    """Files of one kind, fuzzed or shaped."""
    return st.one_of(files(spec).map(lambda case: (*case, None)), shaped_files(spec))


ANY_CASE = st.sampled_from(contract.SPECS).flatmap(cases)


def _rejects_text(folder: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in folder.rglob("*.csv"))


def _keeps_valid_rows(graph: Graph, spec: contract.FileSpec, read: int, rejected: int, shape: tuple[int, int]) -> None:
    """Every valid row accepted (the file did not fail), exactly the hostile ones rejected; valid accounts written."""
    valid, hostile = shape
    assert (read, rejected) == (valid + hostile, hostile)
    if spec is contract.ACCOUNTS:
        ids = set(graph.gds.run_cypher("MATCH (a:Account) RETURN a.account_id AS id")["id"])
        assert {f"valid-{n}" for n in range(valid)} <= ids


def _load_and_check(graph: Graph, settings: Settings, case: Case, strict: bool) -> bool:
    """Load one fuzzed file and check what the load left; whether it was a shaped file and loaded."""
    spec, ending, data, shape = case
    graph.reset()
    with tempfile.TemporaryDirectory() as work:
        batch = _batch(Path(work) / "fuzz", spec, ending, data)
        try:
            result = load_batch(graph, settings, batch, max_reject_rate=None if strict else 1.0,
                                rejects_dir=Path(work) / "rejects")  # fmt: skip
        except LinkageError as error:
            assert _count(graph) == 0  # a file that fails writes nothing, and neither does its batch
            assert found_in(str(error)) == [] and found_in(_rejects_text(Path(work) / "rejects")) == [], str(error)
            return False
        assert found_in(_rejects_text(Path(work) / "rejects")) == []
    fuzzed = next(f for f in result.files if f.file == spec.name)
    if spec is not contract.PROMPTS:  # the accepted prompts go to the similarity stage's spool, not the graph
        assert fuzzed.rows_read == fuzzed.rows_rejected + fuzzed.rows_written
    assert _longest_text(graph) <= MAX_TEXT_BYTES
    accounts = graph.gds.run_cypher("MATCH (a:Account) RETURN a.account_id AS id")["id"].tolist()
    assert all(len(account.encode()) <= MAX_KEY_BYTES for account in accounts)
    assert found_in(graph_text(graph)) == []
    if shape:
        _keeps_valid_rows(graph, spec, fuzzed.rows_read, fuzzed.rows_rejected, shape)
    return shape is not None


def test_fuzzed_files_load_or_fail_cleanly_and_never_half(
    session_graph: Graph, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    seen, shaped, loaded = [], [], []
    for spec in contract.SPECS:  # a hypothesis run per kind of file

        @hypothesis_settings(max_examples=CASES_PER_KIND, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=cases(spec), strict=st.booleans())
        def load(case: Case, strict: bool) -> None:
            seen.append(case[0].name)
            shaped.extend([case[0].name] if case[3] else [])
            if _load_and_check(session_graph, settings, case, strict):
                loaded.append(case[0].name)

        load()
    total = CASES_PER_KIND * len(contract.SPECS)
    _report(capsys, f"through load_batch ({len(shaped)} shaped, {len(loaded)} of them loaded)", len(seen))
    assert [seen.count(spec.name) for spec in contract.SPECS] == [CASES_PER_KIND] * len(contract.SPECS)
    assert len(shaped) >= total // 4 and len(loaded) >= total // 20


def test_fuzzed_batches_through_the_cli_exit_0_or_3_never_a_traceback(
    session_graph: Graph, test_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    seen, shaped = [], []

    @hypothesis_settings(max_examples=CLI_CASES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=ANY_CASE, strict=st.booleans())
    def run(case: Case, strict: bool) -> None:
        spec, ending, data, shape = case
        seen.append(spec.name)
        shaped.extend([spec.name] if shape else [])
        session_graph.reset()
        with tempfile.TemporaryDirectory() as work:
            batch = _batch(Path(work) / "fuzz", spec, ending, data)
            limit = [] if strict else ["--max-reject-rate", "1"]
            result = CliRunner().invoke(app, ["load", str(batch), "--json", "--rejects-dir", str(Path(work) / "r"),
                                              *limit], env=test_env)  # fmt: skip
            assert found_in(_rejects_text(Path(work) / "r")) == []
        assert result.exit_code in (0, 3), (result.exit_code, result.exception, result.output[-2000:])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert found_in(result.output) == [] and found_in(result.stderr) == [], result.output[-2000:]
        if result.exit_code == 3:
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and str(batch) in errors[0], result.stderr
            assert _count(session_graph) == 0
            return
        summary = next(f for f in json.loads(result.stdout)["files"] if f["file"] == spec.name)
        if shape:
            _keeps_valid_rows(session_graph, spec, summary["rows_read"], summary["rows_rejected"], shape)

    run()
    _report(capsys, f"through the CLI ({len(shaped)} shaped)", len(seen))
    assert len(seen) == CLI_CASES
