"""Time, one policy for every file: ISO-8601 text in, UTC datetimes inside, epoch milliseconds to Neo4j.

One parser (:func:`parse_times`) for every timestamp column of a batch, and one conversion to epoch milliseconds
(:func:`epoch_millis`) for both write paths: the Cypher statements turn them back into datetimes, and the batch
importer stores them as they are. Both floor to the millisecond, also before 1970. A time outside the configured
window (``LINKAGE_EARLIEST_TIME``, ``LINKAGE_LATEST_TIME``) is no time of a night's export: year 0001 or 9999 is a
broken value, and it would stretch every "first seen … last seen" it touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ABSENT = np.iinfo(np.int64).min  # a missing time (or long) in a column file
TICKS_PER_MILLI = {"s": 0, "ms": 1, "us": 1000, "ns": 1_000_000}


@dataclass(frozen=True)
class TimeWindow:
    """The times a batch may hold: from ``earliest`` (included) to ``latest`` (excluded), both aware."""

    earliest: datetime
    latest: datetime

    def __str__(self) -> str:
        return f"{self.earliest:%Y-%m-%d} … {self.latest:%Y-%m-%d}"


def parse_times(values: pd.Series, window: TimeWindow) -> pd.Series:
    """ISO-8601 text as UTC datetimes; NaT where a value is empty, not ISO-8601 or outside ``window``."""
    parsed = pd.to_datetime(values.where(values != "", None), utc=True, errors="coerce", format="ISO8601")
    inside = (parsed >= pd.Timestamp(window.earliest)) & (parsed < pd.Timestamp(window.latest))
    return parsed.where(inside)


def epoch_millis(values: pa.Array | pa.ChunkedArray | pd.Series) -> np.ndarray:
    """Timestamps (UTC) as epoch milliseconds (int64, floored), :data:`ABSENT` where missing."""
    if isinstance(values, pd.Series):  # aware datetimes: their UTC wall time, naive (pandas warns on Arrow's path)
        values = values.dt.tz_convert(None) if isinstance(values.dtype, pd.DatetimeTZDtype) else values
    array = pa.array(values) if isinstance(values, pd.Series) else values
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    unit = array.type.unit
    ticks = pc.fill_null(array.cast(pa.int64()), 0).to_numpy()
    millis: np.ndarray = ticks * 1000 if unit == "s" else ticks // TICKS_PER_MILLI[unit]
    if array.null_count:
        millis[array.is_null().to_numpy(zero_copy_only=False)] = ABSENT
    return millis
