"""Prompt normalisation: the slots of a template (numbers, quoted strings, code, URLs, e-mails) are masked so that
slot-filled prompts of one template hash alike, and the text is case-folded.

The hashing path never builds the normalised text: the MinHash kernel lowercases ASCII, masks the slots
(:mod:`linkage.similarity.slots`) and makes each character of a script written without spaces a word of its own
while it hashes; only rows with non-ASCII bytes are folded beforehand (:func:`fold_case`, pyarrow: NFKC, so that
full-width digits are digits and full-width letters letters, then lowercase). :func:`normalise` makes the same as
text (vectorised RE2, no Python loop per prompt), for tests, examples and the benchmark's baselines: its words,
split on ASCII whitespace and control bytes, are the words the kernel hashes. Other whitespace is not rewritten: the
tokeniser splits on any run of it, which is the same as collapsing it. :func:`redact` is the slower, typed version
for the few examples shown to analysts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.similarity import slots

_COT = (
    r"step[- ]by[- ]step|chain[- ]of[- ]thought|show (?:all )?(?:of )?(?:your |the )?(?:work|reasoning|thinking|steps)"
    r"|explain (?:all )?(?:of )?your reasoning|think (?:carefully|it through|through)|reason (?:carefully|through)"
    r"|let'?s think|<think(?:ing)?>|full reasoning|reasoning trace"
)


_UNSPACED_WORD = r"\s*([" + slots.UNSPACED_CLASS + r"])\s*"  # the spaces it had around it too: idempotent


def to_arrow(values: Iterable[object] | pa.Array | pa.ChunkedArray, max_chars: int) -> pa.StringArray:
    """A UTF-8 string array from whatever the reader gave: bytes are decoded with replacement characters, None
    becomes empty, and every prompt is cut to ``max_chars`` characters (a huge prompt costs no more than that)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array) and pa.types.is_string(values.type):
        array = values
    elif isinstance(values, pa.Array) and pa.types.is_large_string(values.type):
        array = values.cast(pa.string())
    else:
        try:  # zero-copy for Arrow-backed pandas strings, one C loop for Python ones
            array = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            items = values.to_pylist() if isinstance(values, pa.Array) else list(values)
            array = pa.array([_text(item) for item in items], type=pa.string())
    array = pc.fill_null(array, "")
    offsets, _ = buffers(array)
    if len(array) and np.diff(offsets).max() <= max_chars:  # no row has more bytes, so no more characters
        return array
    return pc.utf8_slice_codeunits(array, 0, max_chars)


def buffers(texts: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (int64) and UTF-8 bytes of a string array, without copying the bytes."""
    offsets_buffer, data_buffer = texts.buffers()[1:3]
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[texts.offset : texts.offset + len(texts) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def _text(item: object) -> str:
    """One value as valid UTF-8 text (invalid bytes and lone surrogates become U+FFFD)."""
    if item is None or (isinstance(item, float) and item != item):
        return ""
    if isinstance(item, bytes | bytearray | memoryview):
        return bytes(item).decode("utf-8", errors="replace")
    return str(item).encode("utf-8", errors="replace").decode("utf-8")


def _where(
    texts: pa.StringArray, rows: pa.BooleanArray, function: Callable[[pa.StringArray], pa.StringArray]
) -> pa.StringArray:
    """``function`` applied to the chosen rows only."""
    return pc.replace_with_mask(texts, rows, function(pc.filter(texts, rows)))


def _non_ascii_rows(texts: pa.StringArray, function: Callable[[pa.StringArray], pa.StringArray]) -> pa.StringArray:
    """``function`` applied to the rows with non-ASCII bytes only: a pass over a whole chunk would cost a sixth of
    our time, and the kernel does what is needed for ASCII rows on the fly."""
    offsets, data = buffers(texts)
    if not len(texts) or offsets[-1] == offsets[0] or data[offsets[0] : offsets[-1]].max() < 0x80:
        return texts
    return _where(texts, pc.invert(pc.string_is_ascii(texts)), function)


@cache
def _compatibility_forms() -> str:
    """An RE2 class of the characters that NFKC changes on their own (full-width and half-width forms, ligatures,
    compatibility ideographs, the ideographic space...; none above U+2FFFF), from Python's Unicode tables."""
    points = [
        p for p in range(0x80, 0x30000) if not 0xD800 <= p < 0xE000 and unicodedata.normalize("NFKC", chr(p)) != chr(p)
    ]
    ranges: list[list[int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "[" + "".join(f"\\x{{{low:X}}}-\\x{{{high:X}}}" for low, high in ranges) + "]"


def _fold(rows: pa.StringArray) -> pa.StringArray:
    """NFKC, then lowercase. NFKC (pyarrow's, 55 MB/s) only runs on the rows with a character it changes on its own
    (found by RE2, 400 MB/s): the others are in NFKC already, unless they hold decomposed accents or jamo, which
    stay as they are."""
    compatible = pc.match_substring_regex(rows, _compatibility_forms())
    return pc.utf8_lower(_where(rows, compatible, lambda chosen: pc.utf8_normalize(chosen, "NFKC")))


def fold_case(texts: pa.StringArray) -> pa.StringArray:
    """Rows with non-ASCII bytes folded (:func:`_fold`: full-width and other compatibility forms as their plain
    characters, then lowercase by pyarrow's Unicode rules); ASCII rows are left to the kernel, which lowercases them
    on the fly."""
    return _non_ascii_rows(texts, _fold)


def normalise(texts: pa.StringArray) -> pa.StringArray:
    """Case-folded, slots masked, and spaces around each character that is a word of its own (vectorised; the input
    comes from :func:`to_arrow`)."""
    masked = pc.replace_substring_regex(pc.ascii_lower(fold_case(texts)), slots.PATTERN, slots.MASK)
    return _non_ascii_rows(masked, lambda rows: pc.replace_substring_regex(rows, _UNSPACED_WORD, r" \1 "))


def normalise_text(text: object, max_chars: int = 8_000) -> str:
    """:func:`normalise` for one value, with whitespace collapsed (tests and examples)."""
    value = normalise(to_arrow([_text(text)], max_chars))[0].as_py()
    return " ".join(str(value).split())


def chain_of_thought(texts: pa.StringArray) -> pa.BooleanArray:
    """Which prompts ask the model to spell out its reasoning (the distillers' favourite instruction), in any case."""
    return pc.match_substring_regex(texts, _COT, ignore_case=True)


_REDACTIONS = [
    (re.compile(r"```.*?(?:```|$)", re.S), "<code>"),
    (re.compile(r"(?:https?://|www\.)\S+"), "<url>"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "<email>"),
    (re.compile(r"\"[^\"\n]*\"|'[^'\n]{2,}'|“[^”\n]*”|«[^»\n]*»"), "<str>"),
    (re.compile(r"(?<=[\w,;:] )[A-Z][\w'-]+"), "<name>"),  # capitalised words inside a sentence: names
    (re.compile(r"\S*\d\S*"), "<num>"),
]


def redact(text: str, max_chars: int = 240) -> str:
    """An analyst-safe example: typed masks for slots and names, lowercased, whitespace collapsed, cut short."""
    for pattern, token in _REDACTIONS:
        text = pattern.sub(token, text)
    text = " ".join(text.lower().split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"
