"""Near-duplicate template families: LSH band buckets -> verified links -> union-find components.

Each band is grouped in a compiled open-addressing hash table (linear time; no sort, no Python dict per prompt).
Within a bucket every member is linked to the bucket's first (or else latest) prompt, and the link is kept only
when the two signatures agree on enough bins (the MinHash estimate of their Jaccard) and so, nearly, do the roots
of their two families: neither a chance collision nor a borderline pair can chain unrelated families into a giant
one. Links go straight into a compiled union-find, so no edge list is ever materialised (20M prompts x 14 bands
would be GBs). Family ids are derived from the family's *consensus signature* (the bins most members share, i.e.
the template's own shingles), so the same template gets the same id on another night even though its slot
fillers differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
import xxhash

ELLIPSIS = "…"  # stands for the slot fillers of a template example
# Two roots carry different slot fillers (another question, other numbers), so they need to agree on a little
# less than a pair: 0.1875 of the bins (12 of 64) less. Measured: at 0, close paraphrases split off (9 of 20 seeds
# of test_paraphrased_variants_of_one_family_are_linked kept one family; 20 of 20 from 0.125) and so did a short
# tool prompt's users (into small families that looked rare and linked them; none from 0.1875). On the 2M prompts
# of the 107 farms of a fifth of the 1M scenario, the largest family spans 6 farms, against 42 without the check.
ROOT_SLACK = 0.1875


def assign_families(sig: np.ndarray, bands: int, rows: int, verify: float) -> np.ndarray:
    """A family label per prompt (the index of its family's root prompt; -1 for a prompt without words)."""
    valid, keys = banded(sig, bands, rows)
    parent = np.arange(len(sig), dtype=np.int64)
    agree, root_agree = _agreements(verify, sig.shape[1])
    size = 1 << max(int(np.ceil(np.log2(max(len(valid), 1) * 1.5))), 4)  # open addressing, load factor <= 2/3
    table = np.empty((size, 2), dtype=np.int64)  # per slot: the key, then a bucket's first and latest prompt
    for band in range(bands):
        _union_band(parent, sig, valid, keys[band], agree, root_agree, table)
    labels: np.ndarray = _roots(parent, sig)
    return labels


def families_from_buckets(sig: np.ndarray, mates: BucketMates, verify: float) -> np.ndarray:
    """:func:`assign_families` from buckets grouped elsewhere (Spark): the same unions in the same order (band by
    band, prompt by prompt), so the same labels."""
    parent = np.arange(len(sig), dtype=np.int64)
    agree, root_agree = _agreements(verify, sig.shape[1])
    order = np.lexsort((mates.prompt, mates.band))
    _union_mates(parent, sig, mates.prompt[order], mates.first[order], mates.latest[order], agree, root_agree)
    labels: np.ndarray = _roots(parent, sig)
    return labels


@dataclass(frozen=True)
class BucketMates:
    """Per prompt and band whose bucket an earlier prompt opened: the bucket's first prompt and the latest one
    before it (what :func:`_union_band`'s hash table holds when it reaches the prompt)."""

    band: np.ndarray
    prompt: np.ndarray
    first: np.ndarray
    latest: np.ndarray


def banded(sig: np.ndarray, bands: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The prompts with shingles and every band's key of each (band-major): what LSH buckets them by."""
    valid = _with_shingles(sig)
    keys: np.ndarray = _band_keys(sig, valid, bands, rows)
    return valid, keys


def _agreements(verify: float, width: int) -> tuple[int, int]:
    """Bins two prompts, and the roots of their families, must agree on to be joined."""
    return int(np.ceil(verify * width)), int(np.ceil((verify - ROOT_SLACK) * width))


@numba.njit(nogil=True, cache=True)
def _empty(sig: np.ndarray, i: int) -> bool:
    """Whether prompt i had no shingle (its signature is all 0xFFFF)."""
    j = 0
    while j < sig.shape[1] and sig[i, j] == 0xFFFF:
        j += 1
    return bool(j == sig.shape[1])


@numba.njit(nogil=True, cache=True)
def _with_shingles(sig: np.ndarray) -> np.ndarray:
    out = np.empty(len(sig), dtype=np.int64)
    count = 0
    for i in range(len(sig)):
        if not _empty(sig, i):
            out[count] = i
            count += 1
    return out[:count]


@numba.njit(nogil=True, cache=True)
def _band_keys(sig: np.ndarray, valid: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Every band's key of every valid prompt, band-major, from one pass over the signatures (reading a band
    straight from the signature matrix would fetch a cache line per prompt and band). Up to four 16-bit rows are
    packed exactly; more are mixed into 64 bits."""
    out = np.empty((bands, len(valid)), dtype=np.uint64)
    for v in range(len(valid)):
        i = valid[v]
        for band in range(bands):
            key = np.uint64(0)
            for j in range(band * rows, band * rows + rows):
                if rows <= 4:
                    key = (key << np.uint64(16)) | np.uint64(sig[i, j])
                else:
                    key = key * np.uint64(0x9E3779B97F4A7C15) + np.uint64(sig[i, j]) + np.uint64(1)
            out[band, v] = key
    return out


@numba.njit(nogil=True, cache=True)
def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


@numba.njit(nogil=True, cache=True)
def _agree(sig: np.ndarray, a: int, b: int, agree: int) -> bool:
    same = 0
    for j in range(sig.shape[1]):
        same += sig[a, j] == sig[b, j]
    return same >= agree


@numba.njit(nogil=True, cache=True)
def _join(parent: np.ndarray, sig: np.ndarray, a: int, b: int, agree: int, root_agree: int) -> bool:
    """Union a and b if they are already one family, or if their signatures agree on ``agree`` bins and their
    families' roots (each family's first prompt) on ``root_agree``. Without the second check single linkage
    chains: at 20M prompts, two campaigns whose templates share a few sentences and the same curriculum questions
    have some prompt pairs just above the threshold, and such pairs merged hundreds of farms into one family."""
    root_a, root_b = _find(parent, a), _find(parent, b)
    if root_a == root_b:
        return True
    if not _agree(sig, a, b, agree):
        return False
    if (root_a != a or root_b != b) and not _agree(sig, root_a, root_b, root_agree):
        return False
    parent[max(root_a, root_b)] = min(root_a, root_b)
    return True


@numba.njit(nogil=True, cache=True)
def _union_band(
    parent: np.ndarray,
    sig: np.ndarray,
    valid: np.ndarray,
    keys: np.ndarray,
    agree: int,
    root_agree: int,
    table: np.ndarray,
) -> None:
    """One LSH band: bucket the prompts by their band key in a hash table (linear time, no sort) and union each
    prompt with its bucket's first prompt, or else its latest one, when their signatures agree on at least
    ``agree`` bins (two chances, so the edge of a big family does not split off). Pairs already in one family are
    skipped before the (costlier) signature check. A slot holds the key and both prompts (packed 32 + 32 bits)
    in one 16-byte row: one cache miss per probe."""
    mask = np.int64(len(table) - 1)
    table[:, 1] = -1
    for v in range(len(valid)):
        i = int(valid[v])
        key = np.int64(keys[v])  # int64 throughout: numba turns uint64-int64 mixes into floats
        slot = (keys[v] ^ (keys[v] >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)
        h = np.int64(slot >> np.uint64(20)) & mask
        while True:
            ids = table[h, 1]
            if ids < 0:
                table[h, 0] = key
                table[h, 1] = (i << 32) | i
                break
            if table[h, 0] == key:
                first = ids >> 32
                _link(parent, sig, first, ids & 0xFFFFFFFF, i, agree, root_agree)
                table[h, 1] = (first << 32) | i
                break
            h = (h + np.int64(1)) & mask


@numba.njit(inline="always")
def _link(parent: np.ndarray, sig: np.ndarray, first: int, latest: int, i: int, agree: int, root_agree: int) -> None:
    """Join prompt i to its bucket's first prompt, or else to the latest one before it."""
    if not _join(parent, sig, first, i, agree, root_agree):
        _join(parent, sig, latest, i, agree, root_agree)


@numba.njit(nogil=True, cache=True)
def _union_mates(
    parent: np.ndarray,
    sig: np.ndarray,
    prompts: np.ndarray,
    firsts: np.ndarray,
    latests: np.ndarray,
    agree: int,
    root_agree: int,
) -> None:
    for m in range(len(prompts)):
        _link(parent, sig, firsts[m], latests[m], prompts[m], agree, root_agree)


@numba.njit(nogil=True, cache=True)
def _roots(parent: np.ndarray, sig: np.ndarray) -> np.ndarray:
    out = np.empty(len(parent), dtype=np.int64)
    for i in range(len(parent)):
        out[i] = -1 if _empty(sig, i) else _find(parent, i)
    return out


def consensus(sig: np.ndarray, labels: np.ndarray, wanted: np.ndarray, sample: int = 16) -> np.ndarray:
    """Each wanted family's consensus signature: per bin, the commonest value among its first ``sample`` members,
    or -1 when fewer than half of them share it. For a template these are the bins its own words win, so two
    nights of the same template agree on most bins although their slot fillers differ."""
    if not len(wanted):
        return np.zeros((0, sig.shape[1]), dtype=np.int32)
    members = np.flatnonzero(np.isin(labels, wanted))
    members = members[np.argsort(labels[members], kind="stable")]
    groups = labels[members]
    starts = np.concatenate([[True], groups[1:] != groups[:-1]])
    rank = np.arange(len(members)) - np.flatnonzero(starts)[np.cumsum(starts) - 1]
    members, groups = members[rank < sample], groups[rank < sample]
    row_of = np.searchsorted(wanted, groups)  # wanted is sorted
    size = np.bincount(row_of, minlength=len(wanted))
    out = np.full((len(wanted), sig.shape[1]), -1, dtype=np.int32)
    for column in range(sig.shape[1]):
        keys, counts = np.unique(row_of.astype(np.int64) << 16 | sig[members, column], return_counts=True)
        order = np.lexsort((-counts, keys >> 16))  # per family, the commonest value first
        keys, counts = keys[order], counts[order]
        first = np.concatenate([[True], (keys[1:] >> 16) != (keys[:-1] >> 16)])
        rows, values, best = keys[first] >> 16, keys[first] & 0xFFFF, counts[first]
        majority = best * 2 >= size[rows]
        out[rows[majority], column] = values[majority]
    return out


def family_ids(consensus_sig: np.ndarray) -> list[str]:
    """A family id from its consensus bins: the same template maps to the same id on another night (when a bin
    or two differ, :func:`match_known` still finds the earlier family by signature)."""
    ids = []
    for row in consensus_sig:
        bins = np.flatnonzero(row >= 0)
        payload = np.stack([bins, row[bins]]).astype(np.int64).tobytes() if len(bins) else row.tobytes()
        ids.append("tf-" + xxhash.xxh3_64_hexdigest(payload))
    return ids


def match_known(new: np.ndarray, known: np.ndarray, bands: int, rows: int, threshold: float) -> np.ndarray:
    """For each new consensus signature, the index of the known family it matches best (agreement on the bins
    both have at least ``threshold``), or -1. Candidates come from shared LSH band keys, never all pairs."""
    best = np.full(len(new), -1, dtype=np.int64)
    if not len(new) or not len(known):
        return best
    new_keys, known_keys = _consensus_keys(new, bands, rows), _consensus_keys(known, bands, rows)
    frames = []
    for band in range(bands):
        left = pd.DataFrame({"key": new_keys[band], "new": np.arange(len(new))})
        right = pd.DataFrame({"key": known_keys[band], "known": np.arange(len(known))})
        frames.append(left.dropna().merge(right.dropna(), on="key")[["new", "known"]])
    pairs = pd.concat(frames).drop_duplicates()
    if pairs.empty:
        return best
    a, b = new[pairs["new"].to_numpy()], known[pairs["known"].to_numpy()]
    both = (a >= 0) & (b >= 0)
    agreement = ((a == b) & both).sum(axis=1) / np.maximum(both.sum(axis=1), 1)
    pairs = pairs.assign(agreement=agreement)
    pairs = pairs[pairs["agreement"] >= threshold].sort_values("agreement", ascending=False)
    chosen = pairs.drop_duplicates("new").drop_duplicates("known")  # one earlier family continues one new one
    best[chosen["new"].to_numpy()] = chosen["known"].to_numpy()
    return best


def _consensus_keys(sig: np.ndarray, bands: int, rows: int) -> list[pd.Series]:
    """Each band's keys of consensus signatures (the same keys prompts are bucketed by); a band with an undecided
    bin (-1) has no key (NA, dropped)."""
    keys = _band_keys(np.clip(sig, 0, 0xFFFF).astype(np.uint16), np.arange(len(sig)), bands, rows)
    return [
        pd.Series(keys[band].astype(np.int64), dtype="Int64").where(
            pd.Series((sig[:, band * rows : (band + 1) * rows] >= 0).all(axis=1))
        )
        for band in range(bands)
    ]


def representatives(labels: np.ndarray, wanted: np.ndarray, per_family: int) -> pd.DataFrame:
    """The first ``per_family`` prompts (by position in the file) of each wanted family: the example candidates."""
    members = np.flatnonzero(np.isin(labels, wanted))
    frame = pd.DataFrame({"ordinal": members, "family": labels[members]})
    return frame.groupby("family", sort=False).head(per_family).reset_index(drop=True)


def template_example(samples: list[str]) -> str:
    """A redacted example of a family: the first sample's words, with the words that not every sample contains
    (the slot fillers) replaced by an ellipsis. ``samples`` are already redacted."""
    if not samples:
        return ""
    if len(samples) == 1:
        return samples[0]
    vocabularies = [set(text.split()) for text in samples]
    out: list[str] = []
    for word in samples[0].split():
        common = all(word in vocabulary for vocabulary in vocabularies)
        if common:
            out.append(word)
        elif not out or out[-1] != ELLIPSIS:
            out.append(ELLIPSIS)
    return " ".join(out)
