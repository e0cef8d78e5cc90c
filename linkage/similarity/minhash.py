"""MinHash signatures and LSH band keys for chunks of normalised prompts.

Chosen by measurement (BENCHMARKS.md, "Prompt similarity"): one compiled pass (numba) over the UTF-8 bytes of a
chunk splits words on ASCII whitespace and control bytes (a character of a script written without spaces is a word
of its own: :data:`~linkage.similarity.slots.UNSPACED`), hashes each word (FNV-1a), combines ``width`` consecutive
words into a shingle hash (mixed by splitmix64's finaliser), and keeps a one-permutation MinHash: the hash's top
bits pick one of ``num_perm`` bins, the bin keeps its minimum. Empty bins borrow from the next filled bin to their
right, offset by the distance (densification, Shrivastava & Li 2014), so a bin still collides with probability equal
to the Jaccard similarity. That is O(1) per shingle instead of O(num_perm), runs on every core (prange) and never
builds a Python object per word. Values are 16-bit: a chance collision of one bin costs 1/65,536, and 20M signatures
of 64 bins take 2.6 GB.
"""

from __future__ import annotations

from functools import cache

import numba
import numpy as np
import pyarrow as pa

from linkage.similarity import slots
from linkage.similarity.normalise import buffers

EMPTY16 = 0xFFFF
_EMPTY = np.uint32(0xFFFF_FFFF)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PRIME = np.uint64(0x9E3779B97F4A7C15)
_DENSIFY_STEP = 0x9E37  # added per bin travelled when an empty bin borrows from a neighbour


@numba.njit(inline="always")
def fmix64(x: np.uint64 | np.ndarray) -> np.uint64 | np.ndarray:
    """splitmix64's finaliser: every input bit flips about half the output bits. Compiled for a scalar inside the
    kernels, callable on a uint64 array from Python (identifiers of generated scenarios, benchmark baselines)."""
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


@numba.njit(inline="always")
def _add(bins: np.ndarray, shingle: np.uint64, shift: np.uint64) -> None:
    x = fmix64(shingle)
    slot = (x >> shift) if shift < np.uint64(64) else np.uint64(0)
    value = np.uint32(x & np.uint64(0xFFFF))
    if value < bins[slot]:
        bins[slot] = value


@numba.njit(inline="always")
def _push(
    bins: np.ndarray,
    ring: np.ndarray,
    word: np.uint64,
    words: int,
    oldest: int,
    shingle: np.uint64,
    top: np.uint64,
    shift: np.uint64,
) -> tuple[np.uint64, int]:
    """Add a word to the ring of the last ``len(ring)`` words and, once the ring is full, its shingle to the bins.
    The shingle hash (the ring's words as a polynomial in ``_PRIME``) rolls: the leaving word's term (weight
    ``top``, ``_PRIME ** (width - 1)``) is subtracted, so a word costs two multiplications however wide the
    shingle. Returns the new shingle hash and oldest position (the caller counts the words)."""
    width = len(ring)
    if words < width:
        ring[words] = word
        shingle = shingle * _PRIME + word
    else:
        shingle = (shingle - ring[oldest] * top) * _PRIME + word
        ring[oldest] = word
        oldest = oldest + 1 if oldest + 1 < width else 0
    if words + 1 >= width:
        _add(bins, shingle, shift)
    return shingle, oldest


def _fnv(text: bytes) -> np.uint64:
    word = int(_FNV_OFFSET)
    for byte in text:
        word = (word ^ byte) * int(_FNV_PRIME) % (1 << 64)
    return np.uint64(word)


_MASK_WORD = _fnv(slots.MASK.strip().encode())


@numba.njit(inline="always")
def _hash(data: np.ndarray, start: int, stop: int) -> np.uint64:
    """FNV-1a of the lowercased bytes from ``start`` to ``stop``: a word's hash."""
    word = _FNV_OFFSET
    for q in range(start, stop):
        word = (word ^ np.uint64(slots.LOWER[data[q]])) * _FNV_PRIME
    return word


@numba.njit(inline="always")
def _rehash(data: np.ndarray, resumed: int, stop: int) -> tuple[np.uint64, bool]:
    """The hash of the word that ends at ``stop`` (not before ``resumed``) and whether it has any byte."""
    start = stop
    while start > resumed and slots.CLASSES[data[start - 1]] != slots.SPACE:
        start -= 1
    return _hash(data, start, stop), start < stop


@numba.njit(cache=True)
def _unspaced_word(data: np.ndarray, p: int, end: int) -> tuple[int, np.uint64]:
    """Where the character at p ends if it is a word of its own (else p), and its hash: a call, not inlined, so
    that the loop over spaced text stays short."""
    stop = p + slots.unspaced(data, p, end)
    return stop, _hash(data, p, stop)


@numba.njit(parallel=True, nogil=True, cache=True)
def _sign(offsets: np.ndarray, data: np.ndarray, width: int, k: int, shift: np.uint64, out: np.ndarray) -> None:
    n = len(offsets) - 1
    blocks = (n + 255) // 256
    top = np.uint64(1)  # the weight of a shingle's oldest word
    for _ in range(width - 1):
        top *= _PRIME
    for block in numba.prange(blocks):
        bins = np.empty(k, dtype=np.uint32)  # scratch, reused by the block's rows
        ring = np.zeros(width, dtype=np.uint64)  # the last ``width`` word hashes, oldest at ``oldest``
        cache = np.empty(slots.CACHE_SIZE, dtype=np.int64)
        for row in range(block * 256, min(n, block * 256 + 256)):
            p, end = offsets[row], offsets[row + 1]
            bins[:] = _EMPTY
            slots.reset(cache, p)
            words = 0
            oldest = 0
            shingle = np.uint64(0)
            word = _FNV_OFFSET
            inside = False
            resumed = p  # where the scan resumed after the last slot or character that is a word of its own
            while p < end:
                byte = data[p]
                kind = slots.CLASSES[byte]
                if kind == slots.SPACE:
                    if inside:
                        shingle, oldest = _push(bins, ring, word, words, oldest, shingle, top, shift)
                        words += 1
                        word = _FNV_OFFSET
                        inside = False
                    p += 1
                    continue
                if kind == slots.SLOT:
                    start, stop = slots.slot(data, p, end, cache)
                    if stop >= 0:  # a slot ends the word before it and counts as the word "<m>"
                        if start < p:  # an e-mail whose local part was hashed into the word: hash the rest again
                            word, inside = _rehash(data, resumed, start)
                        if inside:
                            shingle, oldest = _push(bins, ring, word, words, oldest, shingle, top, shift)
                            words += 1
                            word = _FNV_OFFSET
                            inside = False
                        shingle, oldest = _push(bins, ring, _MASK_WORD, words, oldest, shingle, top, shift)
                        words += 1
                        p = resumed = stop
                        continue
                elif kind == slots.WIDE:
                    stop, single = _unspaced_word(data, p, end)
                    if stop > p:  # a character that is a word of its own ends the word before it
                        if inside:
                            shingle, oldest = _push(bins, ring, word, words, oldest, shingle, top, shift)
                            words += 1
                            word = _FNV_OFFSET
                            inside = False
                        shingle, oldest = _push(bins, ring, single, words, oldest, shingle, top, shift)
                        words += 1
                        p = resumed = stop
                        continue
                word = (word ^ np.uint64(slots.LOWER[byte])) * _FNV_PRIME
                inside = True
                p += 1
            if inside:
                shingle, oldest = _push(bins, ring, word, words, oldest, shingle, top, shift)
                words += 1
            if words == 0:
                out[row, :] = EMPTY16
                continue
            if words < width:  # a short prompt is one shingle of all its words
                _add(bins, shingle, shift)
            first = 0
            while bins[first] == _EMPTY:
                first += 1
            following = first + k  # the wrap-around target of the last empty bins
            for j in range(k - 1, -1, -1):
                if bins[j] != _EMPTY:
                    following = j
                source = following if following < k else following - k
                out[row, j] = (bins[source] + (following - j) * _DENSIFY_STEP) & 0xFFFF


def signatures(texts: pa.StringArray, width: int, num_perm: int) -> np.ndarray:
    """An ``(n, num_perm)`` uint16 matrix of densified one-permutation MinHash signatures over ``width``-word
    shingles of the normalised text: ``texts`` come from :func:`~linkage.similarity.normalise.fold_case` (or are
    normalised already: normalising twice changes nothing). A prompt without any word gets the all-0xFFFF row and
    is never banded."""
    bits = num_perm.bit_length() - 1
    if 1 << bits != num_perm:
        raise ValueError("num_perm must be a power of two")
    offsets, data = buffers(texts)
    out = np.empty((len(texts), num_perm), dtype=np.uint16)
    if len(texts):
        _sign(offsets, data, width, num_perm, np.uint64(64 - bits), out)
    return out


@cache
def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows (bands * rows <= num_perm) minimising the false positive + false negative area of the
    S-curve around ``threshold`` (datasketch's rule, so the baseline and we band alike)."""
    grid = np.linspace(0.0, 1.0, 1001)
    best: tuple[float, int, int] = (float("inf"), 1, 1)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            probability = 1.0 - (1.0 - grid**rows) ** bands
            below, above = grid <= threshold, grid >= threshold
            error = np.trapezoid(probability[below], grid[below]) + np.trapezoid(1 - probability[above], grid[above])
            if error < best[0]:
                best = (float(error), bands, rows)
    return best[1], best[2]
