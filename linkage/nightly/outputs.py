"""The nightly run's files: banlist.csv and clusters.csv for trust & safety, run.json for the record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

BANLIST = "banlist.csv"
CLUSTERS = "clusters.csv"
RUN = "run.json"


class OutputFiles(BaseModel):
    banlist: Path
    clusters: Path
    run: Path


def write_banlist(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic(path, lambda tmp: frame.to_csv(tmp, index=False))
    return path


def output_files(out_dir: Path) -> OutputFiles:
    return OutputFiles(banlist=out_dir / BANLIST, clusters=out_dir / CLUSTERS, run=out_dir / RUN)


def forget_finished(out_dir: Path) -> None:
    """A run starting in ``out_dir`` first removes the run.json of an earlier one: until it writes its own, the
    folder holds no finished run (its ban list may be older, or half-way replaced)."""
    output_files(out_dir).run.unlink(missing_ok=True)


def write_results(out_dir: Path, banlist: pd.DataFrame, clusters: pd.DataFrame) -> OutputFiles:
    """Write banlist.csv and clusters.csv; each lands whole or not at all (written aside, then renamed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = output_files(out_dir)
    write_banlist(banlist, files.banlist)
    _atomic(files.clusters, lambda tmp: clusters.to_csv(tmp, index=False))
    return files


def write_record(files: OutputFiles, summary: BaseModel) -> None:
    """Write run.json, last, once the run is recorded as finished in the graph: its presence means a finished run."""
    _atomic(files.run, lambda tmp: tmp.write_text(summary.model_dump_json(indent=2) + "\n"))


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    write(tmp)
    tmp.replace(path)
