"""Find a batch's files and stream them as bounded chunks of string columns, each row with its source line.

CSV and JSON Lines (optionally gzipped) stream through pandas' chunked readers, Parquet through pyarrow's
``iter_batches``; memory is bounded by the chunk size whatever the file size. Every value arrives as a string
("" for missing) so validation sees exactly what the file said.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from linkage.errors import ExitCode, LinkageError
from loaders.contract import ENDINGS, FileSpec

LINE = "_line"  # the 1-based line (CSV, JSONL) or row (Parquet) a record came from


class InvalidBatch(LinkageError):
    """A structural error: nothing of the batch is written. The message names the file (and line, column)."""

    exit_code = ExitCode.INVALID_INPUT


@dataclass(frozen=True)
class Chunk:
    frame: pd.DataFrame  # the spec's columns as strings, plus LINE


def find_file(batch_dir: Path, spec: FileSpec) -> Path | None:
    found = [batch_dir / f"{spec.name}{ending}" for ending in ENDINGS if (batch_dir / f"{spec.name}{ending}").is_file()]
    if len(found) > 1:
        raise InvalidBatch(f"{batch_dir}: {', '.join(p.name for p in found)} all hold `{spec.name}`; keep one.")
    return found[0] if found else None


def _kind(path: Path) -> str:
    name = path.name
    return "parquet" if name.endswith(".parquet") else "jsonl" if ".jsonl" in name else "csv"


def _open_text(path: Path, errors: str = "strict") -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors=errors)
    return path.open(encoding="utf-8", errors=errors, newline="")


def columns_of(path: Path) -> list[str]:
    """The column names a file declares (CSV header, Parquet schema, keys of the first JSON line)."""
    try:
        kind = _kind(path)
        if kind == "parquet":
            return list(pq.read_schema(path).names)
        with _open_text(path, errors="replace") as handle:  # rows are decoded (strictly or not) by the reader
            first = handle.readline()
        if not first.strip():
            raise InvalidBatch(f"{path}: line 1: the file is empty (no header).")
        if kind == "csv":
            return [name.strip() for name in next(csv.reader([first]))]
        record = json.loads(first)
        if not isinstance(record, dict):
            raise InvalidBatch(f"{path}: line 1: expected a JSON object per line.")
        return list(record)
    except InvalidBatch:
        raise
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError, pa.ArrowException) as exc:
        raise InvalidBatch(f"{path}: cannot be read as {_kind(path)}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def iter_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    """The file's rows in chunks of at most ``chunk_rows``; structural problems raise :class:`InvalidBatch`."""
    present = set(columns_of(path))
    wanted = [c for c in spec.columns if c in present]
    kind = _kind(path)
    try:
        if kind == "csv":
            yield from _csv_chunks(path, spec, chunk_rows)
        elif kind == "jsonl":
            yield from _jsonl_chunks(path, spec, wanted, chunk_rows)
        else:
            yield from _parquet_chunks(path, spec, wanted, chunk_rows)
    except InvalidBatch:
        raise
    except pd.errors.ParserError as exc:
        raise InvalidBatch(f"{path}: {_parser_message(exc)}") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, pa.ArrowException) as exc:
        raise InvalidBatch(f"{path}: cannot be read as {kind}: {_reason(exc)}") from None


def _parser_message(exc: Exception) -> str:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if match:
        expected, line, saw = match.groups()
        return f"line {line}, column {int(expected) + 1}: expected {expected} fields, saw {saw}"
    return _reason(exc)


def _as_strings(values: pd.Series) -> pd.Series:
    if values.dtype != object:
        values = values.astype("string")
    return values.fillna("").astype(str).reset_index(drop=True)


def _finish(frame: pd.DataFrame, spec: FileSpec, first_line: int) -> Chunk:
    """Strings everywhere ("" for missing), every spec column present, and each row's source line."""
    out = pd.DataFrame({c: _as_strings(frame[c]) if c in frame else "" for c in spec.columns}, index=range(len(frame)))
    out[LINE] = range(first_line, first_line + len(frame))
    return Chunk(out)


def _csv_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    line = 2  # the header is line 1 (records are assumed not to span lines)
    # no usecols: with it pandas silently accepts rows with extra fields; unknown columns are dropped in _finish
    reader = pd.read_csv(
        path, dtype=str, keep_default_na=False, na_values=[], chunksize=chunk_rows, encoding="utf-8",
        encoding_errors=spec.encoding_errors, skipinitialspace=True,
    )  # fmt: skip
    with reader:
        for frame in reader:
            yield _finish(frame, spec, line)
            line += len(frame)


def _jsonl_chunks(path: Path, spec: FileSpec, wanted: list[str], chunk_rows: int) -> Iterator[Chunk]:
    line = 1
    try:
        reader = pd.read_json(path, lines=True, chunksize=chunk_rows, dtype=False, encoding_errors=spec.encoding_errors)
        with reader:
            for frame in reader:
                yield _finish(frame[[c for c in wanted if c in frame]], spec, line)
                line += len(frame)
    except ValueError:
        raise InvalidBatch(f"{path}: {_first_bad_json_line(path)}") from None


def _first_bad_json_line(path: Path) -> str:
    with _open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                return f"line {number}: empty line"
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                return f"line {number}, column {exc.colno}: invalid JSON ({exc.msg})"
            if not isinstance(record, dict):
                return f"line {number}, column 1: expected a JSON object"
    return "invalid JSON Lines"


def _parquet_chunks(path: Path, spec: FileSpec, wanted: list[str], chunk_rows: int) -> Iterator[Chunk]:
    row = 1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=wanted):
        frame = batch.to_pandas()
        yield _finish(frame, spec, row)
        row += len(frame)
