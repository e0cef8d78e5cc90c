"""The SparkSession pass 1 runs on: the settings' master and driver memory, quiet, stopped on the way out."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import SparkSession

from linkage.settings import Settings


def start(master: str, driver_memory: str) -> SparkSession:
    """A session without the web UI that logs warnings only. On a local master the Python workers run this
    interpreter unless PYSPARK_PYTHON names another (PySpark reads only that variable, and would start whatever
    ``python3`` is first on the PATH), so they import the same linkage, numba and pyarrow; a cluster's workers need
    linkage installed and PYSPARK_PYTHON set by whoever runs the cluster."""
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # PySpark 4 is not yet tested with pandas 3; this engine hands it Arrow batches, never pandas frames
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    builder = (
        SparkSession.builder.master(master)
        .appName("linkage-similarity")
        .config("spark.driver.memory", driver_memory)
        .config("spark.driver.maxResultSize", driver_memory)  # the signatures and bucket mates come back whole
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


@contextmanager
def spark_session(settings: Settings) -> Iterator[SparkSession]:
    """A session for as long as the block lasts (one `linkage similarity --engine spark`)."""
    spark = start(settings.spark_master, settings.spark_driver_memory)
    try:
        yield spark
    finally:
        spark.stop()
