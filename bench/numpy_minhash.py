"""The first, plain-numpy implementation of the signatures, kept here as a measured candidate (BENCHMARKS.md,
"Prompt similarity"); the stage uses the numba kernel of ``linkage/similarity/minhash.py``.

Words are split and dictionary-encoded by pyarrow, each distinct word is hashed once with xxh3, word shingles are
combined in numpy, and the signature is a one-permutation MinHash (one hash per shingle, its top bits pick one of
``num_perm`` bins, the bin keeps its minimum) densified by rotation (Shrivastava & Li 2014).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from linkage.similarity.minhash import fmix64

EMPTY = np.uint32(0xFFFF_FFFF)
_PRIME = np.uint64(0x9E3779B97F4A7C15)
_DENSIFY_STEP = 0x9E37  # offset added per bin travelled when a bin is filled from its neighbour


def token_hashes(normalised: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of the whitespace-separated words, and the offsets of each prompt's words in them."""
    lists = pc.ascii_split_whitespace(normalised)
    offsets = lists.offsets.to_numpy().astype(np.int64)
    words = lists.values.slice(offsets[0], offsets[-1] - offsets[0])
    offsets -= offsets[0]
    encoded = pc.dictionary_encode(words)
    vocabulary = encoded.dictionary.cast(pa.binary()).to_pylist()
    distinct = np.fromiter((xxhash.xxh3_64_intdigest(w) for w in vocabulary), dtype=np.uint64, count=len(vocabulary))
    codes = encoded.indices.to_numpy()
    keep = np.ones(len(codes), dtype=bool)
    if b"" in vocabulary:  # leading and trailing whitespace yield empty words
        keep = codes != vocabulary.index(b"")
        codes = codes[keep]
    kept = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    return distinct[codes], kept[offsets]


def shingle_hashes(hashes: np.ndarray, offsets: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the ``width``-word shingles of each prompt (a shorter prompt gives one shingle of all its words),
    with each shingle's row."""
    counts = np.diff(offsets)
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    position = np.arange(len(hashes), dtype=np.int64)
    ends = offsets[1:][rows]
    padded = np.concatenate([hashes, np.zeros(width, dtype=np.uint64)])
    value = hashes.copy()
    for step in range(1, width):
        following = np.where(position + step < ends, padded[step : step + len(hashes)], np.uint64(0))
        value = value * _PRIME + following
    valid = (position + width <= ends) | ((position == offsets[:-1][rows]) & (counts[rows] < width))
    return fmix64(value[valid]), rows[valid]


def signatures(shingles: np.ndarray, rows: np.ndarray, n_rows: int, num_perm: int) -> np.ndarray:
    """One-permutation MinHash, densified: an ``(n_rows, num_perm)`` uint16 matrix. A prompt without any word gets
    the all-EMPTY row (0xFFFF everywhere) and is never banded."""
    bits = num_perm.bit_length() - 1
    if 1 << bits != num_perm:
        raise ValueError("num_perm must be a power of two")
    flat = np.full(n_rows * num_perm, EMPTY, dtype=np.uint32)
    bins = (shingles >> np.uint64(64 - bits)).astype(np.int64) if bits else np.zeros(len(shingles), dtype=np.int64)
    np.minimum.at(flat, rows * num_perm + bins, (shingles & np.uint64(0xFFFF)).astype(np.uint32))
    return _densify(flat.reshape(n_rows, num_perm))


def _densify(sig: np.ndarray, block: int = 8_192) -> np.ndarray:
    """:func:`_densify_block` over blocks of rows: small temporaries stay in the allocator's cache instead of
    costing fresh pages (page faults were half the time on whole chunks)."""
    return np.concatenate([_densify_block(sig[i : i + block]) for i in range(0, len(sig), block)] or [sig[:0]])


def _densify_block(sig: np.ndarray) -> np.ndarray:
    """Fill each empty bin from the next non-empty bin to its right (circularly), offset by the distance.

    Works on the flattened matrix: one reversed running minimum finds every bin's next filled bin; a bin whose next
    filled bin lies in the following row wraps to its own row's first filled bin.
    """
    n, k = sig.shape
    flat = sig.reshape(-1)
    size = len(flat)
    index = np.arange(size, dtype=np.int64)
    index[flat == EMPTY] = size
    following = np.minimum.accumulate(index[::-1].copy())[::-1].reshape(n, k)  # a contiguous scan is 3x faster
    row_end = (np.arange(1, n + 1, dtype=np.int64) * k)[:, None]  # broadcasting: integer division is slow
    first_in_row = np.append(following[:, 0], size)  # each row's first filled bin (or a later row's)
    source = np.where(following < row_end, following, first_in_row[:-1][:, None])
    blank = source >= row_end
    np.minimum(source, size - 1, out=source)
    distance = (source - (row_end - k)).astype(np.int32) - np.arange(k, dtype=np.int32)
    distance[distance < 0] += k
    out: np.ndarray = (flat[source] + (distance * _DENSIFY_STEP).astype(np.uint32)).astype(np.uint16)
    out[blank] = 0xFFFF
    return out
