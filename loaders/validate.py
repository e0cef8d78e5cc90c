"""Row checks, vectorised per chunk: each file's clean rows (typed, hashed) and its rejects (line, reason, masked).

A row fails on its first broken rule. Rejects never show a raw card number, a raw email or prompt text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.spreadsheet import escape_formulas
from loaders import contract
from loaders.addresses import canonical_ip, canonical_network, parse_ips
from loaders.contract import MAX_KEY_BYTES, MAX_TEXT_BYTES, FileSpec
from loaders.privacy import card_numbers, disposable_domains, email_hashes, mask_email, masked, normalise_email
from loaders.read import LINE
from loaders.times import TimeWindow, parse_times

Rule = tuple[pd.Series, str]
SHOWN_CHARS = 1000  # a reject shows this much of a value
# Unicode's control characters (category Cc, closed by Unicode's stability policy); free text may hold the last three
CONTROL = r"[\x00-\x1f\x7f-\x9f]"
TEXT_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"  # but tab, line feed and carriage return


@dataclass
class Checked:
    clean: pd.DataFrame
    rejects: pd.DataFrame


@dataclass
class FileState:
    """What validation must remember across a file's chunks (ids seen, for duplicates)."""

    seen: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Context:
    """What every check of one load shares: the key of the e-mail hash and the times a batch may hold."""

    key: bytes
    window: TimeWindow


def _utf8_bytes(values: pd.Series) -> pd.Series:
    lengths = pc.binary_length(pa.array(values.astype(str), type=pa.large_string()))
    return pd.Series(lengths.to_numpy(zero_copy_only=False), index=values.index)


def _size_rules(frame: pd.DataFrame, spec: FileSpec) -> list[Rule]:
    """A key or text longer than the graph takes is a bad row, found before anything is written."""
    bounds = [(column, MAX_KEY_BYTES) for column in spec.keys] + [(column, MAX_TEXT_BYTES) for column in spec.texts]
    return [
        (_utf8_bytes(frame[column]) > limit, f"{column} is longer than {limit:,} bytes") for column, limit in bounds
    ]


def _control_rules(frame: pd.DataFrame, spec: FileSpec) -> list[Rule]:
    """A key holding a control character (NUL, escape…) is no key; other text the graph keeps may hold tabs and line
    breaks, nothing else. Prompt text (never stored, never shown) is free."""
    checks = [(column, CONTROL) for column in spec.keys] + [(column, TEXT_CONTROL) for column in spec.texts]
    return [
        (frame[column].str.contains(pattern, regex=True), f"{column} holds a control character")
        for column, pattern in checks
    ]


def _split(
    frame: pd.DataFrame, spec: FileSpec, rules: list[Rule], unique: tuple[pd.Series, set[str]] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows failing a rule (size and control-character rules first, then the file's; the first broken one wins)
    become rejects with a reason; the rest stay. ``unique``: (ids, ids seen in earlier chunks): of the rows that
    pass every rule, the first of each id stays and the others are duplicates; the ids kept join the seen ones."""
    reason = pd.Series("", index=frame.index, dtype=object)
    for bad, text in [*_size_rules(frame, spec), *_control_rules(frame, spec), *rules]:
        reason = reason.where((reason != "") | ~bad.fillna(False), text)
    if unique is not None:
        ids, seen = unique
        valid = reason == ""
        duplicate = ids[valid].duplicated() | _seen_before(ids[valid], seen)
        reason[duplicate[duplicate].index] = f"duplicate {ids.name} (an earlier line has it)"
        seen.update(ids[reason == ""].tolist())
    rejected = reason != ""
    return frame[~rejected], _rejects(frame[rejected], reason[rejected], spec)


def _visible(values: pd.Series) -> pd.Series:
    """Control characters but tab and line breaks written as ``\\xNN`` (a reject file shows a NUL it refused)."""
    return values.str.replace(TEXT_CONTROL, lambda m: f"\\x{ord(m[0]):02x}", regex=True)


def _shown(values: pd.Series) -> pd.Series:
    """A value as a rejects file may show it: cut to :data:`SHOWN_CHARS`, and never a spreadsheet formula (a
    leading ``'`` keeps ``=cmd|' /C calc'!A0`` text)."""
    text = values.astype(str)
    cut = text.str.len() > SHOWN_CHARS
    text = text.where(~cut, text.str.slice(0, SHOWN_CHARS) + "…")
    return escape_formulas(text)


def _rejects(frame: pd.DataFrame, reason: pd.Series, spec: FileSpec) -> pd.DataFrame:
    """line, reason (why the row was rejected), then the row's columns (a column of the file that is itself named
    ``line`` or ``reason``, such as a ban's reason, becomes ``file_reason``): an e-mail column as its first letter
    and domain, every other with its card numbers and e-mail-shaped text masked, prompt text not at all."""
    out = pd.DataFrame({"line": frame[LINE], "reason": reason})
    for column in spec.columns:
        if column in spec.dropped:
            continue
        values = frame[column].astype(str)
        if column in spec.masked:
            values = values.map(lambda v: mask_email(v) if v else "")
        out[f"file_{column}" if column in out else column] = _shown(_visible(masked(values)))
    return out


def _empty(values: pd.Series) -> pd.Series:
    return values.str.strip() == ""


def _bad_time(values: pd.Series, parsed: pd.Series) -> pd.Series:
    return (values != "") & parsed.isna()


def _time_reason(column: str, window: TimeWindow) -> str:
    return f"{column} is not an ISO-8601 timestamp within {window}"


def _not_alpha2(codes: pd.Series) -> pd.Series:
    return (codes != "") & ~codes.str.fullmatch(r"[A-Z]{2}")


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


def accounts(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
    ids = frame["account_id"].str.strip()
    created = parse_times(frame["created_at"], ctx.window)
    emails = [normalise_email(value) if value else None for value in frame["email"].tolist()]
    normalised = pd.Series(emails, index=frame.index, dtype=object)
    country = frame["country"].str.strip().str.upper()
    rules = [
        (_empty(ids), "empty account_id"),
        (_bad_time(frame["created_at"], created), _time_reason("created_at", ctx.window)),
        ((frame["email"] != "") & normalised.isna(), "email is not an email address"),
        (_not_alpha2(country), "country is not an ISO 3166 alpha-2 code"),
    ]
    kept, rejects = _split(frame, contract.ACCOUNTS, rules, (ids, state.seen))
    kept_emails = normalised[kept.index].tolist()
    domains = [email.rpartition("@")[2] if email is not None else None for email in kept_emails]
    disposable = disposable_domains()
    clean = pd.DataFrame(
        {
            "account_id": ids[kept.index],
            "created_at": created[kept.index],
            "email_hash": email_hashes(kept_emails, ctx.key),
            "email_domain": domains,
            "disposable": [domain in disposable if domain else False for domain in domains],
            "country": country[kept.index].replace("", None),
            "org_id": kept["org_id"].str.strip().replace("", None),
        },
        index=kept.index,
    )
    return Checked(clean, rejects)


def payments(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
    fingerprint = frame["payment_fingerprint"].str.strip()
    first_seen = parse_times(frame["first_seen"], ctx.window)
    card_country = frame["card_country"].str.strip().str.upper()
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (_empty(fingerprint), "empty payment_fingerprint"),
        (card_numbers(fingerprint), "payment_fingerprint is a raw card number (masked here; never stored)"),
        (_bad_time(frame["first_seen"], first_seen), _time_reason("first_seen", ctx.window)),
        (_not_alpha2(card_country), "card_country is not an ISO 3166 alpha-2 code"),
    ]
    kept, rejects = _split(frame, contract.PAYMENTS, rules)
    clean = pd.DataFrame(
        {
            "account_id": kept["account_id"].str.strip(),
            "fingerprint": fingerprint[kept.index],
            "method_type": kept["method_type"].replace("", None),
            "card_country": card_country[kept.index].replace("", None),
            "first_seen": first_seen[kept.index],
        }
    )
    return Checked(clean, rejects)


def sessions(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
    ips = parse_ips(frame["ip"])
    ts = parse_times(frame["ts"], ctx.window)
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (ips["ip"].isna(), "ip is not an IPv4 or IPv6 address"),
        (ts.isna(), _time_reason("ts", ctx.window)),
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


def prompts(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
    """The accepted prompts feed the similarity stage (from the spool, never the graph): the text, its time, the
    model it asked and the output length; a rejected row is in no family and no feature."""
    ts = parse_times(frame["ts"], ctx.window)
    bad_in, negative_in = _bad_count(frame["input_tokens"])
    bad_out, negative_out = _bad_count(frame["output_tokens"])
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (ts.isna(), _time_reason("ts", ctx.window)),
        (bad_in, "input_tokens is not a whole number"),
        (negative_in, "input_tokens is negative"),
        (bad_out, "output_tokens is not a whole number"),
        (negative_out, "output_tokens is negative"),
    ]
    kept, rejects = _split(frame, contract.PROMPTS, rules)
    output = pd.to_numeric(kept["output_tokens"].where(kept["output_tokens"] != "", None), errors="coerce")
    clean = pd.DataFrame({"account_id": kept["account_id"].str.strip(), "ts": ts[kept.index],
                          "prompt": kept["prompt"], "model": kept["model"].str.strip().replace("", None),
                          "output_tokens": output.fillna(0).astype("int64")})  # fmt: skip
    return Checked(clean, rejects)


def prompt_similarity(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
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


def bans(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
    banned_at = parse_times(frame["banned_at"], ctx.window)
    rules = [
        (_empty(frame["account_id"]), "empty account_id"),
        (_bad_time(frame["banned_at"], banned_at), _time_reason("banned_at", ctx.window)),
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


def allowlist(frame: pd.DataFrame, state: FileState, ctx: Context) -> Checked:
    kinds = ["account_id", "org_id", "ip", "cidr"]
    filled = pd.DataFrame({k: frame[k].str.strip() != "" for k in kinds})
    kind = filled.idxmax(axis=1).where(filled.sum(axis=1) == 1)
    value = pd.Series([frame.at[i, k].strip() if isinstance(k, str) else "" for i, k in kind.items()],
                      index=frame.index, dtype=object)  # fmt: skip
    canonical = value.copy()
    is_ip, is_cidr = kind == "ip", kind == "cidr"
    canonical[is_ip] = value[is_ip].map(lambda v: (canonical_ip(v) or (None,))[0])
    canonical[is_cidr] = value[is_cidr].map(canonical_network)
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


VALIDATORS: dict[str, Callable[[pd.DataFrame, FileState, Context], Checked]] = {
    "accounts": accounts,
    "payments": payments,
    "sessions": sessions,
    "prompts": prompts,
    "prompt_similarity": prompt_similarity,
    "bans": bans,
    "allowlist": allowlist,
}
