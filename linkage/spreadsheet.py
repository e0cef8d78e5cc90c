"""CSV cells a spreadsheet shows as text: the one rule for every CSV linkage writes (ban list, clusters, rejects).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(``=cmd|' /C calc'!A0``); such a text value is written with a leading ``'``. A text value that starts with ``'``
gets one too, so that the rule can be undone exactly (:func:`unescape_formulas`): ``linkage eval`` and the run
report read an escaped ``'=x`` back as ``=x``, and an account really named ``'x`` survives as well. Only text is
escaped; numbers are written as numbers (a negative score is no formula).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula
QUOTE = "'"
# RFC 4180's line end: Python's csv module quotes a value holding any character of it, so a carriage return inside
# a value (which a line feed ending would leave bare) can no longer end the row for a spreadsheet or a CSV reader
LINE_END = "\r\n"


def escape_formulas(values: pd.Series) -> pd.Series:
    """Text values that start with a formula prefix (or with the quote) with a leading ``'``; other values as
    they are (numbers, missing values)."""
    starts = values.str.startswith((*FORMULA_PREFIXES, QUOTE), na=False).astype(bool)
    return values.where(~starts, QUOTE + values[starts])


def unescape_formulas(values: pd.Series) -> pd.Series:
    """Text values as they were before :func:`escape_formulas`."""
    quoted = values.str.startswith(QUOTE, na=False).astype(bool)
    return values.where(~quoted, values[quoted].str.slice(1))


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [str(name) for name in frame.columns if is_object_dtype(frame[name]) or is_string_dtype(frame[name])]


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV (no index), every text column escaped, numbers as numbers."""
    escaped = frame.assign(**{name: escape_formulas(frame[name]) for name in _text_columns(frame)})
    escaped.to_csv(path, index=False, lineterminator=LINE_END)


def read_csv(path: Path, dtype: dict[str, type] | None = None) -> pd.DataFrame:
    """A CSV :func:`write_csv` wrote, its text as it was: escapes undone, and only an empty cell is missing (an
    account named ``NA`` or ``null`` stays text)."""
    frame = pd.read_csv(path, dtype=dtype, keep_default_na=False, na_values=[""])
    return frame.assign(**{name: unescape_formulas(frame[name]) for name in _text_columns(frame)})
