"""Loaders' pure logic on frames and files: privacy, parsing, validation (no database)."""

from __future__ import annotations

import gzip
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders import contract
from loaders.addresses import canonical_ip, is_routable, parse_ips
from loaders.bulk import _ColumnFiles
from loaders.privacy import card_numbers, email_hashes, holds_card_number, mask_cards, mask_email, normalise_email
from loaders.read import InvalidBatch, iter_chunks
from loaders.times import ABSENT, TimeWindow
from loaders.validate import Context, FileState, accounts, allowlist, payments, sessions

KEY = b"unit-test-key"
WINDOW = TimeWindow(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
CTX = Context(KEY, WINDOW)


def _frame(spec: contract.FileSpec, rows: list[dict[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row.get(c, "") for c in spec.columns} for row in rows])
    frame["_line"] = range(2, 2 + len(rows))
    return frame


def test_email_normalisation_and_stable_keyed_hash() -> None:
    assert normalise_email(" Alice.Smith+news@GoogleMail.com ") == "alicesmith@gmail.com"
    assert normalise_email("bob.jones+x@Example.org") == "bob.jones@example.org"
    assert normalise_email("not-an-email") is None
    assert normalise_email("@example.org") is None
    same, missing, other = email_hashes(["alicesmith@gmail.com", None, "bob.jones@example.org"], KEY)
    assert same == email_hashes(["alicesmith@gmail.com"], KEY)[0]  # stable across runs
    assert same == hmac.new(KEY, b"alicesmith@gmail.com", hashlib.sha256).hexdigest()  # HMAC-SHA256, nothing else
    assert same != email_hashes(["alicesmith@gmail.com"], b"another key")[0]
    assert missing is None and other not in (None, same)
    assert same is not None and len(same) == 64 and "alice" not in same


@given(st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,5})?(\+[a-z0-9]{1,6})?@(gmail\.com|example\.org)", fullmatch=True))
def test_normalising_twice_changes_nothing_and_drops_the_tag(email: str) -> None:
    once = normalise_email(email)
    assert once is not None
    assert normalise_email(once) == once
    assert "+" not in once
    assert normalise_email(email.upper()) == once


def test_card_numbers_pass_luhn_and_are_masked() -> None:
    assert holds_card_number("4111111111111111")
    assert holds_card_number("4111 1111 1111 1111")
    assert not holds_card_number("4111111111111112")  # fails Luhn
    assert not holds_card_number("fp3fa94111111111111111")  # a hex token: its digits are part of a word
    assert not holds_card_number("123456789012")  # 12 digits
    flags = card_numbers(pd.Series(["fp_abc", "5500-0000-0000-0004", "tok_1"]))
    assert flags.tolist() == [False, True, False]
    assert mask_cards("5500-0000-0000-0004") == "************0004"
    assert mask_email("Alice@example.org") == "A***@example.org"


def test_rejects_carry_line_reason_and_no_raw_card() -> None:
    frame = _frame(contract.PAYMENTS, [
        {"account_id": "a1", "payment_fingerprint": "fp_1"},
        {"account_id": "a2", "payment_fingerprint": "4111111111111111"},
        {"account_id": "", "payment_fingerprint": "fp_2"},
        {"account_id": "a3", "payment_fingerprint": "fp_3", "first_seen": "not a date"},
    ])  # fmt: skip
    checked = payments(frame, FileState(), CTX)
    assert checked.clean["fingerprint"].tolist() == ["fp_1"]
    rejects = checked.rejects.set_index("line")
    assert rejects.loc[3, "reason"].startswith("payment_fingerprint is a raw card number")
    assert rejects.loc[3, "payment_fingerprint"] == "************1111"
    assert rejects.loc[4, "reason"] == "empty account_id"
    assert rejects.loc[5, "reason"] == "first_seen is not an ISO-8601 timestamp within 2000-01-01 … 2100-01-01"
    assert "4111111111111111" not in checked.rejects.to_csv()


def test_account_checks_and_duplicates_across_chunks() -> None:
    state = FileState()
    first = accounts(_frame(contract.ACCOUNTS, [{"account_id": "a1", "email": "A@x.org", "country": "us"}]), state, CTX)
    assert first.clean["country"].tolist() == ["US"] and first.clean["email_domain"].tolist() == ["x.org"]
    second = accounts(_frame(contract.ACCOUNTS, [
        {"account_id": "a1"}, {"account_id": "a2", "country": "USA"}, {"account_id": "a3", "email": "nope"},
        {"account_id": "a4", "created_at": "2026-13-01"},
    ]), state, CTX)  # fmt: skip
    assert second.clean.empty
    assert second.rejects["reason"].tolist() == [
        "duplicate account_id (an earlier line has it)", "country is not an ISO 3166 alpha-2 code",
        "email is not an email address", "created_at is not an ISO-8601 timestamp within 2000-01-01 … 2100-01-01",
    ]  # fmt: skip
    assert "nope" not in second.rejects.to_csv()  # the email column is masked in rejects


def test_sessions_parse_ipv4_and_ipv6_into_subnets() -> None:
    checked = sessions(_frame(contract.SESSIONS, [
        {"account_id": "a", "ip": "203.0.113.9", "ts": "2026-11-23T01:00:00Z"},
        {"account_id": "a", "ip": "2001:db8:1:2::7", "ts": "2026-11-23T01:00:00+01:00"},
        {"account_id": "a", "ip": "203.0.113.300", "ts": "2026-11-23T01:00:00Z"},
    ]), FileState(), CTX)  # fmt: skip
    assert checked.clean["subnet"].tolist() == ["203.0.113.0/24", "2001:db8:1::/48"]
    assert checked.clean["version"].tolist() == [4, 6]
    assert checked.rejects["reason"].tolist() == ["ip is not an IPv4 or IPv6 address"]


def test_allowlist_needs_exactly_one_value_per_row() -> None:
    checked = allowlist(_frame(contract.ALLOWLIST, [
        {"org_id": "org-1"}, {"cidr": "10.1.2.0/23"}, {"ip": "10.0.0.1", "org_id": "org-2"}, {"cidr": "10.0.0.0/99"},
    ]), FileState(), CTX)  # fmt: skip
    assert checked.clean["rule"].tolist() == ["org:org-1", "cidr:10.1.2.0/23"]
    assert checked.rejects["reason"].tolist() == [
        "exactly one of account_id, org_id, ip, cidr per row", "cidr is not a network in CIDR notation",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sessions.csv", "account_id,ip,ts\na,1.2.3.4,2026-01-01\nb,1.2.3.4,2026-01-01,extra\n",
         "line 3, column 4: expected 3 fields, saw 4"),
        ("sessions.jsonl", '{"account_id": "a", "ip": "1.2.3.4", "ts": "2026-01-01"}\n{"account_id": "b", "ip"\n',
         "line 2, column"),
        ("sessions.parquet", "this is not parquet", "cannot be read as parquet"),
    ],
)  # fmt: skip
def test_structural_errors_name_file_line_and_column(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidBatch) as error:
        list(iter_chunks(path, contract.SESSIONS, chunk_rows=10))
    assert str(path) in str(error.value) and message in str(error.value)


def test_gzip_files_stream_in_bounded_chunks(tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("account_id,ip,ts,unknown\n")
        handle.writelines(f"a{i},10.0.0.{i % 250},2026-11-23T00:00:00Z,x\n" for i in range(1000))
    chunks = list(iter_chunks(path, contract.SESSIONS, chunk_rows=300))
    assert [len(c.frame) for c in chunks] == [300, 300, 300, 100]
    assert chunks[1].frame["_line"].iloc[0] == 302  # header is line 1
    assert "unknown" not in chunks[0].frame.columns


def test_invalid_utf8_is_replaced_in_prompt_text_but_an_error_in_ids(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts.csv"
    prompts.write_bytes(b"account_id,ts,prompt\na1,2026-11-23T00:00:00Z,caf\xe9 \xff latte\n")
    (chunk,) = list(iter_chunks(prompts, contract.PROMPTS, chunk_rows=10))
    assert chunk.frame["prompt"].iloc[0] == "caf\ufffd \ufffd latte"
    accounts = tmp_path / "accounts.csv"
    accounts.write_bytes(b"account_id\nacc\xff1\n")
    with pytest.raises(InvalidBatch, match=r"accounts\.csv: line 2, column 4: not UTF-8 \(byte 0xff\)"):
        list(iter_chunks(accounts, contract.ACCOUNTS, chunk_rows=10))


def test_column_files_hold_each_value_and_mark_what_is_missing(tmp_path: Path) -> None:
    files = _ColumnFiles(tmp_path)
    names = pa.array(["skipped", "a", None, 'ü,"\n'])[1:]  # a slice: its offsets do not start at zero
    times = pa.array([datetime(2026, 11, 1, 0, 0, 0, 999_999), None, datetime(1969, 12, 31, 23, 59, 59, 999_500)],
                     pa.timestamp("us"))  # fmt: skip
    files.add("nodes", "Account", {":id": np.array([7, 8, 9]), "account_id": names, "created_at": times})
    files.add("nodes", "Org", {":id": np.array([], dtype=np.int64), "org_id": pa.array([], pa.string())})
    manifest = files.close().read_text().splitlines()
    assert manifest == ["part\tnodes\tAccount\t3", "column\t:id\tlong\tpart0.0",
                        "column\taccount_id\tstring\tpart0.1", "column\tcreated_at\tdatetime\tpart0.2"]  # fmt: skip
    offsets = np.fromfile(tmp_path / "part0.1.offsets", np.int64)
    data = (tmp_path / "part0.1.data").read_bytes()
    valid = np.fromfile(tmp_path / "part0.1.valid", np.uint8)
    texts = [data[a:b].decode() if ok else None for a, b, ok in zip(offsets[:-1], offsets[1:], valid, strict=True)]
    assert texts == ["a", None, 'ü,"\n']
    millis = np.fromfile(tmp_path / "part0.2", np.int64).tolist()
    assert millis == [1_793_491_200_999, ABSENT, -1]  # floored to the millisecond, like the Cypher path
    assert (files.counts.nodes_created, files.counts.properties_set) == (3, 4)


_QUADS = st.lists(st.integers(0, 300).map(str) | st.sampled_from(["00", "01", "007", "", "x"]), min_size=3, max_size=5)
_IP_TEXT = (
    _QUADS.map(".".join)
    | st.ip_addresses().map(str)
    | st.tuples(st.ip_addresses(v=4).map(str), st.sampled_from([" ", "\t", "\n", "/24", ".0"])).map("".join)
    | st.text(max_size=12)
)


@given(st.lists(_IP_TEXT, min_size=1, max_size=30))
def test_parsing_ips_agrees_with_ipaddress_on_every_value(values: list[str]) -> None:
    """The dotted-quad fast path and the ``ipaddress`` path give the same address, version and subnet."""
    parsed = parse_ips(pd.Series(values, dtype="str"))
    for value, row in zip(values, parsed.itertuples(), strict=True):
        got = None if pd.isna(row.ip) else (row.ip, int(row.version), row.subnet)
        assert got == canonical_ip(value), value


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sessions.csv", b"account_id,ip,ts\na,1.2.3.4,t\nb,bare\rcr,t\n\"c\nd\",1.2.3.4,t\n\nlast,1.2.3.4,t\n"),
        ("sessions.csv", b"account_id,ip,ts\r\na,1.2.3.4,t\r\nb,bare\rcr,t\r\n\"c\r\nd\",1.2.3.4,t\r\n\r\n"
         b"last,1.2.3.4,t\r\n"),
        ("sessions.jsonl", b'{"account_id": "a"}\n{"account_id": "b", "ip": "bare\\rcr"}\n{"account_id": "c\\nd"}\n'
         b'\n\n{"account_id": "last", "ip": "1.2.3.4"}\n'),
    ],
)  # fmt: skip
def test_line_numbers_are_the_files_lines(tmp_path: Path, name: str, content: bytes) -> None:
    """A carriage return inside a value stays in it, a quoted value over two lines moves the next record down, a
    blank line in a CSV is a record of its own (a JSON Lines file skips it): the last record is on line 7 (6)."""
    path = tmp_path / name
    path.write_bytes(content)
    (chunk,) = list(iter_chunks(path, contract.SESSIONS, chunk_rows=100))
    rows = dict(zip(chunk.frame["account_id"], chunk.frame["_line"], strict=True))
    assert chunk.frame["ip"].tolist()[1] == "bare\rcr"
    if name.endswith(".csv"):
        assert rows == {"a": 2, "b": 3, "c\nd" if b"\r\n" not in content else "c\r\nd": 4, "": 6, "last": 7}
        assert chunk.frame["ts"].tolist() == ["t", "t", "t", "", "t"]  # no carriage return left at a line's end
    else:
        assert rows == {"a": 1, "b": 2, "c\nd": 3, "last": 6}


def test_a_file_that_is_not_utf8_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "sessions.jsonl"
    path.write_bytes('{"account_id": "a"}\n{"account_id": "bé\xff"}\n'.encode("latin-1"))
    with pytest.raises(InvalidBatch, match=r"sessions\.jsonl: line 2, column 18: not UTF-8 \(byte 0xe9\)"):
        list(iter_chunks(path, contract.SESSIONS, chunk_rows=10))


@pytest.mark.parametrize(("text", "expected"), [
    ("::ffff:203.0.113.10", ("203.0.113.10", 4, "203.0.113.0/24")),
    ("fe80::1%eth0", ("fe80::1", 6, "fe80::/48")),
    ("FE80::1%2", ("fe80::1", 6, "fe80::/48")),
    (" 2001:DB8::1 ", ("2001:db8::1", 6, "2001:db8::/48")),
    ("1.2.3.4%eth0", None),
])  # fmt: skip
def test_addresses_have_one_spelling(text: str, expected: tuple[str, int, str] | None) -> None:
    assert canonical_ip(text) == expected


@pytest.mark.parametrize(("address", "routes"), [
    ("8.8.8.8", True), ("2606:4700::1111", True), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.10", False), ("127.0.0.1", False), ("169.254.1.1", False), ("100.64.0.1", False),
    ("192.0.2.1", False), ("198.51.100.7", False), ("203.0.113.10", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("2001:db8::1", False), ("10.0.0.0/24", False),
    ("8.8.8.0/24", True),
])  # fmt: skip
def test_only_public_unicast_addresses_route(address: str, routes: bool) -> None:
    assert is_routable(address) is routes
