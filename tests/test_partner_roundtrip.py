"""A partner's bundle, end to end between two databases: one lab runs a night of a generated scenario and exports
its farms; a second, empty database imports the bundle, then loads the next night alone, in which those farms'
respawns appear on new cards and proxies. They are decided on their first night there, each with a reason naming
the partner and its report, and the partner's report bans no one alone.

One real database plays both labs: emptied between the two (what `linkage db reset` runs), with the bundle in a
file in between, it is the second, empty database in effect. The seed (3004) was used neither for tuning (5001
onwards) nor for the benchmark's held-out sets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.scenarios import random_scenario, synthesize
from linkage.settings import Settings

pytestmark = pytest.mark.db

SEED = 3004
SHARE_KEY = "partner-round-trip-share-key"
PARTNER = "Lab A"


def _invoke(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_partners_farms_respawns_are_decided_on_their_first_night_in_an_empty_database_naming_the_partner(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    scenario_dir = tmp_path / "scenario"
    synthesize(scenario_dir, random_scenario(SEED, 1500, adaptive=True))
    truth = pd.read_csv(scenario_dir / "truth.csv", dtype={"account_id": str})
    truth["family"] = truth["group"].str.replace(r"_\d+$", "", regex=True)
    lab = settings.model_copy(update={"demo": True, "share_key": SecretStr(SHARE_KEY)})
    env = {**test_env, "LINKAGE_SHARE_KEY": SHARE_KEY, "LINKAGE_SHARE_PRODUCER": PARTNER}

    nightly_run(lab, scenario_dir / "night1", tmp_path / "a")
    exported = _invoke(env, "indicators", "export", "-o", str(tmp_path / "bundle.json"))
    assert exported["campaigns"] >= 1

    graph.reset()  # the second lab's database: empty
    imported = _invoke(env, "indicators", "import", str(tmp_path / "bundle.json"))
    assert imported["reports"] == exported["campaigns"] and not any(imported["marked"].values())
    nightly_run(lab, scenario_dir / "night2", tmp_path / "b")

    banlist = pd.read_csv(tmp_path / "b" / "banlist.csv", dtype={"account_id": str})
    night2 = truth[truth["night"] == 2].merge(banlist, on="account_id", how="left")
    named = night2["reasons"].fillna("").str.contains(f"reported by partner {PARTNER} in Distillation network C-")
    reusing, fresh = night2["family"].eq("respawn"), night2["family"].eq("respawn_fresh")
    assert reusing.any() and fresh.any()
    assert night2.loc[reusing | fresh, "decision"].notna().all()
    # the waves on the farms' own cards and proxies: every account names the partner through them
    assert named[reusing].all(), night2.loc[reusing & ~named, "reasons"].head().tolist()
    # the waves on new cards and proxies can be named only through their prompts' keyed family ids: a segment's id
    # (a hash of its text) is the same in both databases, a whole template's (a hash of its consensus signature)
    # only when both databases' consensus agree; 29 of 36 accounts on seed 3004
    assert named[fresh].mean() >= 0.5, night2.loc[fresh & ~named, "reasons"].head().tolist()
    sentences = night2.loc[fresh & named, "reasons"]
    assert sentences.str.contains(r"it uses prompt (?:segment|template family) ", regex=True).all()

    records = [r for found in night2.loc[named, "reason_records"] for r in json.loads(found)]
    assert all(
        r["value"].startswith("campaign--") and r["values"] >= 1 for r in records if r["kind"] == "partner_report"
    )
    # a report is a lead, never evidence: the second database has no ban of its own yet, so each of its bans rests on
    # three kinds of its own; no benign newcomer is decided
    scores = [r["sentence"] for found in night2.loc[named & night2["decision"].eq("ban"), "reason_records"]
              for r in json.loads(found) if r["kind"] == "score"]  # fmt: skip
    assert scores and all(int(sentence.split()[0]) >= settings.score_min_kinds for sentence in scores)
    benign = night2[night2["kind"] == "benign"]
    assert benign["decision"].isna().all(), benign.loc[benign["decision"].notna(), "group"].tolist()
    assert json.loads((tmp_path / "b" / "run.json").read_text())["detection"]["partner_hashes_matched"]
