"""Find a batch's files and stream them as bounded chunks of string columns, each row with its source line.

CSV (optionally gzipped) streams through pandas' chunked reader, JSON Lines a line at a time through ``json``,
Parquet through pyarrow's ``iter_batches``; memory is bounded by the chunk size whatever the file size. Every value
arrives as a string ("" for missing) so validation sees exactly what the file said, and nothing is coerced on the
way: a CSV row with more fields than its header is a structural error (pandas would otherwise take the first field
for an index and shift the others), and a typed value (Parquet, JSON) must be of its column's kind
(:meth:`FileSpec.kind`): an integer id becomes its exact decimal text (in Arrow, never through a float), a float,
boolean, struct or list where text is due is a structural error naming the column. A byte order mark before the
header (or the first JSON record) is skipped.

A line number is the physical line of the file (what an editor shows): records end at a line feed only, so a
carriage return inside a value is part of the value, a quoted value spanning lines moves the next record down by
as many lines, and a blank line is a record of its own (rejected, at its line) rather than silently skipped.
"""

from __future__ import annotations

import codecs
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
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.io.parsers import TextFileReader

from linkage.errors import ExitCode, LinkageError
from loaders.contract import ENDINGS, ColumnKind, FileSpec
from loaders.privacy import mask_personal

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
    """The file's text; a byte order mark at its start is skipped (``utf-8-sig``)."""
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", errors=errors, newline=newline)
    return path.open(encoding="utf-8-sig", errors=errors, newline=newline)


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
    """A reader's reason, for an error message: its first line, cut short, with any card number or e-mail address
    it quotes from the file masked."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return mask_personal(text[:200])


def _first_undecodable(path: Path) -> str:
    """Where a file stops being UTF-8: ``line N, column C`` (the column counts the line's characters before)."""
    with gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            raw = line.removeprefix(codecs.BOM_UTF8) if number == 1 else line  # an editor does not show it
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = len(raw[: exc.start].decode("utf-8", errors="replace")) + 1
                return f"line {number}, column {column}: not UTF-8 (byte 0x{raw[exc.start]:02x})"
    return "not UTF-8"


def iter_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    """The file's rows in chunks of at most ``chunk_rows``; structural problems raise :class:`InvalidBatch`."""
    names = columns_of(path)
    wanted = [c for c in spec.columns if c in names]
    kind = _kind(path)
    try:
        if kind == "csv":
            yield from _csv_chunks(path, spec, names, chunk_rows)
        elif kind == "jsonl":
            yield from _jsonl_chunks(path, spec, chunk_rows)
        else:
            yield from _parquet_chunks(path, spec, wanted, chunk_rows)
    except InvalidBatch:
        raise
    except pd.errors.ParserError as exc:
        raise InvalidBatch(f"{path}: {_parser_message(path, spec, exc)}") from None
    except UnicodeDecodeError:
        raise InvalidBatch(f"{path}: {_first_undecodable(path)}") from None
    except (OSError, EOFError, zlib.error, ValueError, RecursionError, pa.ArrowException) as exc:
        raise InvalidBatch(f"{path}: cannot be read as {kind}: {_reason(exc)}") from None


def _as_strings(values: pd.Series) -> pd.Series:
    if values.dtype != object:
        values = values.astype("string")
    return values.fillna("").astype(str).reset_index(drop=True)


def _finish(frame: pd.DataFrame, spec: FileSpec, lines: Sequence[int] | np.ndarray) -> Chunk:
    """Strings everywhere ("" for missing), every spec column present, and each row's source line."""
    out = pd.DataFrame({c: _as_strings(frame[c]) if c in frame else "" for c in spec.columns}, index=range(len(frame)))
    out[LINE] = np.asarray(lines, dtype=np.int64)
    return Chunk(out)


def _read_csv(path: Path, spec: FileSpec, chunk_rows: int, records: int | None = None) -> TextFileReader:
    """pandas' chunked reader over the file's records (the first ``records`` only, when given). The header is read
    as a record like any other (``header=None``): pandas then holds every row to the header's number of fields,
    where with a header it would take a first row with one field more for an index and shift the others."""
    return pd.read_csv(
        path, header=None, index_col=False, dtype=str, keep_default_na=False, na_values=[], chunksize=chunk_rows,
        nrows=records, encoding="utf-8", encoding_errors=spec.encoding_errors, skipinitialspace=True,
        lineterminator="\n", skip_blank_lines=False,
    )  # fmt: skip


def _spans(frame: pd.DataFrame) -> np.ndarray:
    """The lines each record spans: one, plus one for every line feed inside its quoted values."""
    feeds = sum((frame[c].str.count("\n") for c in frame.columns), start=pd.Series(0, index=frame.index))
    return 1 + feeds.to_numpy()


def _csv_chunks(path: Path, spec: FileSpec, names: list[str], chunk_rows: int) -> Iterator[Chunk]:
    """Records of the spec's columns, taken by their position in the header (``names``); fewer fields than the
    header leave the last values empty."""
    positions = {name: index for index, name in reversed(list(enumerate(names)))}
    wanted = [c for c in spec.columns if c in positions]
    with _open_text(path, errors="replace") as handle:
        crlf = handle.readline().endswith("\r\n")  # the header's ending: Windows files end every record so
    line = 1  # where the next record starts (the header is line 1)
    with _read_csv(path, spec, chunk_rows) as reader:
        for frame in itertools.chain([reader.get_chunk(chunk_rows + 1)], reader):  # the header, then chunk_rows
            if crlf:  # the carriage return before each line feed ends the record's last value: not part of it
                frame = frame.apply(lambda values: values.str.removesuffix("\r"))
            spans = _spans(frame)
            starts = line + np.cumsum(spans) - spans
            line += int(spans.sum())
            if starts[0] == 1:  # the header
                frame, starts = frame.iloc[1:], starts[1:]
            columns = frame[[positions[c] for c in wanted]].set_axis(wanted, axis="columns")
            yield _finish(columns, spec, starts)


def _parser_message(path: Path, spec: FileSpec, exc: Exception) -> str:
    """pandas' reason, with the record it names (``line N``: the N-th record) as the file's line."""
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if match:
        expected, record, saw = (int(group) for group in match.groups())
        line = _line_of_record(path, spec, record)
        return f"line {line}, column {expected + 1}: expected {expected} fields, saw {saw}"
    return _reason(exc)


def _line_of_record(path: Path, spec: FileSpec, record: int) -> int:
    """The line the ``record``-th record (the header is the first) starts on: the lines of those before it."""
    line = 1
    with _read_csv(path, spec, 100_000, record - 1) as reader:
        for frame in reader:
            line += int(_spans(frame).sum())
    return line


def _jsonl_chunks(path: Path, spec: FileSpec, chunk_rows: int) -> Iterator[Chunk]:
    """Records a line each; a blank line is skipped, and every other keeps its own line number. Each record's keys
    count, not only the first record's."""
    with _open_text(path, errors=spec.encoding_errors, newline="\n") as handle:
        number = 0
        while True:
            texts = list(itertools.islice(handle, chunk_rows))
            if not texts:
                return
            filled = [(line, text) for line, text in enumerate(texts, start=number + 1) if not text.isspace()]
            number += len(texts)
            if filled:
                lines = [line for line, _ in filled]
                records = [_json_record(path, text, line) for line, text in filled]
                columns = {c: _json_texts(path, spec, c, records, lines) for c in spec.columns}
                yield _finish(pd.DataFrame(columns), spec, lines)


_DECODER = json.JSONDecoder()


def _json_record(path: Path, text: str, line: int) -> dict[str, object]:
    try:
        record = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise InvalidBatch(f"{path}: line {line}, column {error.colno}: invalid JSON ({error.msg})") from None
    except RecursionError:
        raise InvalidBatch(f"{path}: line {line}, column 1: invalid JSON (nested too deeply)") from None
    except ValueError:  # an integer of more digits than Python converts
        raise InvalidBatch(f"{path}: line {line}, column 1: invalid JSON (a number too long)") from None
    if not isinstance(record, dict):
        raise InvalidBatch(f"{path}: line {line}, column 1: expected a JSON object")
    return record


EXPECTED: dict[ColumnKind, str] = {
    "text": "a string", "id": "a string or an integer", "number": "a number or a string", "time": "a string",
}  # fmt: skip


def _json_type(value: object) -> str:
    """How a JSON value that is no text is named in an error (never the value itself)."""
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, int):
        return "a JSON integer"
    if isinstance(value, float):
        return "a JSON number with a fraction or an exponent"
    return "a JSON object" if isinstance(value, dict) else "a JSON array"


def _json_text(value: object, kind: ColumnKind) -> str | None:
    """The text of a JSON value that is not a string, in a column of ``kind``: None when the kind does not take it
    (an integer is an id's or a number's exact digits; any number is a number's)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and kind in ("id", "number"):
        return str(value)
    if isinstance(value, float) and kind == "number":
        return repr(value)
    return None


def _json_texts(
    path: Path, spec: FileSpec, column: str, records: list[dict[str, object]], lines: list[int]
) -> pd.Series:
    """One column of a chunk's records as text; a value of the wrong type, or text that is not Unicode (a lone
    surrogate escape, ``"\\ud800"``), is a structural error naming its line and column."""
    kind = spec.kind(column)
    values = [record.get(column) for record in records]
    texts = [value if type(value) is str else _json_text(value, kind) for value in values]
    if None in texts:
        index = texts.index(None)
        raise InvalidBatch(f"{path}: line {lines[index]}, column {column}: {_json_type(values[index])} where "
                           f"{EXPECTED[kind]} is due")  # fmt: skip
    try:
        array = pa.array(texts, pa.string())
    except UnicodeEncodeError:
        if not _replaces(spec, column):
            index = next(i for i, text in enumerate(texts) if SURROGATE.search(text or ""))
            raise InvalidBatch(f"{path}: line {lines[index]}, column {column}: not Unicode text (a lone "
                               "surrogate)") from None  # fmt: skip
        array = pa.array([SURROGATE.sub("\ufffd", text or "") for text in texts], pa.string())  # as a bad byte is
    strings: pd.Series = array.to_pandas()
    return strings


SURROGATE = re.compile("[\ud800-\udfff]")


def _replaces(spec: FileSpec, column: str) -> bool:
    """Whether text that is not Unicode is replaced (U+FFFD) in ``column`` rather than an error: in free text only
    (the prompt, dropped from every reject). A CSV file is decoded whole, so there it applies to the whole file."""
    return spec.encoding_errors == "replace" and column in spec.dropped


def _errors(spec: FileSpec, column: str) -> str:
    return "replace" if _replaces(spec, column) else "strict"


def _arrow_kind(data_type: pa.DataType) -> str:
    """What an Arrow type holds, as the contract's kinds see it."""
    if pa.types.is_dictionary(data_type):
        return _arrow_kind(data_type.value_type)
    if pa.types.is_null(data_type) or pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "text"
    if pa.types.is_string_view(data_type):
        return "text"
    if pa.types.is_binary(data_type) or pa.types.is_large_binary(data_type) or pa.types.is_binary_view(data_type):
        return "bytes"
    if pa.types.is_integer(data_type):
        return "integer"
    if pa.types.is_floating(data_type) or pa.types.is_decimal(data_type):
        return "fraction"
    return "time" if pa.types.is_timestamp(data_type) or pa.types.is_date(data_type) else "other"


ACCEPTS: dict[ColumnKind, set[str]] = {
    "text": {"text", "bytes"},
    "id": {"text", "bytes", "integer"},
    "number": {"text", "bytes", "integer", "fraction"},
    "time": {"text", "bytes", "time"},
}


def _check_parquet_types(path: Path, spec: FileSpec, schema: pa.Schema, wanted: list[str]) -> None:
    for column in wanted:
        data_type = schema.field(column).type
        kind = spec.kind(column)
        if _arrow_kind(data_type) not in ACCEPTS[kind]:
            named = mask_personal(str(data_type)[:100])  # a type names its fields: the file's words
            raise InvalidBatch(
                f"{path}: column {column}: a Parquet column of type {named} where {EXPECTED[kind]} is due"
            )


def _arrow_texts(path: Path, spec: FileSpec, column: str, values: pa.Array, first_row: int) -> pd.Series:
    """A Parquet column as text, cast in Arrow (an integer's exact digits, never through a float)."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if _arrow_kind(values.type) == "bytes":
        values = _decoded(path, spec, column, values, first_row)
    elif not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    texts: pd.Series = pc.fill_null(values, "").to_pandas()
    return texts


def _decoded(path: Path, spec: FileSpec, column: str, values: pa.Array, first_row: int) -> pa.Array:
    """Bytes as UTF-8 text; in free text what is not UTF-8 is replaced, elsewhere it is an error naming its row."""
    try:
        return values.cast(pa.string())
    except pa.ArrowInvalid:
        texts = []
        for row, raw in enumerate(values.to_pylist(), start=first_row):
            try:
                texts.append(None if raw is None else raw.decode("utf-8", errors=_errors(spec, column)))
            except UnicodeDecodeError:
                raise InvalidBatch(f"{path}: row {row}, column {column}: not UTF-8") from None
        return pa.array(texts, pa.string())


def _parquet_chunks(path: Path, spec: FileSpec, wanted: list[str], chunk_rows: int) -> Iterator[Chunk]:
    parquet = pq.ParquetFile(path)
    _check_parquet_types(path, spec, parquet.schema_arrow, wanted)
    row = 1
    for batch in parquet.iter_batches(batch_size=chunk_rows, columns=wanted):
        frame = pd.DataFrame({c: _arrow_texts(path, spec, c, batch.column(c), row) for c in wanted})
        yield _finish(frame, spec, range(row, row + batch.num_rows))
        row += batch.num_rows
