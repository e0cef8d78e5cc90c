"""How results reach the user: JSON on stdout for scripts, Rich tables for people, messages on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

import loaders

stderr = Console(stderr=True)
stdout = Console()


def print_json(data: BaseModel | Mapping[str, Any] | Sequence[Any]) -> None:
    """Only JSON goes to stdout, so ``linkage … --json | jq`` always parses."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def print_table(title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    names = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    table = Table(title=title, title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(name)) for name in names))
    stdout.print(table)


def print_fields(title: str, data: BaseModel | Mapping[str, Any]) -> None:
    """A two-column table of one object's fields."""
    fields = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    print_table(title, [{"field": key, "value": value} for key, value in fields.items()])


def error(message: str) -> None:
    stderr.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class RowProgress(loaders.Progress):
    """Loader progress as Rich bars on stderr: one per file and phase, with rows per second."""

    def __init__(self) -> None:
        self.bars = Progress(
            TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>12}"), TimeElapsedColumn(), console=stderr, transient=False,
        )  # fmt: skip
        self.task: TaskID | None = None

    def __enter__(self) -> RowProgress:
        self.bars.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.bars.stop()

    def start(self, label: str, total: int | None) -> None:
        self.task = self.bars.add_task(label, total=total, rate="")

    def advance(self, rows: int) -> None:
        if self.task is not None:
            self.bars.advance(self.task, rows)
            task = self.bars.tasks[self.task]
            if task.elapsed:
                self.bars.update(self.task, rate=f"{task.completed / task.elapsed:,.0f} rows/s")

    def finish(self) -> None:
        if self.task is not None:
            task = self.bars.tasks[self.task]
            self.bars.update(self.task, total=task.completed)
