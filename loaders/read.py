"""Find a batch's files and stream them as bounded chunks of string columns, each row with its source line.

CSV and JSON Lines (optionally gzipped) stream through pandas' chunked readers, Parquet through pyarrow's
``iter_batches``; memory is bounded by the chunk size whatever the file size. Every value arrives as a string
("" for missing) so validation sees exactly what the file said.

A line number is the physical line of the file (what an editor shows): records end at a line feed only, so a
carriage return inside a value is part of the value, a quoted value spanning lines moves the next record down by
as many lines, and a blank line is a record of its own (rejected, at its line) rather than silently skipped.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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


def _open_text(path: Path, errors: str = "strict", newline: str = "") -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors=errors, newline=newline)
    return path.open(encoding="utf-8", errors=errors, newline=newline)


def columns_of(path: Path) -> list[str]:
    """The column names a file declares (CSV header, Parquet schema, keys of the first JSON line)."""
    try:
        kind = _kind(path)
        if kind == "parquet":
            return list(pq.read_schema(path).names)
        with _open_text(path, errors="replace", newline="\n") as handle:  # rows are decoded by the reader
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
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, csv.Error, RecursionError,
            pa.ArrowException) as exc:  # fmt: skip
        raise InvalidBatch(f"{path}: line 1: cannot be read as {_kind(path)}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _first_undecodable(path: Path) -> str:
    """Where a file stops being UTF-8: ``line N, column C`` (the column counts the line's characters before)."""
    with gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = len(raw[: exc.start].decode("utf-8", errors="replace")) + 1
                return f"line {number}, column {column}: not UTF-8 (byte 0x{raw[exc.start]:02x})"
    return "not UTF-8"


def iter_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    """The file's rows in chunks of at most ``chunk_rows``; structural problems raise :class:`InvalidBatch`."""
    present = set(columns_of(path))
    wanted = [c for c in spec.columns if c in present]
    kind = _kind(path)
    try:
        if kind == "csv":
            yield from _csv_chunks(path, spec, chunk_rows)
        elif kind == "jsonl":
            yield from _jsonl_chunks(path, spec, chunk_rows)
        else:
            yield from _parquet_chunks(path, spec, wanted, chunk_rows)
    except InvalidBatch:
        raise
    except pd.errors.ParserError as exc:
        raise InvalidBatch(f"{path}: {_parser_message(exc)}") from None
    except UnicodeDecodeError:
        raise InvalidBatch(f"{path}: {_first_undecodable(path)}") from None
    except (OSError, EOFError, zlib.error, ValueError, RecursionError, pa.ArrowException) as exc:
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


def _finish(frame: pd.DataFrame, spec: FileSpec, lines: Sequence[int] | np.ndarray) -> Chunk:
    """Strings everywhere ("" for missing), every spec column present, and each row's source line."""
    out = pd.DataFrame({c: _as_strings(frame[c]) if c in frame else "" for c in spec.columns}, index=range(len(frame)))
    out[LINE] = np.asarray(lines, dtype=np.int64)
    return Chunk(out)


def _csv_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    with _open_text(path, errors="replace") as handle:
        crlf = handle.readline().endswith("\r\n")  # the header's ending: Windows files end every record so
    line = 2  # the header is line 1
    # no usecols: with it pandas silently accepts rows with extra fields; unknown columns are dropped in _finish
    reader = pd.read_csv(
        path, dtype=str, keep_default_na=False, na_values=[], chunksize=chunk_rows, encoding="utf-8",
        encoding_errors=spec.encoding_errors, skipinitialspace=True, lineterminator="\n", skip_blank_lines=False,
    )  # fmt: skip
    with reader:
        for frame in reader:
            if crlf:  # the carriage return before each line feed ends the record's last value: not part of it
                frame = frame.rename(columns=lambda c: str(c).removesuffix("\r"))
                frame = frame.apply(lambda values: values.str.removesuffix("\r"))
            # a record spans one line, plus one for every line feed inside its quoted values
            spans = 1 + sum((frame[c].str.count("\n") for c in frame.columns), start=pd.Series(0, index=frame.index))
            starts = line + np.cumsum(spans.to_numpy()) - spans.to_numpy()
            yield _finish(frame, spec, starts)
            line += int(spans.sum())


def _jsonl_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    """Records a line each; a blank line is skipped, and every other keeps its own line number. Each record's keys
    count, not only the first record's."""
    with _open_text(path, errors=spec.encoding_errors, newline="\n") as handle:
        number = 0
        while True:
            texts = list(itertools.islice(handle, chunk_rows))
            if not texts:
                return
            lines = [number + i for i, text in enumerate(texts, start=1) if text.strip()]
            number += len(texts)
            records = [text for text in texts if text.strip()]
            if not records:
                continue
            try:
                if not all(text.lstrip().startswith("{") for text in records):
                    raise ValueError("expected a JSON object per line")
                frame = pd.read_json(io.StringIO("".join(records)), lines=True, dtype=False)
            except ValueError as exc:
                raise InvalidBatch(f"{path}: {_bad_json(records, lines, exc)}") from None
            yield _finish(frame[[c for c in spec.columns if c in frame]], spec, lines)


def _bad_json(records: list[str], lines: list[int], exc: ValueError) -> str:
    """The first of ``records`` that is not a JSON object, with its line and column (else the reader's reason)."""
    for text, number in zip(records, lines, strict=True):
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            return f"line {number}, column {error.colno}: invalid JSON ({error.msg})"
        except RecursionError:
            return f"line {number}, column 1: invalid JSON (nested too deeply)"
        if not isinstance(record, dict):
            return f"line {number}, column 1: expected a JSON object"
    return f"cannot be read as jsonl: {_reason(exc)}"


def _parquet_chunks(path: Path, spec: FileSpec, wanted: list[str], chunk_rows: int) -> Iterator[Chunk]:
    row = 1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=wanted):
        frame = batch.to_pandas()
        yield _finish(frame, spec, range(row, row + len(frame)))
        row += len(frame)
