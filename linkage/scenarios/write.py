"""Writes a night's batch folder chunk by chunk: one open pyarrow writer per file, so memory stays bounded by a chunk.

Timestamps are ISO-8601 strings in both formats (as a CSV export has them), so the malformed rows the loaders must
reject can be written too. The ground truth goes to one ``truth.csv`` beside the nights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from linkage.scenarios.common import SCHEMAS

_INTEGER = {"input_tokens", "output_tokens", "night"}


def schema(name: str) -> pa.Schema:
    return pa.schema([(c, pa.int64() if c in _INTEGER else pa.string()) for c in SCHEMAS[name]])


class _File:
    def __init__(self, path: Path, name: str, file_format: Literal["parquet", "csv"]) -> None:
        self.schema = schema(name)
        self.rows = 0
        self.path = path
        if file_format == "parquet":
            self.parquet: pq.ParquetWriter | None = pq.ParquetWriter(path, self.schema, compression="zstd")
            self.stream: pa.CompressedOutputStream | pa.OSFile | None = None
        else:
            self.parquet = None
            self.stream = pa.CompressedOutputStream(str(path), "gzip") if path.suffix == ".gz" else pa.OSFile(
                str(path), "wb")  # fmt: skip
            self.csv = pacsv.CSVWriter(self.stream, self.schema)

    def write(self, table: pa.Table) -> None:
        table = table.select(self.schema.names).cast(self.schema)
        if self.parquet is not None:
            self.parquet.write_table(table)
        else:
            self.csv.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        else:
            self.csv.close()
            assert self.stream is not None
            self.stream.close()


class BatchWriter:
    """The files of one batch folder, opened on their first rows (a night without bans has no bans file)."""

    def __init__(self, folder: Path, file_format: Literal["parquet", "csv"]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.file_format = file_format
        self.files: dict[str, _File] = {}

    def write(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if name not in self.files:
            suffix = ".parquet" if self.file_format == "parquet" else ".csv.gz"
            self.files[name] = _File(self.folder / f"{name}{suffix}", name, self.file_format)
        self.files[name].write(table)

    def close(self) -> dict[str, int]:
        """Closes every file; rows written per file."""
        for f in self.files.values():
            f.close()
        return {name: f.rows for name, f in self.files.items()}


class TruthWriter:
    """``truth.csv``: account_id, group, kind, night — ids and labels only, never an e-mail or a card."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = _File(path, "truth", "csv")

    def write(self, table: pa.Table) -> None:
        self.file.write(table)

    def close(self) -> int:
        self.file.close()
        return self.file.rows
