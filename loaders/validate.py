"""Row checks, vectorised per chunk: each file's clean rows (typed, hashed) and its rejects (line, reason, masked).

A row fails on its first broken rule. Rejects never show a raw card number, a raw email or prompt text.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from loaders import contract
from loaders.contract import FileSpec
from loaders.privacy import card_numbers, disposable_domains, email_hashes, mask_card, mask_email, normalise_email
from loaders.read import LINE
from loaders.times import parse_times

Rule = tuple[pd.Series, str]


@dataclass
class Checked:
    clean: pd.DataFrame
    rejects: pd.DataFrame


@dataclass
class FileState:
    """What validation must remember across a file's chunks (ids seen, for duplicates)."""

    seen: set[str] = field(default_factory=set)


@lru_cache(maxsize=1_000_000)
def _ip(text: str) -> tuple[str, int, str] | None:
    """(canonical address, version, subnet: /24 for IPv4, /48 for IPv6) or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(address), address.version, str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_IPV4 = rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}"  # what str(ipaddress.ip_address(...)) prints for IPv4


def parse_ips(values: pd.Series) -> pd.DataFrame:
    """Columns ip, version, subnet (None where the value is not an address). A value already written as a
    canonical dotted quad (most rows) is its own address and loses its last octet for the /24, in Arrow's regex
    kernels; any other value goes through ``ipaddress``, once per distinct value."""
    quad = values.str.fullmatch(CANONICAL_IPV4).to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "ip": values.where(quad).astype(object),
            "version": np.where(quad, 4, 0),
            "subnet": values.str.replace(r"\.[0-9]+$", ".0/24", regex=True).where(quad).astype(object),
        },
        index=values.index,
    )
    others = values[~quad]
    parsed = others.map(_ip)
    valid = parsed.notna()
    if valid.any():
        out.loc[others.index[valid], ["ip", "version", "subnet"]] = pd.DataFrame(
            parsed[valid].tolist(), index=others.index[valid]
        ).to_numpy()
    return out


def _cidr(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None


def _split(frame: pd.DataFrame, spec: FileSpec, rules: list[Rule]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows failing a rule (first rule wins) become rejects with a reason; the rest stay."""
    reason = pd.Series("", index=frame.index, dtype=object)
    for bad, text in rules:
        reason = reason.where((reason != "") | ~bad.fillna(False), text)
    rejected = reason != ""
    return frame[~rejected], _rejects(frame[rejected], reason[rejected], spec)


def _rejects(frame: pd.DataFrame, reason: pd.Series, spec: FileSpec) -> pd.DataFrame:
    out = pd.DataFrame({"line": frame[LINE], "reason": reason})
    for column in spec.columns:
        if column in spec.dropped:
            continue
        values = frame[column]
        if column == "email":
            values = values.map(lambda v: mask_email(v) if v else "")
        elif column in spec.masked:
            cards = card_numbers(values)
            values = values.where(~cards, values[cards].map(mask_card))
        out[column] = values
    return out


def _empty(values: pd.Series) -> pd.Series:
    return values.str.strip() == ""


def _bad_time(values: pd.Series, parsed: pd.Series) -> pd.Series:
    return (values != "") & parsed.isna()


MAX_COUNT = 2**53  # token counts beyond this are not counts (and lose precision as floats)


def _bad_count(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(not a whole number within range, negative) for a column of counts; empty is allowed."""
    numbers = pd.to_numeric(values.where(values != "", None), errors="coerce")
    whole = numbers.notna() & np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers.abs() <= MAX_COUNT)
    return (values != "") & ~whole, numbers < 0


def _seen_before(ids: pd.Series, seen: set[str]) -> pd.Series:
    """Which ids an earlier chunk had (a set lookup per row: ``isin`` would rebuild a hash table of every id seen
    so far for each chunk, quadratic in the file's length)."""
    return pd.Series([value in seen for value in ids.tolist()], index=ids.index, dtype=bool)


def accounts(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    ids = frame["account_id"].str.strip()
    created = parse_times(frame["created_at"])
    emails = [normalise_email(value) if value else None for value in frame["email"].tolist()]
    normalised = pd.Series(emails, index=frame.index, dtype=object)
    country = frame["country"].str.strip().str.upper()
    duplicate = ids.duplicated() | _seen_before(ids, state.seen)
    rules = [
        (_empty(ids), "empty account_id"),
        (duplicate & ~_empty(ids), "duplicate account_id (an earlier line has it)"),
        (_bad_time(frame["created_at"], created), "created_at is not an ISO-8601 timestamp"),
        ((frame["email"] != "") & normalised.isna(), "email is not an email address"),
        ((country != "") & ~country.str.fullmatch(r"[A-Z]{2}"), "country is not an ISO 3166 alpha-2 code"),
    ]
    kept, rejects = _split(frame.assign(account_id=ids), contract.ACCOUNTS, rules)
    state.seen.update(kept["account_id"].tolist())
    kept_emails = normalised[kept.index].tolist()
    domains = [email.rpartition("@")[2] if email is not None else None for email in kept_emails]
    disposable = disposable_domains()
    clean = pd.DataFrame(
        {
            "account_id": kept["account_id"],
            "created_at": created[kept.index],
            "email_hash": email_hashes(kept_emails, key),
            "email_domain": domains,
            "disposable": [domain in disposable if domain else False for domain in domains],
            "country": country[kept.index].replace("", None),
            "org_id": kept["org_id"].str.strip().replace("", None),
        },
        index=kept.index,
    )
    return Checked(clean, rejects)


def payments(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    fingerprint = frame["payment_fingerprint"].str.strip()
    first_seen = parse_times(frame["first_seen"])
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (_empty(fingerprint), "empty payment_fingerprint"),
        (card_numbers(fingerprint), "payment_fingerprint is a raw card number (masked here; never stored)"),
        (_bad_time(frame["first_seen"], first_seen), "first_seen is not an ISO-8601 timestamp"),
    ]
    kept, rejects = _split(frame.assign(payment_fingerprint=fingerprint), contract.PAYMENTS, rules)
    clean = pd.DataFrame(
        {
            "account_id": kept["account_id"].str.strip(),
            "fingerprint": kept["payment_fingerprint"],
            "method_type": kept["method_type"].replace("", None),
            "card_country": kept["card_country"].str.upper().replace("", None),
            "first_seen": first_seen[kept.index],
        }
    )
    return Checked(clean, rejects)


def sessions(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    ips = parse_ips(frame["ip"])
    ts = parse_times(frame["ts"])
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (ips["ip"].isna(), "ip is not an IPv4 or IPv6 address"),
        (ts.isna(), "ts is not an ISO-8601 timestamp"),
    ]
    kept, rejects = _split(frame, contract.SESSIONS, rules)
    clean = pd.DataFrame(
        {
            "account_id": kept["account_id"].str.strip(),
            "ip": ips.loc[kept.index, "ip"],
            "version": ips.loc[kept.index, "version"].astype(int),
            "subnet": ips.loc[kept.index, "subnet"],
            "ts": ts[kept.index],
            "device_id": kept["device_id"].str.strip().replace("", None),
        }
    )
    return Checked(clean, rejects)


def prompts(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    """The accepted prompts feed the similarity stage (from the spool, never the graph): the text, its time and
    the output length; a rejected row is in no family and no feature."""
    ts = parse_times(frame["ts"])
    bad_in, negative_in = _bad_count(frame["input_tokens"])
    bad_out, negative_out = _bad_count(frame["output_tokens"])
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (ts.isna(), "ts is not an ISO-8601 timestamp"),
        (bad_in, "input_tokens is not a whole number"),
        (negative_in, "input_tokens is negative"),
        (bad_out, "output_tokens is not a whole number"),
        (negative_out, "output_tokens is negative"),
    ]
    kept, rejects = _split(frame, contract.PROMPTS, rules)
    output = pd.to_numeric(kept["output_tokens"].where(kept["output_tokens"] != "", None), errors="coerce")
    clean = pd.DataFrame({"account_id": kept["account_id"].str.strip(), "ts": ts[kept.index],
                          "prompt": kept["prompt"], "output_tokens": output.fillna(0).astype("int64")})  # fmt: skip
    return Checked(clean, rejects)


def prompt_similarity(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    a, b = frame["account_a"].str.strip(), frame["account_b"].str.strip()
    score = pd.to_numeric(frame["score"].where(frame["score"] != "", None), errors="coerce")
    rules = [
        (_empty(a) | _empty(b), "empty account_a or account_b"),
        (a == b, "account_a and account_b are the same account"),
        (score.isna() | (score < 0) | (score > 1), "score is not a number in [0, 1]"),
    ]
    kept, rejects = _split(frame, contract.PROMPT_SIMILARITY, rules)
    lo = np.minimum(a[kept.index], b[kept.index])
    hi = np.maximum(a[kept.index], b[kept.index])
    return Checked(pd.DataFrame({"account_a": lo, "account_b": hi, "score": score[kept.index]}), rejects)


def bans(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    banned_at = parse_times(frame["banned_at"])
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (_bad_time(frame["banned_at"], banned_at), "banned_at is not an ISO-8601 timestamp"),
    ]
    kept, rejects = _split(frame, contract.BANS, rules)
    clean = pd.DataFrame(
        {
            "account_id": kept["account_id"].str.strip(),
            "banned_at": banned_at[kept.index],
            "reason": kept["reason"].replace("", None),
        }
    )
    return Checked(clean, rejects)


def allowlist(frame: pd.DataFrame, state: FileState, key: bytes) -> Checked:
    kinds = ["account_id", "org_id", "ip", "cidr"]
    filled = pd.DataFrame({k: frame[k].str.strip() != "" for k in kinds})
    kind = filled.idxmax(axis=1).where(filled.sum(axis=1) == 1)
    value = pd.Series([frame.at[i, k].strip() if isinstance(k, str) else "" for i, k in kind.items()],
                      index=frame.index, dtype=object)  # fmt: skip
    canonical = value.copy()
    is_ip, is_cidr = kind == "ip", kind == "cidr"
    canonical[is_ip] = value[is_ip].map(lambda v: (_ip(v) or (None,))[0])
    canonical[is_cidr] = value[is_cidr].map(_cidr)
    rules = [
        (kind.isna(), "exactly one of account_id, org_id, ip, cidr per row"),
        (is_ip & canonical.isna(), "ip is not an IPv4 or IPv6 address"),
        (is_cidr & canonical.isna(), "cidr is not a network in CIDR notation"),
    ]
    kept, rejects = _split(frame, contract.ALLOWLIST, rules)
    short = kind[kept.index].map({"account_id": "account", "org_id": "org", "ip": "ip", "cidr": "cidr"})
    clean = pd.DataFrame({"kind": short, "value": canonical[kept.index]})
    clean["rule"] = clean["kind"] + ":" + clean["value"]
    return Checked(clean, rejects)


VALIDATORS: dict[str, Callable[[pd.DataFrame, FileState, bytes], Checked]] = {
    "accounts": accounts,
    "payments": payments,
    "sessions": sessions,
    "prompts": prompts,
    "prompt_similarity": prompt_similarity,
    "bans": bans,
    "allowlist": allowlist,
}
