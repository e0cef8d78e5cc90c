"""Detection on hand-made graphs: networks are banned on several kinds of evidence, look-alikes are not."""

from __future__ import annotations

import pandas as pd
import pytest

from linkage.detect.stage import Detection, detect
from linkage.graph import Graph
from linkage.runs import start_run
from linkage.settings import Settings
from tests.graph_builders import add_accounts, share

pytestmark = pytest.mark.db


def _scenario(graph: Graph) -> dict[str, list[str]]:
    groups = {}
    farm = add_accounts(graph, "farm", 24, domain="mailinator.com", disposable=True, cot=0.9, concentration=0.9,
                        spread_hours=2)  # fmt: skip
    share(graph, "card", farm, ["fp_farm_a", "fp_farm_b", "fp_farm_c"])
    share(graph, "ip", farm, ["203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13"],
          subnet="203.0.113.0/24")  # fmt: skip
    share(graph, "template", farm, ["T-cot-1"])
    groups["farm"] = farm

    enterprise = add_accounts(graph, "corp", 30, org="org-acme", domain="acme.example")
    share(graph, "card", enterprise, ["fp_acme"])
    share(graph, "ip", enterprise, ["192.0.2.1", "192.0.2.2"], subnet="192.0.2.0/24")
    share(graph, "template", enterprise, ["T-acme-internal"])
    groups["enterprise"] = enterprise

    for h in range(4):
        household = add_accounts(graph, f"home{h}", 3)
        share(graph, "card", household, [f"fp_home{h}"])
        share(graph, "ip", household, [f"100.64.{h}.9"], subnet=f"100.64.{h}.0/24")
        groups[f"household{h}"] = household

    cgnat = add_accounts(graph, "cgnat", 60)
    share(graph, "ip", cgnat, ["100.100.0.1", "100.100.0.2", "100.100.0.3"], subnet="100.100.0.0/24")
    groups["cgnat"] = cgnat

    tool = add_accounts(graph, "tool", 40, cot=0.1, concentration=0.8)
    share(graph, "template", tool, ["T-popular-tool"])
    groups["tool"] = tool

    classroom = add_accounts(graph, "class", 40, domain="uni.example", spread_hours=1)
    share(graph, "ip", classroom, ["192.0.2.200"], subnet="192.0.2.0/24")
    groups["classroom"] = classroom
    return groups


def _detect(graph: Graph, settings: Settings, batch: str = "night1") -> Detection:
    run = start_run(graph, settings, batch)
    return detect(graph, settings, run_id=run.run_id, batch=batch)


def _decisions(detection: Detection) -> dict[str, str]:
    return dict(zip(detection.banlist["account_id"], detection.banlist["decision"], strict=True))


def test_farm_is_banned_and_look_alikes_are_not(graph: Graph, settings: Settings) -> None:
    groups = _scenario(graph)
    detection = _detect(graph, settings)
    decisions = _decisions(detection)
    assert all(decisions.get(a) == "ban" for a in groups["farm"]), detection.banlist.head(30).to_string()
    for name, ids in groups.items():
        if name != "farm":
            assert not any(decisions.get(a) == "ban" for a in ids), name
    farm_rows = detection.banlist[detection.banlist["account_id"].isin(groups["farm"])]
    assert farm_rows["cluster_id"].nunique() == 1
    reasons = farm_rows["reasons"].iloc[0]
    assert "payment method fp_farm_" in reasons and "chain-of-thought" in reasons
    assert detection.result.bans == len(groups["farm"])


def test_allowlist_always_wins(graph: Graph, settings: Settings) -> None:
    farm = add_accounts(graph, "farm", 12, domain="mailinator.com", disposable=True, cot=0.9, concentration=0.9,
                        spread_hours=1)  # fmt: skip
    allowed = add_accounts(graph, "vip", 4, domain="mailinator.com", disposable=True, cot=0.9, concentration=0.9,
                           spread_hours=1, allowlisted=True)  # fmt: skip
    share(graph, "card", farm + allowed, ["fp_a", "fp_b"])
    share(graph, "device", farm + allowed, ["dev-1", "dev-2"])
    share(graph, "template", farm + allowed, ["T-1"])
    decisions = _decisions(_detect(graph, settings))
    assert all(decisions.get(a) == "ban" for a in farm)
    assert not any(a in decisions for a in allowed)


def test_cluster_ids_are_stable_and_respawns_are_caught(graph: Graph, settings: Settings) -> None:
    groups = _scenario(graph)
    first = _detect(graph, settings)
    farm_cluster = first.banlist.loc[first.banlist["account_id"] == groups["farm"][0], "cluster_id"].item()

    again = _detect(graph, settings, batch="night1-rerun")
    assert set(again.clusters["cluster_id"]) == set(first.clusters["cluster_id"])
    assert set(again.clusters["status"]) == {"stable"}

    respawns = add_accounts(graph, "respawn", 6, domain="yopmail.com", disposable=True, cot=0.9, concentration=0.9,
                            batch="night2", spread_hours=1)  # fmt: skip
    share(graph, "card", respawns, ["fp_farm_a", "fp_farm_b"])
    share(graph, "ip", respawns, ["203.0.113.10"], subnet="203.0.113.0/24")
    share(graph, "template", respawns, ["T-cot-1"])
    innocent = add_accounts(graph, "newcgnat", 3, batch="night2")
    share(graph, "ip", innocent, ["100.100.0.1"], subnet="100.100.0.0/24")

    second = _detect(graph, settings, batch="night2")
    decisions = _decisions(second)
    assert all(decisions.get(a) == "ban" for a in respawns), second.banlist.to_string()
    assert not any(a in decisions for a in innocent)
    clusters = second.clusters.set_index("cluster_id")
    assert clusters.loc[farm_cluster, "status"] == "grown"
    assert clusters.loc[farm_cluster, "size"] == len(groups["farm"]) + len(respawns)
    respawn_rows = second.banlist[second.banlist["account_id"].isin(respawns)]
    assert (respawn_rows["cluster_id"] == farm_cluster).all()
    assert second.result.new_bans == len(respawns)


def test_projection_is_dropped_after_detection(graph: Graph, settings: Settings) -> None:
    _scenario(graph)
    _detect(graph, settings)
    assert graph.gds.graph.list() == []
    written = pd.DataFrame(graph.gds.run_cypher("MATCH (a:Account) RETURN count(a.community) AS n"))
    assert written["n"][0] > 0
