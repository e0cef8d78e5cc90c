"""Expected failures and the exit codes the CLI maps them to (a script can tell them apart)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # an expected failure: the message says what and where
    USAGE = 2  # bad command-line usage (Typer's own code)
    INVALID_INPUT = 3  # a batch failed validation: nothing was written
    DATABASE = 4  # the database could not be started or reached, or was lost on the way
    BUSY = 5  # another run holds the database's lock: try again later (a crashed run's lease lapses by itself)


EXIT_CODES_HELP = (
    "Exit codes: "
    + ", ".join(
        f"{code.value} {text}"
        for code, text in {
            ExitCode.OK: "success",
            ExitCode.FAILURE: "an expected failure (the message says what, e.g. a full disk)",
            ExitCode.USAGE: "usage (or a bad setting, or an output folder linkage cannot write in)",
            ExitCode.INVALID_INPUT: "invalid input (nothing was written)",
            ExitCode.DATABASE: "database unavailable, lost on the way or short of memory",
            ExitCode.BUSY: "another run holds the database",
        }.items()
    )
    + ", 128+N stopped by signal N (129 SIGHUP, 130 SIGINT, 143 SIGTERM)"
)


class LinkageError(Exception):
    """An expected failure whose message is meant for the user, never shown with a traceback."""

    exit_code: ExitCode = ExitCode.FAILURE
