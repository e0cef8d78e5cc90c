"""How the loaders report progress: the CLI shows it as progress bars, the library ignores it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Progress:
    """Called as files are read and written; the CLI shows it as progress bars, the library ignores it."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...

    def finish(self) -> None: ...


@contextmanager
def stage(progress: Progress, label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """One labelled stage of a load: started, advanced through the yielded callable, finished."""
    progress.start(label, total)
    yield progress.advance
    progress.finish()
