"""Vectorised makers of identifiers, addresses and timestamps for the scenario generator.

Everything works on whole numpy arrays and returns pyarrow string arrays: a million ids cost one pass, never a Python
object per row. Identifiers come from splitmix64 of (seed, kind, serial): a bijection on 64 bits, so two serials of
one kind never collide and the ids look like opaque processor tokens rather than counters.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.similarity.minhash import fmix64

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def stable_seed(*parts: object) -> int:
    """A seed from names and numbers that is the same on every run and machine (unlike ``hash``)."""
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """One independent random stream per (scenario seed, group, chunk): groups never shift each other's draws."""
    return np.random.default_rng([seed, stable_seed(*parts)])


def mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of ``values + salt``: bijective, so distinct serials give distinct tokens."""
    offset = np.uint64((salt * 0x9E3779B97F4A7C15) & 0xFFFF_FFFF_FFFF_FFFF)
    return np.asarray(fmix64(values.astype(np.uint64) + offset), dtype=np.uint64)


def hex_strings(values: np.ndarray, width: int = 16) -> pa.Array:
    """Lower-case hex of uint64 values, the last ``width`` digits, as one arrow string array."""
    shifts = (np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4))[None, :]
    nibbles = (values.astype(np.uint64)[:, None] >> shifts) & np.uint64(15)
    chars = np.ascontiguousarray(_HEX[nibbles.astype(np.intp)])
    return pa.array(chars.view(f"S{width}").ravel(), type=pa.binary()).cast(pa.string())


def tokens(prefix: str, serials: np.ndarray, kind: str, seed: int, width: int = 16) -> pa.Array:
    """Opaque ids such as ``fp_3fa9…`` for serial numbers of one kind of entity."""
    return concat(prefix, hex_strings(mix64(serials, stable_seed(seed, kind)), width))


def concat(*parts: str | pa.Array) -> pa.Array:
    """Element-wise concatenation of string arrays and constants."""
    return pc.binary_join_element_wise(*parts, "")


def numbers(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64)).cast(pa.string())


def pick(choices: Sequence[str], index: np.ndarray) -> pa.Array:
    """``choices[index]`` for a whole index array."""
    return pa.array(list(choices), type=pa.string()).take(pa.array(index.astype(np.int64)))


def ipv4(addresses: np.ndarray) -> pa.Array:
    """Dotted quads of uint32 addresses."""
    a = addresses.astype(np.uint64)
    octets = [numbers((a >> np.uint64(s)) & np.uint64(255)) for s in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*octets, ".")


def iso_times(epoch_seconds: np.ndarray) -> pa.Array:
    """ISO-8601 UTC strings (``2026-11-01T03:12:45Z``) of epoch seconds."""
    stamps = pa.array(epoch_seconds.astype(np.int64)).cast(pa.timestamp("s", tz="UTC"))
    return pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%SZ")


def join_words(vocabulary: pa.Array, word_index: np.ndarray, lengths: np.ndarray, sep: str = " ") -> pa.Array:
    """Texts of ``lengths[i]`` words each, taken in order from ``vocabulary[word_index]`` (one flat draw); ``sep``
    is empty for a script written without spaces."""
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    words = vocabulary.take(pa.array(word_index.astype(np.int64)))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), words), sep)


def fill_slots(templates: Sequence[str], index: np.ndarray, values: Mapping[str, pa.Array]) -> pa.Array:
    """``templates[index[i]]`` with each ``{key}`` replaced by ``values[key][i]``, built piece by piece for the whole
    array: text, slot, text, slot… (other braces stay as they are)."""
    marker = re.compile(r"\{(" + "|".join(re.escape(k) for k in values) + r")\}")
    pieces = [marker.split(t) for t in templates]
    result = pick([p[0] for p in pieces], index)
    for i in range(1, max(len(p) for p in pieces)):
        piece = pick([p[i] if i < len(p) else "" for p in pieces], index)
        if i % 2 == 1:
            slot = pa.array([""] * len(index), type=pa.string())
            for key, column in values.items():
                slot = pc.if_else(pc.equal(piece, key), column, slot)
            piece = slot
        result = concat(result, piece)
    return result
