"""The slots of a template (code blocks, URLs, e-mails, quoted strings, numbers), found byte by byte in compiled
code so that the MinHash kernel masks them while it hashes, without a regex pass or a masked copy of the text.

:func:`slot` finds what RE2 finds with :data:`PATTERN` (leftmost-first) on lowercased UTF-8 text, scanned from left
to right: at each position the first alternative that matches wins, and scanning goes on after the match. The
pattern itself makes the text form (:func:`linkage.similarity.normalise.normalise`, a vectorised RE2 pass, for
tests, examples and the benchmark's baselines), and a hypothesis test holds the kernel to the same signatures from
raw text as from that text. ASCII letters are lowercased here (:data:`LOWER`); other text must be folded before
(:func:`linkage.similarity.normalise.fold_case`: NFKC, then pyarrow's ``utf8_lower``).

Scripts written without spaces between words (:data:`UNSPACED`) have no words to split: each of their characters
is a word of its own (:func:`unspaced`), so three-word shingles over Chinese are character trigrams, while spaced
scripts keep word shingles. A URL ends before such a character (it would otherwise swallow the rest of the line).

numba's on-disk cache of the kernel that inlines this code (``minhash._sign``) is keyed on ``minhash.py`` alone, and
numba freezes the tables here (:data:`CLASSES`, the :data:`UNSPACED` ranges) into the compiled code: after editing
this file, delete ``linkage/similarity/__pycache__/*.nb[ic]`` (or touch ``minhash.py``).
"""

from __future__ import annotations

import numba
import numpy as np

MASK = " <m> "  # what a slot becomes in the text form; the kernel hashes it as the word "<m>"
# Characters that are words of their own, as code point ranges. The kernel sees them after NFKC, which maps
# full-width and half-width forms to ASCII or into these ranges, the ideographic space U+3000 to a space, Kangxi
# radicals and most compatibility ideographs to unified ideographs; the CJK Radicals Supplement (U+2E80-U+2EFF,
# rare in text) is left out, its lead byte being a SLOT byte. Ranges above U+FFFF must be whole blocks of 4,096.
UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3001, 0x9FFF),  # CJK symbols and punctuation, kana, Bopomofo, Hangul compatibility jamo, CJK strokes,
    # enclosed CJK, CJK compatibility, Extension A, Yijing hexagrams, Unified Ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs (the dozen that NFKC leaves)
    (0x20000, 0x3FFFF),  # CJK Extensions B-H
)
UNSPACED_CLASS = "".join(f"\\x{{{low:X}}}-\\x{{{high:X}}}" for low, high in UNSPACED)  # inside an RE2 [...]
PATTERN = (
    r"```[^`]*(?:```|$)"
    r"|(?:https?://|www\.)[^\s" + UNSPACED_CLASS + "]+"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"
    r"|\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»"  # unbounded: a bounded repeat makes RE2's DFA 15x slower
    r"|\d+(?:[.,:/-]\d+)*"
)

# a per-row cache: where the last slot ended (the scan resumed there), the end of the current run of [\w.+-]
# bytes, where that run's e-mail ends (-1: none), and up to where an opening curly quote or guillemet cannot close
# (the line ends first); set per row by ``reset``
CACHE_SIZE = 5
_RESUMED, _RUN_END, _EMAIL_END, _CURLY_FAIL, _GUILLEMET_FAIL = range(CACHE_SIZE)
_SPACE = np.zeros(256, dtype=np.bool_)
_SPACE[[9, 10, 12, 13, 32]] = True  # RE2's \s
_WORD = np.zeros(256, dtype=np.bool_)  # \w
_WORD[[*range(48, 58), *range(65, 91), *range(97, 123), 95]] = True
_LOCAL = _WORD.copy()  # [\w.+-]: an e-mail's local part
_LOCAL[[ord("."), ord("+"), ord("-")]] = True
_DOMAIN = _WORD.copy()  # [\w-]
_DOMAIN[ord("-")] = True
_TLD = _DOMAIN.copy()  # [\w.-]
_TLD[ord(".")] = True
_NUMBER_SEPARATOR = np.zeros(256, dtype=np.bool_)
_NUMBER_SEPARATOR[[ord(c) for c in ".,:/-"]] = True
# byte classes: WORD bytes are hashed, SPACE bytes (ASCII whitespace and control bytes) end a word, and at SLOT
# bytes a slot may be found: where code, a URL, a quote or a number starts, and at an @ (an e-mail is found from
# its @, or from a URL or number inside its local part, and reaches back to the local part's start)
WORD, SPACE, SLOT, WIDE = 0, 1, 2, 3  # WIDE: the lead byte of a character that may be UNSPACED
CLASSES = np.full(256, WORD, dtype=np.uint8)
CLASSES[:33] = SPACE
CLASSES[[*b'`"0123456789hHwW@', 0xE2, 0xC2]] = SLOT
_UNSPACED_BMP = np.zeros(0x10000, dtype=np.bool_)  # by code point
_UNSPACED_ASTRAL = np.zeros(0x110, dtype=np.bool_)  # by code point >> 12
for _low, _high in UNSPACED:
    if _high <= 0xFFFF:
        _UNSPACED_BMP[_low : _high + 1] = True
    else:
        _UNSPACED_ASTRAL[_low >> 12 : (_high >> 12) + 1] = True
_LEADS = np.union1d(0xE0 | (np.flatnonzero(_UNSPACED_BMP) >> 12), 0xF0 | (np.flatnonzero(_UNSPACED_ASTRAL) >> 6))
assert (CLASSES[_LEADS] == WORD).all() and np.flatnonzero(_UNSPACED_BMP).min() >= 0x800  # 3-byte, not a SLOT byte
CLASSES[_LEADS] = WIDE


LOWER = np.arange(256, dtype=np.uint8)  # ASCII lowercasing as a lookup
LOWER[65:91] += 32


def _literal(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8)


_FENCE, _HTTP, _HTTPS, _WWW = _literal("```"), _literal("http://"), _literal("https://"), _literal("www.")
_QUOTE, _CURLY_OPEN, _CURLY_CLOSE = _literal('"'), _literal("“"), _literal("”")
_GUILLEMET_OPEN, _GUILLEMET_CLOSE = _literal("«"), _literal("»")


@numba.njit(inline="always")
def reset(cache: np.ndarray, start: int) -> None:
    """Prepare the cache for a row that starts at byte ``start``."""
    cache[:] = -1
    cache[_RESUMED] = start


@numba.njit(inline="always")
def _digit(byte: np.uint8) -> bool:
    return bool(np.uint8(48) <= byte <= np.uint8(57))


@numba.njit(cache=True)
def starts_with(data: np.ndarray, p: int, end: int, literal: np.ndarray) -> bool:
    """Whether the (lowercased) text at p starts with ``literal``."""
    if p + len(literal) > end:
        return False
    j = 0
    while j < len(literal) and LOWER[data[p + j]] == literal[j]:
        j += 1
    return j == len(literal)


@numba.njit(cache=True)
def _find(data: np.ndarray, p: int, end: int, closing: np.ndarray) -> int:
    """Where the first ``closing`` (or else a newline) from p starts; -1 for a newline or the end of the text."""
    while p < end:
        if data[p] == 10:
            return -1
        if starts_with(data, p, end, closing):
            return p
        p += 1
    return -1


@numba.njit(cache=True)
def _line_end(data: np.ndarray, p: int, end: int) -> int:
    while p < end and data[p] != 10:
        p += 1
    return p


@numba.njit(cache=True)
def _code_end(data: np.ndarray, p: int, end: int) -> int:
    """```[^`]*(?:```|$): the first backtick after the opening must open a closing fence, or there is none."""
    if not starts_with(data, p, end, _FENCE):
        return -1
    q = p + 3
    while q < end and data[q] != 96:
        q += 1
    if q == end:
        return end
    return q + 3 if starts_with(data, q, end, _FENCE) else -1


@numba.njit(inline="always")
def unspaced(data: np.ndarray, p: int, end: int) -> int:
    """The length in bytes of the character at p if it is a word of its own (:data:`UNSPACED`), else 0."""
    lead = data[p]
    if CLASSES[lead] != WIDE:
        return 0
    if lead < 0xF0:
        if p + 3 > end:
            return 0
        point = (np.int64(lead & 0x0F) << 12) | (np.int64(data[p + 1] & 0x3F) << 6) | np.int64(data[p + 2] & 0x3F)
        return 3 if _UNSPACED_BMP[point] else 0
    if p + 4 > end:
        return 0
    return 4 if _UNSPACED_ASTRAL[(np.int64(lead & 0x07) << 6) | np.int64(data[p + 1] & 0x3F)] else 0


@numba.njit(cache=True)
def _url_end(data: np.ndarray, p: int, end: int) -> int:
    """(?:https?://|www\\.)[^\\s<UNSPACED>]+"""
    if starts_with(data, p, end, _HTTP):
        q = p + 7
    elif starts_with(data, p, end, _HTTPS):
        q = p + 8
    elif starts_with(data, p, end, _WWW):
        q = p + 4
    else:
        return -1
    start = q
    while q < end and not _SPACE[data[q]] and not unspaced(data, q, end):
        q += 1
    return q if q > start else -1


@numba.njit(cache=True)
def _email_end(data: np.ndarray, at: int, end: int) -> int:
    """@[\\w-]+\\.[\\w.-]+ after a run of [\\w.+-] that stops at ``at`` (greedy runs never need to give back:
    each one stops at a byte the next part needs)."""
    if at >= end or data[at] != 64:
        return -1
    q = at + 1
    while q < end and _DOMAIN[data[q]]:
        q += 1
    if q == at + 1 or q >= end or data[q] != 46:
        return -1
    start = q + 1
    q = start
    while q < end and _TLD[data[q]]:
        q += 1
    return q if q > start else -1


@numba.njit(cache=True)
def _number_end(data: np.ndarray, p: int, end: int) -> int:
    """\\d+(?:[.,:/-]\\d+)*"""
    q = p
    while q < end and _digit(data[q]):
        q += 1
    while q + 1 < end and _NUMBER_SEPARATOR[data[q]] and _digit(data[q + 1]):
        q += 2
        while q < end and _digit(data[q]):
            q += 1
    return q


@numba.njit(cache=True)
def _quote_end(data: np.ndarray, p: int, end: int, cache: np.ndarray, which: int, closing: np.ndarray) -> int:
    """A quoted string up to its closing quote on the same line. A quote that cannot close remembers where its
    line ends, so a line of many opening quotes is scanned once (the plain double quote needs no memory: its
    search stops at the next double quote)."""
    if p < cache[which]:
        return -1
    close = _find(data, p + 1, end, closing)
    if close < 0:
        cache[which] = _line_end(data, p, end)
        return -1
    return close + len(closing)


@numba.njit(cache=True)
def _email(data: np.ndarray, p: int, end: int, cache: np.ndarray) -> tuple[int, int]:
    """The e-mail whose local part is the run of [\\w.+-] bytes through p (or just before an @ at p), from where the
    scan resumed at the earliest: (start, end), or (-1, -1). A run's answer is kept while p stays inside it."""
    if p >= cache[_RUN_END]:
        q = p
        while q < end and _LOCAL[data[q]]:
            q += 1
        cache[_RUN_END] = q
        cache[_EMAIL_END] = _email_end(data, q, end)
    if cache[_EMAIL_END] < 0:
        return -1, -1
    start = p
    while start > cache[_RESUMED] and _LOCAL[data[start - 1]]:
        start -= 1
    return (start, cache[_EMAIL_END]) if start < cache[_RUN_END] else (-1, -1)


@numba.njit(inline="always")
def _word_slot(data: np.ndarray, p: int, end: int, cache: np.ndarray) -> tuple[int, int]:
    """A URL, e-mail or number found at byte p. An e-mail starts left of p when p is inside its local part: the
    regex would have matched it from there (leftmost), except that a URL at that same byte comes first."""
    byte = data[p]
    letter = LOWER[byte]
    url = -1
    if (letter == 104 or letter == 119) and p + 1 < end and LOWER[data[p + 1]] == (116 if letter == 104 else 119):
        url = _url_end(data, p, end)  # ht(tp), ww(w)
    if url < 0 and not _digit(byte) and byte != 64:
        return -1, -1
    start, email = _email(data, p, end, cache)
    if email >= 0 and (start < p or url < 0):
        return start, email
    if url >= 0:
        return p, url
    if _digit(byte):
        return p, _number_end(data, p, end)
    return -1, -1


@numba.njit(inline="always")
def slot(data: np.ndarray, p: int, end: int, cache: np.ndarray) -> tuple[int, int]:
    """The slot found at byte p as (start, end), end exclusive, or (-1, -1). Only an e-mail starts before p (its
    local part, scanned as text already). Positions must be asked in increasing order within a row, skipping the
    inside of slots, with ``cache`` reset for every row; it is enough to ask at SLOT bytes."""
    byte = data[p]
    start, stop = p, -1
    if byte == 96:
        stop = _code_end(data, p, end)
    elif byte == 34:
        close = _find(data, p + 1, end, _QUOTE)
        stop = close + 1 if close >= 0 else -1
    elif byte == 0xE2:
        if starts_with(data, p, end, _CURLY_OPEN):
            stop = _quote_end(data, p, end, cache, _CURLY_FAIL, _CURLY_CLOSE)
    elif byte == 0xC2:
        if starts_with(data, p, end, _GUILLEMET_OPEN):
            stop = _quote_end(data, p, end, cache, _GUILLEMET_FAIL, _GUILLEMET_CLOSE)
    else:
        start, stop = _word_slot(data, p, end, cache)
    if stop < 0:
        return -1, -1
    cache[_RESUMED] = stop
    return start, stop
