"""Prompt segments: the sentences and clauses of a request, each hashed exactly after its slots are masked.

A farm that paraphrases every request shares no template: each prompt wraps its task in a freshly combined
instruction, so no two prompts are near-duplicates as a whole. What stays is in the parts: the answer format it asks
for, the task statements of its curriculum with their numbers masked, a system sentence it never rewords. A segment
is the text between sentence ends (``.``, ``!``, ``?``, ``;`` or ``:`` before a space or the end, a line feed, an
ideographic full stop), hashed word by word as the MinHash kernel sees words (:mod:`linkage.similarity.slots` masks
numbers, quotes, code, URLs and e-mails), so ``Answer as JSON with keys steps and answer.`` hashes alike in every
request that carries it, whatever surrounds it. Segments of fewer than ``min_words`` words (a label, a greeting)
are not kept.

A segment an account sends habitually (in a share of its requests, :func:`habitual`) is a value it uses, like a
template family: shared by accounts whose other sharing corroborates it, it is evidence of the same kind (prompt),
weighed by :mod:`linkage.detect.evidence` like every value. Only prompts outside the night's template families are
cut into segments: a family already stands for its whole text.
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import pyarrow as pa

from linkage.similarity import slots
from linkage.similarity.minhash import _FNV_OFFSET, _FNV_PRIME, _MASK_WORD, _PRIME, _rehash, _unspaced_word, fmix64
from linkage.similarity.normalise import buffers

SEGMENT_COLUMNS = ["account", "segment", "requests"]
ID_PREFIX = "ps-"  # a segment's family id (a whole template's starts "tf-")
_ENDS = np.zeros(256, dtype=np.bool_)  # a sentence ends at one of these before a space (or the end of the text)
_ENDS[[ord(c) for c in ".!?;:"]] = True
_IDEOGRAPHIC_STOP = np.frombuffer("。".encode(), dtype=np.uint8)


@numba.njit(inline="always")
def _sentence_end(data: np.ndarray, p: int, end: int) -> int:
    """The length in bytes of the sentence end at p (0: none)."""
    byte = data[p]
    if byte == 10:
        return 1
    if _ENDS[byte] and (p + 1 == end or slots.CLASSES[data[p + 1]] == slots.SPACE):
        return 1
    if byte == 0xE3 and slots.starts_with(data, p, end, _IDEOGRAPHIC_STOP):
        return 3
    return 0


@numba.njit(inline="always")
def _close(segment: np.uint64, words: int, word: np.uint64, inside: bool) -> tuple[np.uint64, int]:
    """The segment with the word being read added to it, when one is being read."""
    if inside:
        return segment * _PRIME + word, words + 1
    return segment, words


@numba.njit(inline="always")
def _emit(out: np.ndarray, spans: np.ndarray, row: int, count: int, segment: np.uint64, words: int,
          min_words: int, start: int, stop: int) -> int:  # fmt: skip
    """Keep a finished segment of at least ``min_words`` words (while the row has room); returns the new count."""
    if words >= min_words and count < out.shape[1]:
        out[row, count] = fmix64(segment) | np.uint64(1)  # never 0, which marks an unused place
        spans[row, count, 0] = start
        spans[row, count, 1] = stop
        return count + 1
    return count


@numba.njit(parallel=True, nogil=True, cache=True)
def _segment(offsets: np.ndarray, data: np.ndarray, min_words: int, out: np.ndarray, spans: np.ndarray) -> None:
    n = len(offsets) - 1
    blocks = (n + 255) // 256
    for block in numba.prange(blocks):
        cache = np.empty(slots.CACHE_SIZE, dtype=np.int64)
        for row in range(block * 256, min(n, block * 256 + 256)):
            p, end = offsets[row], offsets[row + 1]
            out[row, :] = 0
            slots.reset(cache, p)
            count = 0
            segment = np.uint64(0)
            words = 0
            start = p
            word = _FNV_OFFSET
            inside = False
            resumed = p
            while p < end:
                length = _sentence_end(data, p, end)
                if length:
                    segment, words = _close(segment, words, word, inside)
                    word, inside = _FNV_OFFSET, False
                    count = _emit(out, spans, row, count, segment, words, min_words, start, p)
                    segment, words = np.uint64(0), 0
                    p += length
                    start = resumed = p
                    continue
                byte = data[p]
                kind = slots.CLASSES[byte]
                if kind == slots.SPACE:
                    if not inside and words == 0:
                        start = p + 1  # a segment starts at its first word
                    segment, words = _close(segment, words, word, inside)
                    word, inside = _FNV_OFFSET, False
                    p += 1
                    continue
                if kind == slots.SLOT:
                    first, stop = slots.slot(data, p, end, cache)
                    if stop >= 0:  # a slot ends the word before it and counts as the word "<m>"
                        if first < p:  # an e-mail whose local part was hashed into the word: hash the rest again
                            word, inside = _rehash(data, resumed, first)
                        segment, words = _close(segment, words, word, inside)
                        word, inside = _FNV_OFFSET, False
                        segment = segment * _PRIME + _MASK_WORD
                        words += 1
                        p = resumed = stop
                        continue
                elif kind == slots.WIDE:
                    stop, single = _unspaced_word(data, p, end)
                    if stop > p:  # a character that is a word of its own ends the word before it
                        segment, words = _close(segment, words, word, inside)
                        word, inside = _FNV_OFFSET, False
                        segment = segment * _PRIME + single
                        words += 1
                        p = resumed = stop
                        continue
                word = (word ^ np.uint64(slots.LOWER[byte])) * _FNV_PRIME
                inside = True
                p += 1
            segment, words = _close(segment, words, word, inside)
            _emit(out, spans, row, count, segment, words, min_words, start, end)


def segments(texts: pa.StringArray, max_segments: int, min_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Per prompt, the hashes of its first ``max_segments`` segments of at least ``min_words`` words (an
    ``(n, max_segments)`` uint64 matrix, 0 where a prompt has fewer) and their byte spans in its UTF-8 text (an
    ``(n, max_segments, 2)`` matrix of start and end offsets into the text, for examples). ``texts`` are folded
    (:func:`~linkage.similarity.normalise.fold_case`)."""
    offsets, data = buffers(texts)
    out = np.zeros((len(texts), max_segments), dtype=np.uint64)
    spans = np.zeros((len(texts), max_segments, 2), dtype=np.int64)
    if len(texts):
        _segment(offsets, data, min_words, out, spans)
        spans -= offsets[:-1, None, None]
    return out, spans


def segment_rows(hashes: np.ndarray, account: np.ndarray, ordinal: np.ndarray) -> pd.DataFrame:
    """One row per prompt and distinct segment: ``account``, ``segment`` (the hash as int64) and the prompt's
    ``ordinal``; a segment repeated in one prompt counts once."""
    rows, places = np.nonzero(hashes)
    frame = pd.DataFrame(
        {"account": account[rows], "segment": hashes[rows, places].view(np.int64), "ordinal": ordinal[rows]}
    )
    return frame.drop_duplicates(["ordinal", "segment"])


def habitual(usage: pd.DataFrame, requests: pd.Series, min_share: float, min_requests: int) -> pd.DataFrame:
    """The (account, segment, requests) rows of ``usage`` where the account sends the segment habitually: in at
    least ``min_requests`` of its requests and ``min_share`` of all of them (``requests``: per account code)."""
    total = usage["account"].map(requests).to_numpy(dtype=np.float64)
    kept = (usage["requests"] >= min_requests) & (usage["requests"] >= min_share * total)
    return usage[kept.to_numpy()].reset_index(drop=True)[SEGMENT_COLUMNS]


def segment_ids(hashes: np.ndarray) -> list[str]:
    """A segment's id from its hash: the same masked text has the same id on every night."""
    return [f"{ID_PREFIX}{value:016x}" for value in hashes.astype(np.int64).view(np.uint64).tolist()]


def is_segment(family_id: str) -> bool:
    return family_id.startswith(ID_PREFIX)
