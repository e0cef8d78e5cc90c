"""The nightly run's files: banlist.csv and clusters.csv for trust & safety, run.json for the record, report.html
for analysts (:mod:`linkage.report`).

A ban list's reasons travel twice: as sentences (``reasons``, joined by '; ') for people and as records
(``reason_records``: kind, value, members, total, weight, sentence) for machines; in CSV the records are one JSON
text per row, in JSON and Parquet they are nested.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel

from linkage.spreadsheet import write_csv

BANLIST = "banlist.csv"
CLUSTERS = "clusters.csv"
RUN = "run.json"
REPORT = "report.html"
BanlistFormat = Literal["csv", "json", "parquet"]


class OutputFiles(BaseModel):
    banlist: Path
    clusters: Path
    run: Path
    report: Path | None = None  # written once the run is recorded (it reads run.json)
    rejects: Path | None = None  # rejects/<file>.csv, when any row was rejected


def output_paths(out_dir: Path) -> OutputFiles:
    """Where a run in ``out_dir`` writes each file (run.json lists them)."""
    rejects = out_dir / "rejects"
    return OutputFiles(banlist=out_dir / BANLIST, clusters=out_dir / CLUSTERS, run=out_dir / RUN,
                       report=out_dir / REPORT, rejects=rejects if rejects.is_dir() else None)  # fmt: skip


def banlist_from_graph(rows: pd.DataFrame) -> pd.DataFrame:
    """The ban list read from the graph (``nightly/read_banlist``): its JSON reason records parsed."""
    records = [json.loads(text) for text in rows["reason_json"]] if len(rows) else []
    return rows.drop(columns="reason_json").assign(reason_records=pd.Series(records, index=rows.index, dtype=object))


def write_banlist(frame: pd.DataFrame, path: Path, file_format: BanlistFormat = "csv") -> Path:
    """Write a ban list as CSV (records as JSON text), JSON (a list of objects) or Parquet (nested records)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "csv":
        flat = frame.assign(reason_records=[json.dumps(found) for found in frame["reason_records"]])
        _atomic(path, lambda tmp: write_csv(flat, tmp))
    elif file_format == "json":
        _atomic(path, lambda tmp: tmp.write_text(json.dumps(_plain(frame), indent=1) + "\n", encoding="utf-8"))
    else:
        _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return path


def _plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON values: NaN as null."""
    return [
        {str(key): (None if isinstance(value, float) and value != value else value) for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def forget_finished(out_dir: Path) -> None:
    """A run starting in ``out_dir`` first removes the run.json of an earlier one: until it writes its own, the
    folder holds no finished run (its ban list may be older, or half-way replaced)."""
    output_paths(out_dir).run.unlink(missing_ok=True)


def write_results(out_dir: Path, banlist: pd.DataFrame, clusters: pd.DataFrame) -> OutputFiles:
    """Write banlist.csv and clusters.csv; each lands whole or not at all (written aside, then renamed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = output_paths(out_dir)
    write_banlist(banlist, files.banlist)
    _atomic(files.clusters, lambda tmp: write_csv(clusters, tmp))
    return files


def write_record(files: OutputFiles, summary: BaseModel) -> None:
    """Write run.json, last, once the run is recorded as finished in the graph: its presence means a finished run."""
    _atomic(files.run, lambda tmp: tmp.write_text(summary.model_dump_json(indent=2) + "\n"))


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    write(tmp)
    tmp.replace(path)
