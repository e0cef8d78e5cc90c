"""Personal data in, derived values out: emails become a keyed hash and a domain; raw card numbers are refused.

Raw card numbers, raw emails and prompt text never reach the graph, the outputs or the logs: what leaves this
module is a hash, a domain, a masked string, or nothing. A card number is any run of 13 to 19 digits that passes
the Luhn check, whatever its spelling: digits of any script (``４５３９…``, ``٤٥٣٩…``) and any separators between
its groups (spaces of every width, dots, dashes, slashes); every value a rejects file or an error message shows goes
through :func:`mask_personal` (cards to their last four digits, anything shaped like an e-mail address to its first
letter and domain).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.errors import LinkageError
from linkage.settings import Settings

DEMO_HASH_KEY = "linkage-demo-key-NOT-SECRET"
DOTLESS_PROVIDERS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
MIN_CARD_DIGITS, MAX_CARD_DIGITS = 13, 19  # the lengths of a primary account number
SLASHES = {".", "/", "\\", "_"}
MAX_GAP = 3  # separators between two digit groups of one number ("4111 - 1111")
CARD_SHAPED = rf"[0-9](?:[^a-zA-Z0-9]{{0,{MAX_GAP}}}[0-9]){{{MIN_CARD_DIGITS - 1}}}"  # RE2, over ASCII digits
AT_SIGNS = "[@\uff20\ufe6b]"  # @ and its full-width and small forms (NFKC folds them to @)
_ADDRESS_CHAR = r"[^\s@\uff20\ufe6b<>()\[\]{},;:\"'`]"  # what may be part of an address in running text
EMAIL_SHAPED = re.compile(rf"({_ADDRESS_CHAR}){_ADDRESS_CHAR}*{AT_SIGNS}({_ADDRESS_CHAR}+)")


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


@cache
def _is_separator(char: str) -> bool:
    """A character that may stand between the digit groups of a card number: any space (no-break, thin…), a dash,
    an invisible format character (zero-width space, soft hyphen), or a dot, slash, backslash or underscore in any
    width."""
    return (
        char.isspace() or unicodedata.category(char) in ("Pd", "Cf") or unicodedata.normalize("NFKC", char) in SLASHES
    )


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


def _runs(text: str) -> Iterator[list[tuple[int, int, str]]]:
    """Runs of digit groups, each group (start, end, its digits in ASCII): Unicode decimal digits, the groups of a
    run apart by at most :data:`MAX_GAP` separators. A group glued to a letter is part of a word (``fp3fa94111…``,
    a hex token), not of a number, and is left out."""
    groups: list[tuple[int, int, str]] = []
    glued = False  # the run's first group follows a letter
    start, gap, previous = -1, 0, ""
    for index, char in enumerate(f"{text}\0"):  # a sentinel ends the last run
        if char.isdecimal():
            if start < 0:
                glued = previous.isalnum() if not groups else glued
                start, gap = index, 0
        else:
            if start >= 0:
                groups.append((start, index, _ascii_digits(text[start:index])))
                start = -1
            if groups and _is_separator(char) and gap < MAX_GAP:
                gap += 1
            elif groups:
                yield groups[glued : len(groups) - (char.isalnum() and gap == 0)]
                groups, gap = [], 0
        previous = char


def card_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a card number: 13 to 19 digits (any Unicode decimal digits, any separators between
    groups) that pass the Luhn check, as (start, end). Any run of whole groups counts, so two cards in one run
    (``4111… 5500…``) are both found."""
    found = []
    for groups in _runs(text):
        for first, (start, _, _) in enumerate(groups):
            digits = ""
            for _, end, group in groups[first:]:
                digits += group
                if len(digits) > MAX_CARD_DIGITS:
                    break
                if len(digits) >= MIN_CARD_DIGITS and luhn_valid(digits):
                    found.append((start, end))
    return found


def holds_card_number(text: str) -> bool:
    return bool(card_spans(text))


def _card_shaped(values: pd.Series) -> np.ndarray:
    """Which values may hold a card number, found in Arrow (no Python per value): 13 ASCII digits with at most
    :data:`MAX_GAP` other characters that are not ASCII letters between two of them, or 13 digits of any script in
    a value that is not ASCII (rare: a Unicode class is slow in RE2, so it only looks at those)."""
    array = pa.array(values.astype(str), type=pa.large_string())
    shaped = np.asarray(pc.match_substring_regex(array, CARD_SHAPED).to_numpy(zero_copy_only=False))
    wide = ~np.asarray(pc.string_is_ascii(array).to_numpy(zero_copy_only=False))
    if wide.any():
        digits = pc.count_substring_regex(array.filter(pa.array(wide)), r"\p{Nd}").to_numpy(zero_copy_only=False)
        shaped[wide] |= np.asarray(digits) >= MIN_CARD_DIGITS
    return shaped


def card_numbers(values: pd.Series) -> pd.Series:
    """Vectorised :func:`holds_card_number`: a regular expression first (in Arrow), the check only on the few values
    it finds."""
    flags = np.zeros(len(values), dtype=bool)
    candidates = _card_shaped(values)
    if candidates.any():
        flags[candidates] = [holds_card_number(v) for v in values[candidates].astype(str)]
    return pd.Series(flags, index=values.index)


def mask_cards(text: str) -> str:
    """``text`` with each card number in it shown as its last four digits (ASCII), a star for each other digit."""
    out, done = [], 0
    for start, end in sorted(card_spans(text)):
        start = max(start, done)  # overlapping numbers are masked as one
        digits = _ascii_digits(text[start:end])
        if digits:
            out.append(text[done:start] + "*" * max(len(digits) - 4, 0) + digits[-4:])
            done = end
    return "".join(out) + text[done:]


def mask_emails(text: str) -> str:
    """``text`` with anything shaped like an e-mail address shown only as its first letter and its domain."""
    return EMAIL_SHAPED.sub(lambda m: f"{m[1]}***@{m[2]}", text)


def mask_personal(text: str) -> str:
    """What may be shown of any value: its card numbers and e-mail addresses masked."""
    return mask_emails(mask_cards(text))


def masked(values: pd.Series) -> pd.Series:
    """Vectorised :func:`mask_personal`: Arrow finds the values with an at sign or enough digits, Python masks them."""
    text = values.astype(str)
    array = pa.array(text, type=pa.large_string())
    candidates = pc.match_substring_regex(array, AT_SIGNS).to_numpy(zero_copy_only=False)
    candidates |= _card_shaped(text)
    if not candidates.any():
        return text
    out = text.astype(object)
    out[candidates] = [mask_personal(v) for v in text[candidates]]
    return out


@cache
def disposable_domains() -> frozenset[str]:
    text = resources.files("loaders").joinpath("data/disposable_domains.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
