"""How the loaders report progress: the CLI shows it as progress bars, the library ignores it."""

from __future__ import annotations


class Progress:
    """Called as files are read and written; the CLI shows it as progress bars, the library ignores it."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...

    def finish(self) -> None: ...
