"""Personal data in, derived values out: emails become a keyed hash and a domain; raw card numbers are refused.

Raw card numbers, raw emails and prompt text never reach the graph, the outputs or the logs: what leaves this
module is a hash, a domain, a masked string, or nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from linkage.errors import LinkageError
from linkage.settings import Settings

DEMO_HASH_KEY = "linkage-demo-key-NOT-SECRET"
DOTLESS_PROVIDERS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
CARD_CANDIDATE = re.compile(r"^[0-9][0-9 -]{11,22}[0-9]$")


class MissingHashKey(LinkageError):
    pass


def hash_key(settings: Settings) -> bytes:
    """The HMAC key: LINKAGE_HASH_KEY, else LINKAGE_HASH_KEY_FILE, else (demo mode only) a public demo key."""
    if settings.hash_key is not None and settings.hash_key.get_secret_value():
        return settings.hash_key.get_secret_value().encode()
    if settings.hash_key_file is not None:
        try:
            return settings.hash_key_file.read_bytes().strip()
        except OSError as exc:
            raise MissingHashKey(f"LINKAGE_HASH_KEY_FILE cannot be read: {settings.hash_key_file} ({exc})") from exc
    if settings.demo:
        return DEMO_HASH_KEY.encode()
    raise MissingHashKey(
        "Emails are stored only as a keyed hash: set LINKAGE_HASH_KEY or LINKAGE_HASH_KEY_FILE "
        "(or LINKAGE_DEMO=1 for synthetic data)."
    )


def normalise_email(email: str) -> str | None:
    """Lower case, no plus-tag, no dots where the provider ignores them; None when it is not an address."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local or "." not in domain or " " in email.strip():
        return None
    local = local.split("+", 1)[0]
    if domain in DOTLESS_PROVIDERS:
        domain = DOTLESS_PROVIDERS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def email_hashes(normalised: Iterable[str | None], key: bytes) -> list[str | None]:
    """The HMAC-SHA256 of each normalised address under ``key`` (None stays None); one keyed state is copied per
    address rather than the key schedule computed again."""
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    hashes: list[str | None] = []
    for address in normalised:
        if address is None:
            hashes.append(None)
            continue
        state = keyed.copy()
        state.update(address.encode())
        hashes.append(state.hexdigest())
    return hashes


def mask_email(email: str) -> str:
    """What a reject file may show of an email: its first character and its domain."""
    local, at, domain = email.strip().rpartition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card_number(value: str) -> bool:
    """13 to 19 digits (spaces and dashes allowed between) that pass the Luhn check: a raw card number."""
    if not CARD_CANDIDATE.match(value):
        return False
    digits = re.sub(r"[ -]", "", value)
    return 13 <= len(digits) <= 19 and digits.isdigit() and luhn_valid(digits)


def card_numbers(values: pd.Series) -> pd.Series:
    """Vectorised :func:`is_card_number`: a cheap regex first, Luhn only on the few candidates."""
    flags = np.zeros(len(values), dtype=bool)
    candidates = values.str.fullmatch(CARD_CANDIDATE.pattern, na=False).to_numpy()
    if candidates.any():
        flags[candidates] = [is_card_number(v) for v in values[candidates]]
    return pd.Series(flags, index=values.index)


def mask_card(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - 4) + digits[-4:]


@cache
def disposable_domains() -> frozenset[str]:
    text = resources.files("loaders").joinpath("data/disposable_domains.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
