"""The batch folder's contract: which files, which columns, which of them are required.

Files are found by base name with any of the supported endings; columns are matched by name and unknown
columns are ignored. Only ``accounts`` is required.

Every value the graph keeps has a size bound, checked before anything is written: a key (an id, a fingerprint, an
e-mail whose domain becomes a key) is indexed, and Neo4j refuses an index key over 8 kB half-way through a write;
other text is bounded so that one row cannot bloat the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ENDINGS = (".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz")
MAX_KEY_BYTES = 1024  # UTF-8 bytes of a key: far below Neo4j's 8 kB limit on an index entry
MAX_TEXT_BYTES = 4096  # UTF-8 bytes of any other text the graph keeps (a ban's reason, a payment method's type)


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
    keys: tuple[str, ...] = ()  # columns bounded by MAX_KEY_BYTES
    texts: tuple[str, ...] = ()  # columns bounded by MAX_TEXT_BYTES

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


ACCOUNTS = FileSpec(
    "accounts",
    ("account_id",),
    ("created_at", "email", "country", "org_id"),
    masked=("email",),
    required_file=True,
    keys=("account_id", "email", "org_id"),
)
PAYMENTS = FileSpec(
    "payments",
    ("account_id", "payment_fingerprint"),
    ("method_type", "card_country", "first_seen"),
    masked=("payment_fingerprint",),
    keys=("account_id", "payment_fingerprint"),
    texts=("method_type",),
)
SESSIONS = FileSpec(
    "sessions", ("account_id", "ip", "ts"), ("user_agent", "device_id"), keys=("account_id", "device_id")
)
PROMPTS = FileSpec(
    "prompts",
    ("account_id", "ts", "prompt"),
    ("request_id", "model", "input_tokens", "output_tokens"),
    dropped=("prompt",),
    encoding_errors="replace",
    keys=("account_id", "model"),
)
PROMPT_SIMILARITY = FileSpec("prompt_similarity", ("account_a", "account_b", "score"), keys=("account_a", "account_b"))
BANS = FileSpec("bans", ("account_id",), ("banned_at", "reason"), keys=("account_id",), texts=("reason",))
# one of the four per row; none is required alone, so the check is the validator's
ALLOWLIST = FileSpec("allowlist", (), ("account_id", "org_id", "ip", "cidr"), keys=("account_id", "org_id"))

SPECS: tuple[FileSpec, ...] = (ACCOUNTS, PAYMENTS, SESSIONS, PROMPTS, PROMPT_SIMILARITY, BANS, ALLOWLIST)
