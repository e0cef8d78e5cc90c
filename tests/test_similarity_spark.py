"""The Spark engine (pass 1 on a local SparkSession) gives what the local engine gives: the same Analysis frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from linkage.scenarios.generate import synthesize
from linkage.scenarios.scenario import scenario_from
from linkage.settings import Settings
from linkage.similarity import Analysis, analyse
from linkage.similarity.spark import SparkPass1
from loaders import accepted_prompts, check_prompts

pytestmark = pytest.mark.spark
FRAMES = ["families", "usage", "links", "features", "adoptions", "segments", "segment_usage"]


def _same(local: Analysis, spark: Analysis) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(local, name), getattr(spark, name), obj=name)
    counts = ["prompts", "empty_prompts", "near_duplicate_prompts", "bands", "rows"]
    assert [getattr(spark, c) for c in counts] == [getattr(local, c) for c in counts]


def test_the_spark_engine_finds_the_local_engines_families_and_links(spark: SparkSession, tmp_path: Path) -> None:
    """A generated night of 1,000 accounts (farms, tool users, classrooms...), read in four chunks, so Spark reads
    four staged files as partitions and must put the prompts back in stream order."""
    synthesize(tmp_path / "scenario", scenario_from({"accounts": 1000, "nights": 1, "seed": 11}))
    stage = tmp_path / "stage"
    stage.mkdir()
    config = Settings(hash_key="test-hash-key-not-secret", spark_stage_dir=stage)
    spool = tmp_path / "spool"
    spool.mkdir()
    check_prompts(config, tmp_path / "scenario" / "night1", spool, tmp_path / "rejects")
    chunks = accepted_prompts(spool, 6_000)
    assert len(list(chunks())) >= 3
    local = analyse(chunks, config)
    on_spark = analyse(chunks, config, engine=SparkPass1(spark))
    _same(local, on_spark)
    assert len(local.families) >= 5 and len(local.links) >= 100 and len(local.segments) >= 1
    assert not list(stage.iterdir()), "the staged prompt text outlives pass 1"


def test_the_spark_engine_handles_empty_hostile_and_wordless_prompts_as_the_local_one(spark: SparkSession) -> None:
    template = "Please solve {} step by step and show your reasoning before the final answer is given"
    odd: list[object] = ["", None, "   ", "🙂" * 50, "x" * 20_000, b"\xff\xfe bytes", "问题：" + "苹果" * 30]
    rows = [(f"a{i % 7}", template.format(f"{i} + {i * 3}")) for i in range(60)] + [
        (f"b{i}", value) for i, value in enumerate(odd)
    ]
    frame = pd.DataFrame(
        {
            "account_id": [account for account, _ in rows],
            "ts": pd.date_range("2026-11-23", periods=len(rows), freq="37s", tz="UTC"),
            "prompt": pd.Series([prompt for _, prompt in rows], dtype=object),
            "output_tokens": 500,
        }
    )

    def chunks() -> Iterator[pd.DataFrame]:
        return (frame.iloc[i : i + 25] for i in range(0, len(frame), 25))

    config = Settings(hash_key="test-hash-key-not-secret")
    local = analyse(chunks, config)
    _same(local, analyse(chunks, config, engine=SparkPass1(spark)))
    assert local.empty_prompts >= 2 and len(local.families) == 1
    assert np.isin(["a0", "a6"], local.usage["account_id"]).all()
