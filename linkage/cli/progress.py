"""Loader progress for people: Rich bars on stderr (the commands that load import it, and the loaders with it)."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

import loaders
from linkage.cli.render import stderr


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
