"""Farms that changed a habit after a ban, and their look-alikes, end to end: synth → two nights → eval → explain.

A randomised scenario with every adaptive family (``random_scenario(adaptive=True)``: farms that paraphrase every
request, a respawn wave on new cards and proxies, farms that drip sign-ups over months, and the innocent twins:
a viral prompt's users, a busy agency and a small firm with no org id, a campus that asks what farms ask). The
seed (3003) was used neither for tuning (5001 onwards) nor for the benchmark's held-out sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.scenarios import random_scenario, synthesize
from linkage.settings import Settings

pytestmark = pytest.mark.db

SEED = 3003


def _decisions(out: Path, truth: pd.DataFrame) -> pd.DataFrame:
    banlist = pd.read_csv(out / "banlist.csv", dtype={"account_id": str})
    return truth.merge(banlist, on="account_id", how="left")


def test_adaptive_farms_are_banned_on_their_first_night_and_their_look_alikes_are_not(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    scenario_dir = tmp_path / "scenario"
    synthesize(scenario_dir, random_scenario(SEED, 3000, adaptive=True))
    demo = settings.model_copy(update={"demo": True})
    truth = pd.read_csv(scenario_dir / "truth.csv", dtype={"account_id": str})
    truth["family"] = truth["group"].str.replace(r"_\d+$", "", regex=True)
    nights = {}
    for night in (1, 2):
        out = tmp_path / "out" / f"night{night}"
        nightly_run(demo, scenario_dir / f"night{night}", out)
        nights[night] = _decisions(out, truth[truth["night"] <= night])

    def banned(night: int, family: str) -> pd.Series:
        rows = nights[night][nights[night]["family"] == family]
        assert len(rows), family
        return rows["decision"].eq("ban")

    assert banned(1, "farm_paraphrase").mean() >= 0.95  # no template shared, its segments and habits are
    assert banned(1, "farm_drip").mean() >= 0.95
    wave = nights[2][nights[2]["family"] == "respawn_fresh"]
    assert wave["decision"].eq("ban").mean() >= 0.95  # on its first night, on cards and proxies never seen
    flagged = wave["reasons"].fillna("").str.contains("matching banned campaign C-")
    assert flagged.mean() >= 0.95, wave["reasons"].head().tolist()
    for family in ("benign_agency", "benign_small_firm", "benign_viral", "benign_campus"):
        for night in (1, 2):
            assert not banned(night, family).any(), family

    account = wave.loc[flagged, "account_id"].iloc[0]
    explained = CliRunner().invoke(app, ["explain", account, "--json"], env=test_env)
    assert explained.exit_code == 0, explained.output
    reasons = json.loads(explained.stdout)["reasons"]
    sentences = [reason["sentence"] for reason in reasons]
    campaign = next(r for r in sentences if r.startswith("new account on its first night matching"))
    assert "banned campaign C-" in campaign and "prompt " in campaign and "habit (gap 2^" in campaign

    seat = nights[2].loc[nights[2]["family"] == "benign_agency", "account_id"].iloc[0]
    agency = json.loads(CliRunner().invoke(app, ["explain", seat, "--json"], env=test_env).stdout)
    assert agency["decision"] is None and agency["inferred_org"] and "one customer" in agency["why_not"]

    queue = CliRunner().invoke(app, ["review", "--json"], env=test_env)
    assert queue.exit_code == 0, queue.output
    reviewed = pd.DataFrame(json.loads(queue.stdout), columns=["account_id", "harm"])
    assert reviewed["harm"].is_monotonic_decreasing
    coordinated = reviewed["account_id"].isin(truth.loc[truth["kind"] == "coordinated", "account_id"])
    assert reviewed.empty or coordinated.mean() >= 0.7
    report = (tmp_path / "out" / "night2" / "report.html").read_text(encoding="utf-8")
    assert 'id="review-table"' in report and "most harmful first" in report
    assert all(account in report for account in reviewed["account_id"].head(10))
