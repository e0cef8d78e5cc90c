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


def write_outputs(out_dir: Path, banlist: pd.DataFrame, clusters: pd.DataFrame, summary: BaseModel) -> OutputFiles:
    """Write the three files; each lands whole or not at all (written aside, then renamed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = OutputFiles(banlist=out_dir / BANLIST, clusters=out_dir / CLUSTERS, run=out_dir / RUN)
    write_banlist(banlist, files.banlist)
    _atomic(files.clusters, lambda tmp: clusters.to_csv(tmp, index=False))
    _atomic(files.run, lambda tmp: tmp.write_text(summary.model_dump_json(indent=2) + "\n"))
    return files


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    write(tmp)
    tmp.replace(path)
