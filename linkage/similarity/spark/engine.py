"""Pass 1 on Spark: the project's own kernel signs each partition's prompts, Spark groups the band keys.

Spark ML's ``MinHashLSH`` is not used: its bands are single hashes (no AND-amplification), and
``approxSimilarityJoin`` turns every bucket into all its pairs: half a trillion for a template sent a million times.
Here each partition's Arrow batches go through :func:`~linkage.similarity.analyse.sign_prompts` and
:func:`~linkage.similarity.families.banded` (``mapInArrow``), and Spark sorts each bucket once to give every member
the bucket's first prompt and the one before it: at most one row per prompt and band, however big the bucket. The
driver then joins those in the local engine's order (:func:`~linkage.similarity.families.families_from_buckets`),
so the family labels, and everything :func:`~linkage.similarity.analyse.analyse` computes from them, are the local
engine's.

The driver reads the chunks once: it keeps the columns that need no hashing (:class:`Columns`) and stages the
prompts, with their place in the stream, as Parquet files that Spark reads; the staged text is deleted as soon as
pass 1 ends. Spark reads them twice, for the signatures (which come back to the driver: the union-find and the
later passes need them) and for the band keys (which it groups), signing the prompts each time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from linkage.errors import LinkageError
from linkage.settings import Settings
from linkage.similarity import families
from linkage.similarity.analyse import (
    ChunkSource,
    Columns,
    Hashing,
    Pass1,
    Progress,
    banding,
    checked,
    sign_prompts,
    verify_level,
)
from linkage.similarity.normalise import to_arrow

STAGE_ROWS = 50_000  # prompts a staged file holds: a partition, signed by one task in well under a second
SIGNED = "ordinal long, signature binary, cot boolean, length int"
KEYED = "band int, key long, ordinal int"  # ordinal as 32 bits, as the local engine's hash table packs it
MAX_PROMPTS = 2**31 - 1
Batches = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


class SparkPass1:
    """An :data:`~linkage.similarity.analyse.Engine` on a running SparkSession."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def __call__(self, chunks: ChunkSource, settings: Settings, say: Progress) -> Pass1:
        hashing, (bands, rows) = Hashing.of(settings), banding(settings)
        with tempfile.TemporaryDirectory(prefix="linkage-spark-", dir=settings.spark_stage_dir) as stage:
            columns, count = _stage(chunks, Path(stage), hashing.max_chars, say)
            if not count:
                return columns, np.zeros((0, hashing.num_perm), np.uint16), np.zeros(0, np.int64)
            if count > MAX_PROMPTS:
                raise LinkageError(f"{count:,} prompts: a night of the Spark engine holds at most {MAX_PROMPTS:,}")
            prompts = self.spark.read.parquet(stage)
            say(f"similarity: signing {count:,} prompts on Spark ({self.spark.sparkContext.master})")
            sig = _signatures(prompts.mapInArrow(_signer(hashing), SIGNED), columns, count, hashing.num_perm)
            say(f"similarity: grouping {count:,} prompts into families ({bands} bands x {rows} rows) on Spark")
            mates = _bucket_mates(prompts.mapInArrow(_keyer(hashing, bands, rows), KEYED))
        return columns, sig, families.families_from_buckets(sig, mates, verify_level(settings))


def _stage(chunks: ChunkSource, stage: Path, max_chars: int, say: Progress) -> tuple[Columns, int]:
    """Read the chunks once: their columns into :class:`Columns`, their prompts (cut to ``max_chars``, numbered by
    place in the stream) into Parquet files of at most :data:`STAGE_ROWS` prompts, one Spark partition each."""
    columns, start = Columns(), 0
    for chunk in chunks():
        columns.add(checked(chunk))
        prompts = to_arrow(chunk["prompt"], max_chars)
        for offset in range(0, len(chunk), STAGE_ROWS):
            piece = prompts[offset : offset + STAGE_ROWS]
            ordinal = pa.array(np.arange(start + offset, start + offset + len(piece), dtype=np.int64))
            pq.write_table(pa.table({"ordinal": ordinal, "prompt": piece}), stage / f"{start + offset:012d}.parquet")
        start += len(chunk)
        say(f"similarity: staged {start:,} prompts for Spark")
    return columns, start


def _signer(hashing: Hashing) -> Batches:
    """What each partition's Arrow batches go through on the executors for the signatures, chain-of-thought flags
    and lengths: only these leave the executor, never the text."""

    def sign(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            sig, cot, lengths = sign_prompts(batch.column("prompt"), hashing)
            columns = [batch.column("ordinal"), _binary(sig), pa.array(cot), pa.array(lengths)]
            yield pa.RecordBatch.from_arrays(columns, names=["ordinal", "signature", "cot", "length"])

    return sign


def _keyer(hashing: Hashing, bands: int, rows: int) -> Batches:
    """What each partition's Arrow batches go through for the buckets: a row per band of each prompt with words
    (a prompt without any is never banded). The prompts are signed again: the kernel costs less than keeping the
    signatures in Spark's memory between the two jobs (at 2M prompts a cached copy ran a 2 GB driver out of heap)."""

    def key(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            valid, keys = families.banded(sign_prompts(batch.column("prompt"), hashing)[0], bands, rows)
            ordinal = batch.column("ordinal").to_numpy()[valid].astype(np.int32)
            columns = [np.repeat(np.arange(bands, dtype=np.int32), len(valid)), keys.ravel().view(np.int64)]
            yield pa.RecordBatch.from_arrays(
                [pa.array(column) for column in [*columns, np.tile(ordinal, bands)]], names=["band", "key", "ordinal"]
            )

    return key


def _binary(sig: np.ndarray) -> pa.Array:
    """Each signature as one binary value (its bins' bytes), without a copy."""
    width = sig.shape[1] * sig.itemsize
    offsets = np.arange(len(sig) + 1, dtype=np.int32) * width
    return pa.Array.from_buffers(
        pa.binary(), len(sig), [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(sig))]
    )


def _signatures(signed: DataFrame, columns: Columns, count: int, num_perm: int) -> np.ndarray:
    """The signatures in stream order (and the chain-of-thought flags and lengths into ``columns``)."""
    sig = np.empty((count, num_perm), np.uint16)
    cot, lengths = np.empty(count, bool), np.empty(count, np.int32)
    seen = 0
    for batch in signed.select("ordinal", "signature", "cot", "length").toArrow().to_batches():
        at = batch.column("ordinal").to_numpy()
        sig[at] = _matrix(batch.column("signature"), num_perm)
        cot[at] = batch.column("cot").to_numpy(zero_copy_only=False)
        lengths[at] = batch.column("length").to_numpy()
        seen += len(at)
    if seen != count:
        raise LinkageError(f"Spark returned {seen:,} signatures for {count:,} prompts")
    columns.cot.append(cot)
    columns.lengths.append(lengths)
    return sig


def _matrix(column: pa.Array, num_perm: int) -> np.ndarray:
    """The uint16 signatures a binary column packs (each value ``num_perm`` bins of 2 bytes), without a copy."""
    column = column.cast(pa.large_binary())
    start = int(np.frombuffer(column.buffers()[1], np.int64)[column.offset])
    data = np.frombuffer(column.buffers()[2], np.uint16, count=len(column) * num_perm, offset=start)
    return data.reshape(-1, num_perm)


def _bucket_mates(keyed: DataFrame) -> families.BucketMates:
    """Per prompt and band, its bucket's first prompt and the latest one before it, when it is not the first."""
    bucket = Window.partitionBy("band", "key").orderBy("ordinal")
    mates = (
        keyed.select(
            "band",
            "ordinal",
            F.min("ordinal").over(bucket).alias("first"),
            F.lag("ordinal").over(bucket).alias("latest"),
        )
        .where(F.col("latest").isNotNull())
        .toArrow()
    )
    band, prompt, first, latest = (mates.column(name).to_numpy() for name in ("band", "ordinal", "first", "latest"))
    return families.BucketMates(band=band, prompt=prompt, first=first, latest=latest)
