"""The quality targets, end to end on randomised scenarios the detector was not tuned on: synth → two nights → eval.

Targets (issue 12): precision ≥ 0.99 and recall ≥ 0.95 of ``decision=ban`` per farm type; no account of a benign
look-alike group banned; no look-alike group with more than 5% of its accounts in review; at least 70% of the review
queue coordinated; respawns ≥ 0.95 banned on their first night. Thresholds were chosen on seeds 1001-1020; the
benchmark reports seeds 2001 onwards; these two seeds (3001, 3002) were used for neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.scenarios import random_scenario, synthesize
from linkage.scenarios.evaluate import EvalResult, evaluate, known_bans
from linkage.settings import Settings

pytestmark = pytest.mark.db


def _night(scenario_dir: Path, out: Path, night: int) -> EvalResult:
    truth = scenario_dir / "truth.csv"
    return evaluate(out / f"night{night}" / "banlist.csv", truth, night=night,
                    already_banned=known_bans(truth, night))  # fmt: skip


def _assert_targets(result: EvalResult) -> None:
    assert result.precision >= 0.99, result
    for group in result.group_types:
        if group.kind == "coordinated":
            assert group.banned >= 0.95 * group.size, group
        else:
            assert group.banned == 0, group
    for group in result.groups:
        if group.kind != "coordinated":
            assert group.reviewed <= 0.05 * group.size, group
    benign_reviews = sum(g.reviewed for g in result.groups if g.kind != "coordinated")
    assert benign_reviews <= 0.3 * result.reviewed, result


@pytest.mark.parametrize(("seed", "accounts"), [(3001, 3000), (3002, 4000)])
def test_two_nights_of_a_randomised_scenario_meet_the_quality_targets(
    graph: Graph, settings: Settings, tmp_path: Path, seed: int, accounts: int
) -> None:
    scenario_dir = tmp_path / "scenario"
    synthesize(scenario_dir, random_scenario(seed, accounts))
    demo = settings.model_copy(update={"demo": True})
    for night in (1, 2):
        nightly_run(demo, scenario_dir / f"night{night}", tmp_path / "out" / f"night{night}")
        _assert_targets(_night(scenario_dir, tmp_path / "out", night))
    result = _night(scenario_dir, tmp_path / "out", 2)
    assert result.respawn_recall is not None and result.respawn_recall >= 0.95, result
