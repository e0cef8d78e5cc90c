"""The quality targets, end to end on generated scenarios: synth → nightly run (two nights) → eval.

Targets (issue 5): precision ≥ 0.99 and recall ≥ 0.95 for ``decision=ban``, no ban in any benign look-alike
group, and ≥ 0.95 of respawned accounts banned on their first night. Two scenarios of different size and seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage.graph import Graph
from linkage.nightly.run import nightly_run
from linkage.scenarios.evaluate import EvalResult, evaluate, known_bans
from linkage.scenarios.generate import synthesize
from linkage.scenarios.scenario import Scenario
from linkage.settings import Settings

pytestmark = pytest.mark.db


def _night(scenario_dir: Path, out: Path, night: int) -> EvalResult:
    truth = scenario_dir / "truth.csv"
    return evaluate(out / f"night{night}" / "banlist.csv", truth, night=night,
                    already_banned=known_bans(truth, night))  # fmt: skip


@pytest.mark.parametrize(("accounts", "seed"), [(3000, 7), (2000, 11)])
def test_two_nights_meet_the_quality_targets(
    graph: Graph, settings: Settings, tmp_path: Path, accounts: int, seed: int
) -> None:
    scenario_dir = tmp_path / "scenario"
    synthesize(scenario_dir, Scenario(accounts=accounts, seed=seed))
    demo = settings.model_copy(update={"demo": True})
    for night in (1, 2):
        nightly_run(demo, scenario_dir / f"night{night}", tmp_path / "out" / f"night{night}")
        result = _night(scenario_dir, tmp_path / "out", night)
        assert result.precision >= 0.99, result
        assert result.recall >= 0.95, result
        assert result.benign_groups_with_bans == [], result
    assert result.respawn_recall is not None and result.respawn_recall >= 0.95, result
    respawn_groups = [g for g in result.groups if g.group.startswith("respawn")]
    assert respawn_groups and all(g.banned >= 0.95 * g.size for g in respawn_groups)
