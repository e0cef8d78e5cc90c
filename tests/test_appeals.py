"""Appeals on the real database: a reversed ban leaves the next ban list, is logged with who, when and why, and its
values stop counting as banned infrastructure; `linkage actions` lists the log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
FARM = {f"farm-{i:02d}" for i in range(1, 13)}


def test_a_reversed_ban_leaves_the_next_ban_list_and_its_values_stop_counting_as_banned(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {**test_env, "LINKAGE_ACTOR": "alice"}
    first = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n1"), "--json"], env=env)
    assert first.exit_code == 0, first.output
    run_id = json.loads(first.stdout)["run_id"]
    assert "farm-01" in set(pd.read_csv(tmp_path / "n1" / "banlist.csv").query("decision == 'ban'")["account_id"])

    note = "proved a real business; card 4111 1111 1111 1111, mail jo@example.com"
    done = runner.invoke(app, ["appeal", "farm-01", "--reverse", "--note", note, "--json"], env=env)
    assert done.exit_code == 0, done.output
    action = json.loads(done.stdout)
    assert action["action"] == "reverse" and action["actor"] == "alice" and action["decision"] == "ban"
    assert abs(datetime.fromisoformat(action["at"]) - datetime.now(UTC)) < timedelta(minutes=5)
    assert "4111 1111 1111 1111" not in action["note"] and "jo@example.com" not in action["note"]
    assert "proved a real business" in action["note"]
    upheld = runner.invoke(app, ["appeal", "farm-02", "--uphold", "--note", "same card as the farm"], env=env)
    assert upheld.exit_code == 0, upheld.output

    # its own use of the farm's values no longer counts as banned: every value it uses is banned by the others only
    links = graph.frame("detect/banned_links")
    own = links[links["account_id"] == "farm-01"]
    assert not own.empty and (own["banned_share"] < 1).all()

    second = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n2"), "--json"], env=env)
    assert second.exit_code == 0, second.output
    banlist = pd.read_csv(tmp_path / "n2" / "banlist.csv")
    assert set(banlist.loc[banlist["decision"] == "ban", "account_id"]) == FARM - {"farm-01"}

    log = runner.invoke(app, ["actions", "--json"], env=env)
    assert log.exit_code == 0, log.output
    entries = json.loads(log.stdout)
    assert [(e["account_id"], e["action"], e["actor"]) for e in entries] == [("farm-01", "reverse", "alice"),
                                                                           ("farm-02", "uphold", "alice")]  # fmt: skip
    assert entries[0]["decided_run"] == run_id and entries[0]["note"] == action["note"]
    since = runner.invoke(app, ["actions", "--since", json.loads(second.stdout)["run_id"], "--json"], env=env)
    assert since.exit_code == 0 and json.loads(since.stdout) == []
    unknown = runner.invoke(app, ["actions", "--since", "R-nope"], env=env)
    assert unknown.exit_code == 1 and "No run 'R-nope'" in unknown.output

    shown = runner.invoke(app, ["explain", "farm-03", "--json"], env=env)
    shared = json.loads(shown.stdout)["shared"]
    assert any(value["reversed"] == 1 for value in shared)
    cluster_id = banlist.loc[banlist["account_id"] == "farm-02", "cluster_id"].iloc[0]
    cluster = runner.invoke(app, ["explain", cluster_id, "--cluster", "--json"], env=env)
    found = json.loads(cluster.stdout)
    assert found["reversed"] == ["farm-01"] and found["bans"] == len(FARM) - 1 and not found["held"]
    assert found["collateral"] >= 1  # the reversed account shares the values of the ban it left
    nothing = runner.invoke(app, ["appeal", "acme-01", "--reverse", "--note", "no ban"], env=env)
    assert nothing.exit_code == 1 and "no ban or review to appeal" in nothing.output


def _signature(graph: Graph) -> dict[str, list[str]]:
    return {row["campaign_id"]: sorted(row["families"]) for row in graph.read("detect/read_campaigns")}


def test_reversed_accounts_stop_counting_in_the_signature_of_a_campaign_an_earlier_night_stored(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """The example's farm is banned; its campaign's signature, stored as an earlier night stores it, holds the family
    its bans send (the example's farm sends too few prompts for a habit, so it signs none itself). One reversal among
    its twelve bans leaves the family in the signature (the eleven that stand outnumber it); once every ban is
    reversed the stored signature holds no family, so no later account is matched as the campaign's respawn."""
    runner = CliRunner()
    run = runner.invoke(app, ["run", str(EXAMPLE), "--output", str(tmp_path / "n1"), "--json"], env=test_env)
    assert run.exit_code == 0, run.output
    banlist = pd.read_csv(tmp_path / "n1" / "banlist.csv")
    campaign = banlist.loc[banlist["account_id"] == "farm-01", "cluster_id"].iloc[0]
    values = graph.read("share/cluster_values", cluster_ids=[campaign])
    families = sorted(row["value"] for row in values if row["label"] == "TemplateFamily")
    assert families
    row = {"campaign_id": campaign, "families": families, "habits": ["gap 2^9s, output 2^11, prompt 2^9"]}
    graph.write_rows("detect/merge_campaigns", [row], run_id=json.loads(run.stdout)["run_id"])
    assert _signature(graph) == {campaign: families}

    def reverse(account: str) -> None:
        done = runner.invoke(app, ["appeal", account, "--reverse", "--note", "wrong ban"], env=test_env)
        assert done.exit_code == 0, done.output

    reverse("farm-01")
    assert _signature(graph) == {campaign: families}
    for account in sorted(FARM - {"farm-01"}):
        reverse(account)
    assert _signature(graph) == {campaign: []}
