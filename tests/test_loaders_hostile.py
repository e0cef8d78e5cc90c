"""Hostile files through the loaders' pure parts (no database): reading that cannot shift or coerce, keys without
control characters, the first valid row of an id, and personal data masked on every path out (rejects, errors)."""

from __future__ import annotations

import gzip
import json
import re
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from loaders import contract
from loaders.load import check_structure
from loaders.read import InvalidBatch, _reason, iter_chunks
from loaders.times import TimeWindow
from loaders.validate import CONTROL, Context, FileState, accounts, payments, prompts, sessions
from tests.personal_data import CARD_NUMBERS, spellings

CTX = Context(b"unit-test-key", TimeWindow(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)))
CARD = CARD_NUMBERS[0]
CARD_SPELLINGS = spellings(CARD)


def _frame(spec: contract.FileSpec, rows: list[dict[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row.get(c, "") for c in spec.columns} for row in rows])
    frame["_line"] = range(2, 2 + len(rows))
    return frame


def _rows(path: Path, spec: contract.FileSpec = contract.ACCOUNTS, chunk_rows: int = 2) -> list[dict[str, object]]:
    return pd.concat([chunk.frame for chunk in iter_chunks(path, spec, chunk_rows)]).to_dict("records")


def _write(path: Path, content: str | bytes | pa.Table) -> Path:
    if isinstance(content, pa.Table):
        pq.write_table(content, path)
        return path
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


# --- reading that cannot shift -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # a trailing comma on every line: pandas took the first field for an index and shifted the others
        ("account_id,created_at,email\nacc-1,2026-11-23T01:00:00Z,zq.shift@example.org,\n"
         "acc-2,2026-11-23T01:00:00Z,zq.shift2@example.org,\n", "line 2, column 4: expected 3 fields, saw 4"),
        # only the first row has one field more: the same inference
        ("account_id,created_at,email\nacc-1,2026-11-23T01:00:00Z,a@x.org,US\nacc-2,,\n",
         "line 2, column 4: expected 3 fields, saw 4"),
        # a later row, after records spanning several lines: the line is the file's, not the record's number
        ('account_id,created_at,email\n"acc\n1",,\n"acc\n2",,\nacc-3,,,\n',
         "line 6, column 4: expected 3 fields, saw 4"),
        ("account_id,created_at,email\nacc-1,,\nacc-2,,,,\n", "line 3, column 4: expected 3 fields, saw 5"),
    ],
)  # fmt: skip
def test_a_row_with_more_fields_than_the_header_is_a_structural_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = _write(tmp_path / "accounts.csv", content)
    with pytest.raises(InvalidBatch) as error:
        _rows(path)
    assert str(error.value) == f"{path}: {message}"
    assert "zq.shift" not in str(error.value)


def test_an_unquoted_comma_in_a_prompt_is_a_structural_error(tmp_path: Path) -> None:
    """In the first row, pandas took the account for an index: the prompt's words became the time and the model."""
    path = _write(tmp_path / "prompts.csv", "account_id,ts,prompt,model\n"
                  "a1,2026-11-23T01:00:00Z,mail zq.prompt@example.org, then bill me,gpt\n"
                  "a2,2026-11-23T01:00:00Z,\"quoted, fine\",gpt\n")  # fmt: skip
    with pytest.raises(InvalidBatch) as error:
        _rows(path, contract.PROMPTS)
    assert str(error.value) == f"{path}: line 2, column 5: expected 4 fields, saw 5"


def test_a_row_with_fewer_fields_than_the_header_has_its_last_values_empty(tmp_path: Path) -> None:
    """Decided and documented (unchanged): the missing trailing fields are empty values, checked as such."""
    path = _write(tmp_path / "accounts.csv", "account_id,created_at,country\nacc-1\nacc-2,2026-11-23T01:00:00Z\n")
    rows = _rows(path)
    assert [(r["account_id"], r["created_at"], r["country"]) for r in rows] == [
        ("acc-1", "", ""), ("acc-2", "2026-11-23T01:00:00Z", ""),
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["accounts.csv", "accounts.csv.gz", "accounts.jsonl", "accounts.jsonl.gz"])
def test_a_byte_order_mark_before_the_header_is_skipped(tmp_path: Path, name: str) -> None:
    batch = tmp_path / "night"
    batch.mkdir()
    content = "account_id,email\nacc-1,a@x.org\n" if ".csv" in name else '{"account_id": "acc-1", "email": "a@x.org"}\n'
    path = _write(batch / name, "\ufeff" + content)
    assert check_structure(batch) == {"accounts": path}
    rows = _rows(path)
    assert [(r["account_id"], r["email"], r["_line"]) for r in rows] == [
        ("acc-1", "a@x.org", 2 if ".csv" in name else 1)
    ]


# --- ids and text are read as strings, whatever their stored type -------------------------------------------------


def test_parquet_integer_ids_are_their_exact_digits(tmp_path: Path) -> None:
    """An int64 id with a null was read through a float ("100.0"), and ids above 2^53 collapsed into one."""
    big = 2**53
    table = pa.table({
        "account_id": pa.array([100, None, big, big + 1, 2**63 - 1], pa.int64()),
        "org_id": pa.array([1, 2, 3, 4, 2**64 - 1], pa.uint64()),
        "email": pa.array(["a@x.org", "b@x.org", None, "c@x.org", "d@x.org"]).dictionary_encode(),
        "created_at": pa.array([datetime(2026, 11, 23, 1, tzinfo=UTC)] * 4 + [None], pa.timestamp("us", tz="UTC")),
    })  # fmt: skip
    rows = _rows(_write(tmp_path / "accounts.parquet", table))
    assert [r["account_id"] for r in rows] == ["100", "", str(big), str(big + 1), str(2**63 - 1)]
    assert rows[-1]["org_id"] == str(2**64 - 1) and rows[2]["email"] == "" and rows[0]["email"] == "a@x.org"
    assert [r["_line"] for r in rows] == [1, 2, 3, 4, 5]
    checked = accounts(pd.DataFrame(rows), FileState(), CTX)
    assert checked.clean["created_at"].dropna().astype(str).tolist() == ["2026-11-23 01:00:00+00:00"] * 3


@pytest.mark.parametrize(
    ("column", "values", "type_name"),
    [
        ("account_id", pa.array([100.0, None]), "double"),
        ("account_id", pa.array([1.0, 2.0], pa.float32()), "float"),
        ("account_id", pa.array([True, False]), "bool"),
        ("account_id", pa.array([{"a": 63, "b": "x"}, None]), "struct<a: int64, b: string>"),
        ("email", pa.array([["a@x.org"], None]), "list<element: string>"),
        ("org_id", pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())), "map<string, int64 ('org_id')>"),
        ("email", pa.array([5, 6]), "int64"),  # an integer is an id's, not an e-mail's
        ("created_at", pa.array([1_700_000_000, None]), "int64"),  # epoch seconds are not a time of the contract
        ("country", pa.array([1.5, None]), "double"),
    ],
)  # fmt: skip
def test_a_parquet_column_of_the_wrong_type_is_a_structural_error(
    tmp_path: Path, column: str, values: pa.Array, type_name: str
) -> None:
    table = pa.table({"account_id": pa.array(["acc-1", "acc-2"])} | {column: values})
    path = _write(tmp_path / "accounts.parquet", table)
    with pytest.raises(InvalidBatch) as error:
        _rows(path)
    assert str(error.value).startswith(f"{path}: column {column}: a Parquet column of type {type_name} where ")


def test_parquet_bytes_must_be_utf8_except_in_prompt_text(tmp_path: Path) -> None:
    table = pa.table({"account_id": pa.array([b"acc-1", b"acc-\xff"])})
    path = _write(tmp_path / "accounts.parquet", table)
    with pytest.raises(InvalidBatch, match=r"accounts\.parquet: row 2, column account_id: not UTF-8$"):
        _rows(path)
    table = pa.table({"account_id": ["a"], "ts": ["2026-11-23T01:00:00Z"], "prompt": pa.array([b"caf\xe9 latte"]),
                      "input_tokens": pa.array([12.0]), "output_tokens": pa.array([7], pa.int32())})  # fmt: skip
    (row,) = _rows(_write(tmp_path / "prompts.parquet", table), contract.PROMPTS)
    assert (row["prompt"], row["input_tokens"], row["output_tokens"]) == ("caf\ufffd latte", "12", "7")


@pytest.mark.parametrize(
    ("record", "column", "found"),
    [
        ('{"account_id": 1e3}', "account_id", "a JSON number with a fraction or an exponent"),
        ('{"account_id": 100.0}', "account_id", "a JSON number with a fraction or an exponent"),
        ('{"account_id": true}', "account_id", "a JSON boolean"),
        ('{"account_id": "a", "org_id": {"a": 63, "b": "x"}}', "org_id", "a JSON object"),
        ('{"account_id": "a", "email": ["zq.json@example.org"]}', "email", "a JSON array"),
        ('{"account_id": "a", "email": 42}', "email", "a JSON integer"),
        ('{"account_id": "a", "created_at": 1700000000}', "created_at", "a JSON integer"),
        ('{"account_id": "a", "country": false}', "country", "a JSON boolean"),
    ],
)  # fmt: skip
def test_a_json_value_of_the_wrong_type_is_a_structural_error(
    tmp_path: Path, record: str, column: str, found: str
) -> None:
    path = _write(tmp_path / "accounts.jsonl", '{"account_id": "first"}\n\n' + record + "\n")
    with pytest.raises(InvalidBatch) as error:
        _rows(path)
    assert str(error.value).startswith(f"{path}: line 3, column {column}: {found} where ")
    assert "zq.json" not in str(error.value)


def test_json_integers_are_exact_ids_and_numbers_take_any_number(tmp_path: Path) -> None:
    lines = [
        {"account_id": 12345678901234567890123, "ts": "2026-11-23T01:00:00Z", "prompt": "hi", "request_id": 7,
         "input_tokens": 1e3, "output_tokens": 12},
        {"account_id": "acc-2", "ts": "2026-11-23T01:00:00Z", "prompt": None, "input_tokens": "5",
         "output_tokens": 2.5},
    ]  # fmt: skip
    path = _write(tmp_path / "prompts.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    rows = _rows(path, contract.PROMPTS)
    assert [(r["account_id"], r["request_id"], r["prompt"]) for r in rows] == [
        ("12345678901234567890123", "7", "hi"), ("acc-2", "", ""),
    ]  # fmt: skip
    checked = prompts(pd.DataFrame(rows), FileState(), CTX)
    assert checked.clean["account_id"].tolist() == ["12345678901234567890123"]  # 1e3 tokens is a whole number
    assert checked.rejects["reason"].tolist() == ["output_tokens is not a whole number"]


def test_a_lone_surrogate_escape_is_an_error_in_a_key_and_replaced_in_prompt_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "accounts.jsonl", '{"account_id": "a\\ud800"}\n')
    with pytest.raises(InvalidBatch, match=r"line 1, column account_id: not Unicode text"):
        _rows(path)
    path = _write(tmp_path / "prompts.jsonl", '{"account_id": "a", "ts": "t", "prompt": "x\\udfffy"}\n')
    assert _rows(path, contract.PROMPTS)[0]["prompt"] == "x\ufffdy"


def test_a_column_named_twice_is_a_structural_error(tmp_path: Path) -> None:
    batch = tmp_path / "night"
    batch.mkdir()
    _write(batch / "accounts.csv", "account_id,email,account_id\nacc-1,a@x.org,acc-2\n")
    with pytest.raises(InvalidBatch, match=r"accounts\.csv: column\(s\) named more than once: account_id\.$"):
        check_structure(batch)


# --- keys without control characters; the first valid row of an id ---------------------------------------------


def test_the_control_pattern_is_unicodes_control_category() -> None:
    controls = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cc")
    assert re.fullmatch(f"{CONTROL}+", controls)
    assert not re.search(CONTROL, "".join(chr(c) for c in range(0xA0, 0x3000)))


def test_control_characters_in_keys_make_a_bad_row() -> None:
    checked = accounts(_frame(contract.ACCOUNTS, [
        {"account_id": "acc\x001"}, {"account_id": "acc-2", "email": "a\x07@x.org"}, {"account_id": "acc-3",
         "org_id": "org\x1b[31m"}, {"account_id": "acc-4\x85"}, {"account_id": "acc-5", "org_id": "org 5"},
    ]), FileState(), CTX)  # fmt: skip
    assert checked.clean["account_id"].tolist() == ["acc-5"]
    assert checked.rejects["reason"].tolist() == [
        "account_id holds a control character", "email holds a control character", "org_id holds a control character",
        "account_id holds a control character",
    ]  # fmt: skip
    assert checked.rejects["account_id"].tolist()[0] == "acc\\x001"  # shown, never written raw to the rejects file
    assert "\x00" not in checked.rejects.to_csv()
    sessions_checked = sessions(_frame(contract.SESSIONS, [
        {"account_id": "a", "ip": "203.0.113.9", "ts": "2026-11-23T01:00:00Z", "device_id": "dev\x00"},
        {"account_id": "a", "ip": "203.0.113.9", "ts": "2026-11-23T01:00:00Z", "device_id": "dev\t1"},
    ]), FileState(), CTX)  # fmt: skip
    assert sessions_checked.rejects["reason"].tolist() == ["device_id holds a control character"] * 2
    paid = payments(_frame(contract.PAYMENTS, [
        {"account_id": "a", "payment_fingerprint": "fp\x00", "method_type": "card"},
        {"account_id": "a", "payment_fingerprint": "fp", "method_type": "card\x00"},
        {"account_id": "a", "payment_fingerprint": "fp", "method_type": "prepaid\tcard\nline two"},
    ]), FileState(), CTX)  # fmt: skip
    assert paid.clean["method_type"].tolist() == ["prepaid\tcard\nline two"]  # text may hold tabs and line breaks
    assert paid.rejects["reason"].tolist() == [
        "payment_fingerprint holds a control character", "method_type holds a control character",
    ]  # fmt: skip


def test_prompt_text_may_hold_control_characters_and_is_never_shown() -> None:
    checked = prompts(_frame(contract.PROMPTS, [
        {"account_id": "a", "ts": "2026-11-23T01:00:00Z", "prompt": "line\n\ttab \x1b[1mbold\x1b[0m \x00"},
        {"account_id": "a\x00", "ts": "2026-11-23T01:00:00Z", "prompt": "zq.secret prompt"},
        {"account_id": "a", "ts": "2026-11-23T01:00:00Z", "prompt": "hi", "model": "gpt\x00"},
    ]), FileState(), CTX)  # fmt: skip
    assert checked.clean["prompt"].tolist() == ["line\n\ttab \x1b[1mbold\x1b[0m \x00"]
    assert checked.rejects["reason"].tolist() == ["account_id holds a control character",
                                                  "model holds a control character"]  # fmt: skip
    assert "prompt" not in checked.rejects.columns and "zq.secret" not in checked.rejects.to_csv()


def test_a_duplicate_id_keeps_its_first_valid_row() -> None:
    """The first row of acc-1 is invalid: the second is the account, the third the duplicate; across chunks too."""
    state = FileState()
    first = accounts(_frame(contract.ACCOUNTS, [
        {"account_id": "acc-1", "country": "USA"}, {"account_id": "acc-1", "country": "US"}, {"account_id": "acc-1"},
        {"account_id": "acc-2", "created_at": "never"},
    ]), state, CTX)  # fmt: skip
    assert first.clean[["account_id", "country"]].values.tolist() == [["acc-1", "US"]]
    assert first.rejects[["line", "reason"]].values.tolist() == [
        [2, "country is not an ISO 3166 alpha-2 code"], [4, "duplicate account_id (an earlier line has it)"],
        [5, "created_at is not an ISO-8601 timestamp within 2000-01-01 … 2100-01-01"],
    ]  # fmt: skip
    second = accounts(_frame(contract.ACCOUNTS, [{"account_id": "acc-2"}, {"account_id": "acc-1"}]), state, CTX)
    assert second.clean["account_id"].tolist() == ["acc-2"]
    assert second.rejects["reason"].tolist() == ["duplicate account_id (an earlier line has it)"]


# --- personal data masked on every path out ---------------------------------------------------------------------


@pytest.mark.parametrize("spelling", CARD_SPELLINGS)
def test_a_card_number_in_any_spelling_is_rejected_and_masked(spelling: str) -> None:
    checked = payments(_frame(contract.PAYMENTS, [
        {"account_id": "a", "payment_fingerprint": spelling},
        {"account_id": "a", "payment_fingerprint": f"card {spelling} exp 12/29"},
        {"account_id": spelling, "payment_fingerprint": "fp_1", "first_seen": "never"},
    ]), FileState(), CTX)  # fmt: skip
    assert checked.clean.empty
    assert checked.rejects["reason"].tolist()[:2] == ["payment_fingerprint is a raw card number (masked here; "
                                                      "never stored)"] * 2  # fmt: skip
    shown = checked.rejects.to_csv()
    assert checked.rejects["payment_fingerprint"].tolist()[:2] == [
        "************6467",
        "card ************6467 exp 12/29",
    ]
    assert checked.rejects["account_id"].tolist()[2] == "************6467"
    assert spelling not in shown and CARD not in shown and "1488" not in shown and "１４８８" not in shown


@pytest.mark.parametrize(
    "fingerprint",
    ["fp_3fa94539148803436467", "tok_4539148803436468", "fp_45391488034364670000", "2026-11-23 01:00:00",
     "4539-1488-0343", "fp_123"],
)  # fmt: skip
def test_a_fingerprint_that_is_no_card_number_is_stored_as_given(fingerprint: str) -> None:
    """A hex token (digits glued to letters), a number failing Luhn, 22 digits, a timestamp, 12 digits."""
    checked = payments(_frame(contract.PAYMENTS, [{"account_id": "a", "payment_fingerprint": fingerprint}]),
                       FileState(), CTX)  # fmt: skip
    assert checked.clean["fingerprint"].tolist() == [fingerprint]


def test_emails_anywhere_in_a_reject_show_only_first_letter_and_domain() -> None:
    checked = sessions(_frame(contract.SESSIONS, [
        {"account_id": "zq.alice@example.org", "ip": "1.2.3", "ts": "2026-11-23T01:00:00Z",
         "user_agent": "Mozilla bob.zq+x@gmail.com", "device_id": "dev carol.zq＠example.net"},
    ]), FileState(), CTX)  # fmt: skip
    (row,) = checked.rejects.to_dict("records")
    assert (row["account_id"], row["user_agent"], row["device_id"]) == (
        "z***@example.org", "Mozilla b***@gmail.com", "dev c***@example.net",
    )  # fmt: skip
    assert "zq." not in checked.rejects.to_csv() and "carol" not in checked.rejects.to_csv()


def test_a_readers_reason_in_an_error_message_is_masked() -> None:
    reason = _reason(ValueError(f"could not convert 'zq.alice@example.org' or '{CARD_SPELLINGS[1]}' at row 3"))
    assert reason == "could not convert 'z***@example.org' or '************6467' at row 3"
    assert _reason(ValueError("mailto:bob.zq@example.org")) == "mailto:b***@example.org"


def test_shifted_and_typed_values_never_reach_an_error_message(tmp_path: Path) -> None:
    """Whatever the file, the one-line error names lines, columns and types, never a value."""
    secrets = ["zq.alice@example.org", CARD_SPELLINGS[0], CARD_SPELLINGS[8]]
    files = {
        "accounts.csv": "account_id,email\n" + "".join(f"acc-{i},{s},\n" for i, s in enumerate(secrets)),
        "accounts.jsonl": "".join(json.dumps({"account_id": "a", "email": {"raw": s}}) + "\n" for s in secrets),
        "accounts.parquet": pa.table({"account_id": ["a", "b", "c"], "email": pa.array([[s] for s in secrets])}),
        "accounts.csv.gz": "account_id,email\n" + "".join(f"{s},{s},{s}\n" for s in secrets),
    }
    for name, content in files.items():
        path = _write(tmp_path / name, content)
        with pytest.raises(InvalidBatch) as error:
            _rows(path)
        message = str(error.value)
        assert all(s not in message and s.split("@")[0] not in message for s in secrets), message
        assert "1488" not in message and "１４８８" not in message
