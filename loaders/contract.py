"""The batch folder's contract: which files, which columns, which of them are required.

Files are found by base name with any of the supported endings; columns are matched by name and unknown
columns are ignored. Only ``accounts`` is required.

Every column has a kind, which says what a typed file (Parquet, JSON Lines) may hold in it: text (a string), an id
(a string, or an integer taken as its exact decimal text), a number (a string or any number: token counts, scores)
or a time (a string; in Parquet also a timestamp or a date). Anything else (a float id, a boolean, a struct, a list)
is a structural error: read as text it would be ``1000.0``, ``True`` or ``{'a': 1}``, and two spellings of one id
make two accounts.

Every value the graph keeps has a size bound, checked before anything is written: a key (an id, a fingerprint, an
e-mail whose domain becomes a key) is indexed, and Neo4j refuses an index key over 8 kB half-way through a write;
other text is bounded so that one row cannot bloat the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["text", "id", "number", "time"]

ENDINGS = (".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz")
MAX_KEY_BYTES = 1024  # UTF-8 bytes of a key: far below Neo4j's 8 kB limit on an index entry
MAX_TEXT_BYTES = 4096  # UTF-8 bytes of any other text the graph keeps (a ban's reason, a payment method's type)


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # columns a reject file never shows as they are: an e-mail's first letter and domain, or nothing (prompt text);
    # every other column is shown with its card numbers and e-mail-shaped text masked
    masked: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    required_file: bool = False
    # free text may carry invalid UTF-8 (decoded with U+FFFD); in ids and keys it is a structural error
    encoding_errors: Literal["strict", "replace"] = "strict"
    keys: tuple[str, ...] = ()  # columns bounded by MAX_KEY_BYTES
    texts: tuple[str, ...] = ()  # columns bounded by MAX_TEXT_BYTES
    ids: tuple[str, ...] = ()  # may be integers in a typed file (their exact decimal text)
    numbers: tuple[str, ...] = ()  # may be numbers in a typed file
    times: tuple[str, ...] = ()  # may be timestamps or dates in Parquet

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def kind(self, column: str) -> ColumnKind:
        """What a typed file may hold in ``column``."""
        if column in self.ids:
            return "id"
        if column in self.numbers:
            return "number"
        return "time" if column in self.times else "text"


ACCOUNTS = FileSpec(
    "accounts",
    ("account_id",),
    ("created_at", "email", "country", "org_id"),
    masked=("email",),
    required_file=True,
    keys=("account_id", "email", "org_id"),
    ids=("account_id", "org_id"),
    times=("created_at",),
)
PAYMENTS = FileSpec(
    "payments",
    ("account_id", "payment_fingerprint"),
    ("method_type", "card_country", "first_seen"),
    keys=("account_id", "payment_fingerprint"),
    texts=("method_type",),
    ids=("account_id", "payment_fingerprint"),
    times=("first_seen",),
)
SESSIONS = FileSpec(
    "sessions",
    ("account_id", "ip", "ts"),
    ("user_agent", "device_id"),
    keys=("account_id", "device_id"),
    ids=("account_id", "device_id"),
    times=("ts",),
)
PROMPTS = FileSpec(
    "prompts",
    ("account_id", "ts", "prompt"),
    ("request_id", "model", "input_tokens", "output_tokens"),
    dropped=("prompt",),
    encoding_errors="replace",
    keys=("account_id", "model"),
    ids=("account_id", "request_id"),
    numbers=("input_tokens", "output_tokens"),
    times=("ts",),
)
PROMPT_SIMILARITY = FileSpec(
    "prompt_similarity",
    ("account_a", "account_b", "score"),
    keys=("account_a", "account_b"),
    ids=("account_a", "account_b"),
    numbers=("score",),
)
BANS = FileSpec(
    "bans",
    ("account_id",),
    ("banned_at", "reason"),
    keys=("account_id",),
    texts=("reason",),
    ids=("account_id",),
    times=("banned_at",),
)
# one of the four per row; none is required alone, so the check is the validator's
ALLOWLIST = FileSpec(
    "allowlist",
    (),
    ("account_id", "org_id", "ip", "cidr"),
    keys=("account_id", "org_id"),
    ids=("account_id", "org_id"),
)

SPECS: tuple[FileSpec, ...] = (ACCOUNTS, PAYMENTS, SESSIONS, PROMPTS, PROMPT_SIMILARITY, BANS, ALLOWLIST)
