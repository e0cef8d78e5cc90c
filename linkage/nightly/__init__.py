"""The nightly job: load, similarity, detection, its files, and the record of each run.

Its functions load on first use (PEP 562's module ``__getattr__``): the CLI's ``--help`` and the light
:mod:`linkage.nightly.formats` need none of the pipeline's libraries (pandas, the driver, GDS, numba)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linkage.nightly.run import RunResult, detect_only, export_banlist, load_only, nightly_run, similarity_only

__all__ = ["RunResult", "detect_only", "export_banlist", "load_only", "nightly_run", "similarity_only"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from linkage.nightly import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
