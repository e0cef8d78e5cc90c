"""Stopping on a signal: SIGTERM and SIGHUP (what a scheduler or a closed terminal sends) end a command exactly as
Ctrl-C (SIGINT) does.

The handlers raise :class:`Stopped` in the main thread wherever it is (a driver's socket read, a GDS call, a pandas
loop), as Python raises KeyboardInterrupt: every ``finally`` and context manager on the way out runs, so the lock is
given back (:mod:`linkage.nightly.lock`), the run's GDS projection dropped and the temporary folder of prompt text
removed. It derives from BaseException, so that no ``except Exception`` on the way takes it for an error. Once one
signal arrived, further ones are ignored: a second SIGTERM cannot cut that cleanup short (SIGKILL still ends the
process at once, and the next run takes over its lock and drops its projection).

Python drops what a handler raises while a finaliser runs (a driver object's ``__del__`` collected mid-load): such a
stop is kept and raised at the next database call instead (:func:`raise_if_dropped`, from :class:`linkage.graph.Graph`),
and the "Exception ignored" traceback Python would print for it is not printed.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_received: Stopped | None = None
_dropped = False


class Stopped(BaseException):
    """A signal asked the process to stop."""

    def __init__(self, signum: int) -> None:
        self.signal = signal.Signals(signum)
        super().__init__(f"Stopped by {self.signal.name}")

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process that a signal ended."""
        return 128 + self.signal.value


def _stop(signum: int, _: FrameType | None) -> None:
    global _received
    for each in STOP_SIGNALS:
        signal.signal(each, signal.SIG_IGN)
    _received = Stopped(signum)
    raise _received


def _keep_dropped_stop(unraisable: sys.UnraisableHookArgs) -> None:
    global _dropped
    if _received is not None and unraisable.exc_value is _received:
        _dropped = True
    else:
        sys.__unraisablehook__(unraisable)


def stop_on_signals() -> None:
    """From now on, SIGINT, SIGTERM and SIGHUP raise :class:`Stopped` in the main thread (call it from there)."""
    for each in STOP_SIGNALS:
        signal.signal(each, _stop)
    sys.unraisablehook = _keep_dropped_stop


def raise_if_dropped() -> None:
    """Raise the stop a signal asked for if Python dropped it (it arrived in a finaliser), once."""
    global _dropped
    if _dropped and _received is not None:
        _dropped = False
        raise _received


def raise_if_received() -> None:
    """Raise the stop a signal asked for, if one did: called where an error may be the signal's doing."""
    if _received is not None:
        raise _received from None


def received() -> Stopped | None:
    """The stop a signal asked for, if one did: an error raised while it unwinds (a connection cut mid-read) is the
    signal's doing, not a failure of its own."""
    return _received
