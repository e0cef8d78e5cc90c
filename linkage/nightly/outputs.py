"""The nightly run's files: banlist.csv and clusters.csv for trust & safety, run.json for the record, report.html
for analysts (:mod:`linkage.report`).

Each lands whole or not at all (:mod:`linkage.files`). The folder is checked before the run writes to the graph
(:func:`space_needed`), and what an earlier run wrote there is removed before this one writes
(:func:`forget_earlier_run`): the folder never mixes two runs' files, and holds a run.json only for a finished run.

A ban list's reasons travel twice: as sentences (``reasons``, joined by '; ') for people and as records
(``reason_records``: kind, value, members, total, weight, values, sentence) for machines; in CSV the records are
one JSON text per row, in JSON and Parquet they are nested.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from linkage.files import MB, TEMPORARY, output_errors, temporary
from linkage.files import atomic_write as _atomic
from linkage.nightly.formats import BanlistFormat
from linkage.spreadsheet import write_csv
from loaders import contract
from loaders.read import find_file

BANLIST = "banlist.csv"
CLUSTERS = "clusters.csv"
RUN = "run.json"
REPORT = "report.html"
PICTURES = "pictures"
REJECTS = "rejects"
# the report (plotly.js, a table of at most 10,000 decisions at about 2.5 kB each) and its five pictures (~1.4 MB each)
REPORT_SPACE = 64 * MB
# a ban-list row with its reasons is about 2.5 kB, an accounts row 40-100 bytes, and about one account in ten gets a
# decision (9% and 12% in the scenarios of BENCHMARKS.md): the ban list takes about 4 times the accounts file
BANLIST_PER_ACCOUNTS_BYTE = 4


class OutputFiles(BaseModel):
    banlist: Path
    clusters: Path
    run: Path
    report: Path | None = None  # written once the run is recorded (it reads run.json)
    rejects: Path | None = None  # rejects/<file>.csv, when any row was rejected


def output_paths(out_dir: Path, rejects: bool = False) -> OutputFiles:
    """Where a run in ``out_dir`` writes each file (run.json lists them; ``rejects``: whether it rejected rows)."""
    return OutputFiles(banlist=out_dir / BANLIST, clusters=out_dir / CLUSTERS, run=out_dir / RUN,
                       report=out_dir / REPORT, rejects=out_dir / REJECTS if rejects else None)  # fmt: skip


def space_needed(batch_dir: Path) -> int:
    """Bytes a run of ``batch_dir`` should find free in its output folder: the report's, and the ban list's by the
    size of the accounts file. An estimate, checked before the run writes to the graph; a disk that fills anyway is
    caught when the files are written, before the run is recorded as finished."""
    accounts = find_file(batch_dir, contract.ACCOUNTS) if batch_dir.is_dir() else None
    return REPORT_SPACE + BANLIST_PER_ACCOUNTS_BYTE * (accounts.stat().st_size if accounts else 0)


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


def forget_earlier_run(out_dir: Path) -> None:
    """Remove what an earlier run wrote in ``out_dir`` (and the temporary files of one cut short), run.json first: a
    folder without it holds no finished run. Only the names a run writes; anything else in the folder stays."""
    files = output_paths(out_dir)
    rejects = [out_dir / REJECTS / f"{spec.name}.csv" for spec in contract.SPECS]
    pictures = [*(out_dir / PICTURES).glob("*.html"), *(out_dir / PICTURES).glob("*.html" + TEMPORARY)]
    for path in [files.run, files.banlist, files.clusters, out_dir / REPORT, *rejects, *pictures]:
        with output_errors(path):
            path.unlink(missing_ok=True)
            temporary(path).unlink(missing_ok=True)


def write_results(files: OutputFiles, banlist: pd.DataFrame, clusters: pd.DataFrame) -> None:
    """Write banlist.csv and clusters.csv; each lands whole or not at all (written aside, then renamed)."""
    write_banlist(banlist, files.banlist)
    _atomic(files.clusters, lambda tmp: write_csv(clusters, tmp))


def write_record(files: OutputFiles, summary: BaseModel, finish: Callable[[], object]) -> None:
    """Write run.json, last: its content aside, then ``finish()`` records the run as finished in the graph, then
    run.json is renamed into place. A full disk fails before the graph says finished, and run.json appears only
    for a finished run."""
    tmp = temporary(files.run)
    try:
        with output_errors(files.run):
            tmp.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
        finish()
        with output_errors(files.run):
            tmp.replace(files.run)
    finally:
        tmp.unlink(missing_ok=True)
