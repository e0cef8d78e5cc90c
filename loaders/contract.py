"""The batch folder's contract: which files, which columns, which of them are required.

Files are found by base name with any of the supported endings; columns are matched by name and unknown
columns are ignored. Only ``accounts`` is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ENDINGS = (".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz")


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # columns a reject file must never show as they are: masked (email, card) or dropped (prompt text)
    masked: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    required_file: bool = False
    # free text may carry invalid UTF-8 (decoded with U+FFFD); in ids and keys it is a structural error
    encoding_errors: Literal["strict", "replace"] = "strict"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


ACCOUNTS = FileSpec(
    "accounts", ("account_id",), ("created_at", "email", "country", "org_id"), masked=("email",), required_file=True
)
PAYMENTS = FileSpec(
    "payments",
    ("account_id", "payment_fingerprint"),
    ("method_type", "card_country", "first_seen"),
    masked=("payment_fingerprint",),
)
SESSIONS = FileSpec("sessions", ("account_id", "ip", "ts"), ("user_agent", "device_id"))
PROMPTS = FileSpec(
    "prompts",
    ("account_id", "ts", "prompt"),
    ("request_id", "model", "input_tokens", "output_tokens"),
    dropped=("prompt",),
    encoding_errors="replace",
)
PROMPT_SIMILARITY = FileSpec("prompt_similarity", ("account_a", "account_b", "score"))
BANS = FileSpec("bans", ("account_id",), ("banned_at", "reason"))
# one of the four per row; none is required alone, so the check is the validator's
ALLOWLIST = FileSpec("allowlist", (), ("account_id", "org_id", "ip", "cidr"))

SPECS: tuple[FileSpec, ...] = (ACCOUNTS, PAYMENTS, SESSIONS, PROMPTS, PROMPT_SIMILARITY, BANS, ALLOWLIST)
