"""Detection on hand-made graphs: networks are banned on several kinds of evidence, look-alikes are not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cypher import statement
from linkage.analyst.queries import list_queries
from linkage.cli import app
from linkage.detect.communities import InsufficientMemory
from linkage.detect.stage import Detection, detect
from linkage.graph import Graph
from linkage.nightly.records import start_run
from linkage.settings import Settings, load_settings
from localdb.memory import parse_size, size_text
from tests.graph_builders import add_accounts, add_bystanders, share

pytestmark = pytest.mark.db


def _scenario(graph: Graph) -> dict[str, list[str]]:
    groups = {"bystanders": add_bystanders(graph)}
    farm = add_accounts(graph, "farm", 24, domain="mailinator.com", disposable=True, cot=0.9, concentration=0.9,
                        spread_hours=2)  # fmt: skip
    share(graph, "card", farm, ["fp_farm_a", "fp_farm_b", "fp_farm_c"])
    pool = ["203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.13"]
    for turn in range(len(pool)):  # a rotating proxy pool: every account goes out through each of its IPs
        share(graph, "ip", farm, pool[turn:] + pool[:turn], subnet="203.0.113.0/24")
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
    share(graph, "template", classroom, ["T-homework"])  # "explain the steps to solve …"
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
    assert "payment method fp_farm_" in reasons and "step-by-step reasoning" in reasons
    assert detection.result.bans == len(groups["farm"])


def test_allowlist_always_wins(graph: Graph, settings: Settings) -> None:
    add_bystanders(graph)
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
    assert farm_cluster in clusters.index  # the farm keeps its id (the respawns join it or form a cluster of their own)
    respawn_rows = second.banlist[second.banlist["account_id"].isin(respawns)]
    assert respawn_rows["reasons"].str.contains(f"reusing . kinds of infrastructure of banned cluster {farm_cluster}: "
                                                "(?:payment method fp_farm_.|IP 203.0.113.10|subnet 203.0.113.0/24)",
                                                regex=True).all()  # fmt: skip
    records = [next(r for r in records if r["kind"] == "respawn") for records in respawn_rows["reason_records"]]
    assert all(record["values"] >= 3 for record in records)  # a card, the IP and its /24 at least
    assert second.result.new_bans == len(respawns)


def test_projection_is_dropped_after_detection(graph: Graph, settings: Settings) -> None:
    _scenario(graph)
    _detect(graph, settings)
    assert graph.gds.graph.list() == []
    written = pd.DataFrame(graph.gds.run_cypher("MATCH (a:Account) RETURN count(a.community) AS n"))
    assert written["n"][0] > 0


def test_detection_that_does_not_fit_the_heap_is_one_line_naming_the_setting_and_the_size(
    graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scenario(graph)
    monkeypatch.setenv("LINKAGE_DETECT_MAX_HEAP_PERCENTAGE", "0.001")
    with pytest.raises(InsufficientMemory) as refused:
        _detect(graph, load_settings())
    message = str(refused.value)
    assert "\n" not in message
    sizes = re.search(
        r"needs about ([\d.]+)g of heap for [\d,]+ nodes and [\d,]+ relationships \(GDS estimates", message
    )
    enough = re.search(r"LINKAGE_LOCALDB_HEAP=(\d+)g would do", message)
    assert sizes and enough, message
    assert float(sizes[1]) <= int(enough[1]) <= float(sizes[1]) + 1.1  # the size needed, in whole gibibytes
    assert "LINKAGE_DETECT_MAX_HEAP_PERCENTAGE lets it use 0.001% of the heap" in message
    heap = graph.heap_max()  # the server's own: the test database runs with LINKAGE_LOCALDB_HEAP
    assert heap == parse_size(settings.localdb_heap or "") and f"the database has {size_text(heap)}:" in message
    assert graph.gds.graph.list() == []  # refused before anything was projected
    # the same database as a server (NEO4J_URI): its own setting is named
    monkeypatch.setenv("NEO4J_URI", settings.localdb.uri)
    monkeypatch.setenv("NEO4J_PASSWORD_FILE", str(settings.localdb.password_file))
    with pytest.raises(InsufficientMemory, match=rf"the server has {size_text(heap)}: server\.memory\.heap\.max_size="):
        _detect(graph, load_settings())


def test_explain_and_banlist_commands(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    groups = _scenario(graph)
    stray = add_accounts(graph, "stray", 1)  # a home user who once got one of the farm's proxy IPs
    share(graph, "ip", stray, ["203.0.113.10"], subnet="203.0.113.0/24")
    _detect(graph, settings)
    runner = CliRunner()
    explained = runner.invoke(app, ["explain", groups["farm"][0], "--json"], env=test_env)
    assert explained.exit_code == 0, explained.output
    data = json.loads(explained.stdout)
    assert data["decision"] == "ban" and data["cluster_id"].startswith("C-")
    assert (data["cluster_bans"], data["cluster_reviews"], data["cluster_size"]) == (len(groups["farm"]), 0, 25)
    assert {"network", "payment", "template"} <= {reason["kind"] for reason in data["reasons"]}
    # in the farm's community through its IP, which is no evidence for it: no score, no reasons, and it says so
    home = json.loads(runner.invoke(app, ["explain", stray[0], "--json"], env=test_env).stdout)
    assert (home["decision"], home["score"], home["reasons"], home["cluster_id"]) == (
        None,
        None,
        [],
        data["cluster_id"],
    )
    assert home["why_not"].startswith(f"no decision of its own in the community of cluster {data['cluster_id']} (24 "
                                      "banned, 0 in review, 25 accounts in all) through ")  # fmt: skip
    assert re.search(r"through (IP 203\.0\.113\.10|subnet 203\.0\.113\.0/24) \(shared with 24 of them; weight "
                     r"0\.\d{3}\): ", home["why_not"])  # fmt: skip
    kinds = {item["kind"] for item in data["shared"]}
    assert {"payment method", "IP", "subnet", "prompt template family"} <= kinds
    card = next(item for item in data["shared"] if item["kind"] == "payment method")
    assert card["shared_in_cluster"] == 7 and card["accounts"] == 8
    subnet = next(item for item in data["shared"] if item["kind"] == "subnet")  # reached through the IPs
    assert subnet["value"] == "203.0.113.0/24" and subnet["shared_in_cluster"] == len(groups["farm"])  # + the stray
    domain = next(item for item in data["shared"] if item["value"] == "mailinator.com")
    assert domain["kind"] == "disposable e-mail domain"
    corporate = json.loads(runner.invoke(app, ["explain", groups["enterprise"][0], "--json"], env=test_env).stdout)
    assert {"e-mail domain"} == {s["kind"] for s in corporate["shared"] if s["value"] == "acme.example"}
    strengths = list(data["evidence"].values())
    assert data["why_not"] is None and data["kinds"] >= 3 and strengths == sorted(strengths, reverse=True)
    assert {"payment", "network", "template"} <= set(data["evidence"])

    # the class shares its own domain and its campus IP: one customer, whose homework template is no evidence between
    # its students (the /24 it shares with other groups still is, as far as they are not the class)
    student = json.loads(runner.invoke(app, ["explain", groups["classroom"][0], "--json"], env=test_env).stdout)
    assert student["decision"] is None and set(student["evidence"]) == {"network"}
    homework = next(item for item in student["shared"] if item["value"] == "T-homework")
    assert homework["weight"] == 0.0 and homework["accounts"] == len(groups["classroom"])
    assert "1 independent kinds of evidence of at least 0.3, a ban needs 3" in student["why_not"]
    assert student["inferred_org"] == "uni.example" and "one customer without an org id" in student["why_not"]
    bystander = json.loads(runner.invoke(app, ["explain", groups["bystanders"][0], "--json"], env=test_env).stdout)
    assert bystander["evidence"] == {} and "no evidence tonight" in bystander["why_not"]

    missing = runner.invoke(app, ["explain", "no-such-account"], env=test_env)
    assert missing.exit_code == 1
    assert "no-such-account" in missing.output and "Traceback" not in missing.output

    path = tmp_path / "banlist.csv"
    exported = runner.invoke(app, ["banlist", "--output", str(path), "--json"], env=test_env)
    assert exported.exit_code == 0, exported.output
    banlist = pd.read_csv(path)
    assert list(banlist.columns) == ["account_id", "decision", "score", "cluster_id", "reasons", "reason_records"]
    assert set(banlist["account_id"]) == set(groups["farm"])


def test_saved_queries_run_against_detected_clusters(
    graph: Graph, settings: Settings, test_env: dict[str, str]
) -> None:
    groups = _scenario(graph)
    detection = _detect(graph, settings)
    cluster_id = detection.clusters["cluster_id"].iloc[0]
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["query", "list", "--json"], env=test_env).stdout)
    assert {"cluster_members", "cluster_infrastructure", "top_clusters"} <= {q["name"] for q in listed}
    members = runner.invoke(app, ["query", "run", "cluster_members", "-p", f"cluster_id={cluster_id}", "--json"],
                            env=test_env)  # fmt: skip
    assert members.exit_code == 0, members.output
    assert {row["account_id"] for row in json.loads(members.stdout)} == set(groups["farm"])
    infra = json.loads(runner.invoke(app, ["query", "run", "cluster_infrastructure", "-p", f"cluster_id={cluster_id}",
                                           "--json"], env=test_env).stdout)  # fmt: skip
    assert {"fp_farm_a", "T-cot-1", "mailinator.com"} <= {row["value"] for row in infra}
    missing = runner.invoke(app, ["query", "run", "cluster_members"], env=test_env)
    assert missing.exit_code == 2 and "cluster_id" in missing.output


def test_picture_of_a_cluster(graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path) -> None:
    _scenario(graph)
    cluster_id = _detect(graph, settings).clusters["cluster_id"].iloc[0]
    path = tmp_path / "cluster.png"
    result = CliRunner().invoke(app, ["picture", cluster_id, "--output", str(path)], env=test_env)
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    capped = CliRunner().invoke(app, ["picture", cluster_id, "-o", str(tmp_path / "c.svg"), "--max-accounts", "5",
                                      "--json"], env=test_env)  # fmt: skip
    drawn = json.loads(capped.stdout)
    assert drawn["accounts"] == 5 and drawn["accounts_in_all"] == 24
    assert drawn["notice"] == "showing the most connected part: 5 of 24 accounts"
    assert "most connected part" in (tmp_path / "c.svg").read_text()
    wrong = CliRunner().invoke(app, ["picture", cluster_id, "-o", str(tmp_path / "c.txt")], env=test_env)
    assert wrong.exit_code == 2 and ".html, .png or .svg" in wrong.output
    unknown = CliRunner().invoke(app, ["picture", "C-9999", "--output", str(tmp_path / "x.png")], env=test_env)
    assert unknown.exit_code == 1 and "No cluster 'C-9999' in the graph" in unknown.output


def _weights(graph: Graph) -> pd.DataFrame:
    return graph.gds.run_cypher(
        "MATCH (v) WHERE v.link_weight IS NOT NULL RETURN coalesce(v.fingerprint, v.address, v.cidr, v.device_id, "
        "v.domain, v.family_id) AS value, v.link_accounts AS accounts, v.link_coherence AS coherence, "
        "v.link_org_share AS org_share, v.link_weight AS weight"
    ).set_index("value")


def test_a_value_weighs_what_other_kinds_of_sharing_corroborate(graph: Graph, settings: Settings) -> None:
    """Sixty users of a carrier NAT who share nothing else make its IP worth nothing, though a 15-account farm
    hides behind it; the farm's own /24, shared by accounts that also share cards and a template family, weighs
    fully; an org's card weighs nothing between its own seats; an allowlisted value never weighs."""
    add_bystanders(graph)
    farm = add_accounts(graph, "farm", 15, cot=0.9, concentration=0.9, spread_hours=2)
    nat_users = add_accounts(graph, "cgnat", 60)
    share(graph, "ip", nat_users + farm, ["100.100.0.1"], subnet="100.100.0.0/24")
    share(graph, "ip", farm, ["203.0.113.7"], subnet="203.0.113.0/24")
    share(graph, "card", farm, ["fp_a", "fp_b"])
    share(graph, "template", farm, ["T-farm"])
    seats = add_accounts(graph, "corp", 20, org="org-acme", domain="acme.example")
    share(graph, "card", seats, ["fp_acme"])
    share(graph, "template", seats, ["T-acme"])
    vips = add_accounts(graph, "vip", 10, allowlisted=True)
    share(graph, "ip", vips, ["198.51.100.9"], subnet="198.51.100.0/24")
    share(graph, "card", vips, ["fp_vip"])
    graph.gds.run_cypher("MATCH (ip:IP {address: '198.51.100.9'}) SET ip.allowlisted = true")
    detection = _detect(graph, settings)
    weights = _weights(graph)
    assert weights.loc["100.100.0.1", "accounts"] == 75 and weights.loc["100.100.0.1", "weight"] < 0.25
    assert weights.loc["203.0.113.7", "weight"] > 0.95 and weights.loc["fp_a", "weight"] > 0.95
    assert weights.loc["198.51.100.9", "coherence"] > 0.95 and weights.loc["198.51.100.9", "weight"] == 0.0
    assert weights.loc["fp_vip", "weight"] > 0.95
    assert weights.loc["fp_acme", "org_share"] == 1.0 and weights.loc["fp_acme", "weight"] == 0.0
    decisions = _decisions(detection)
    assert all(decisions.get(a) == "ban" for a in farm)
    assert not any(a in decisions for a in nat_users + seats)


def test_a_template_shared_by_two_farms_counts_in_each_a_tool_template_nowhere(
    graph: Graph, settings: Settings
) -> None:
    """Near-duplicate families can chain two campaigns' templates into one family: each farm still sends it
    among its own, corroborated by its cards and devices, so it counts in both; a popular tool's template, whose
    users share nothing else, weighs nothing."""
    add_bystanders(graph)
    farms = []
    for name in ("farm1", "farm2"):
        farm = add_accounts(graph, name, 15, cot=0.9, concentration=0.9, spread_hours=2)
        share(graph, "card", farm, [f"fp_{name}"])
        share(graph, "device", farm, [f"dev_{name}"])
        farms.append(farm)
    share(graph, "template", farms[0] + farms[1], ["T-chained"])
    share(graph, "template", add_accounts(graph, "user", 30, cot=0.1), ["T-tool"])
    detection = _detect(graph, settings)
    weights = _weights(graph)
    assert weights.loc["T-chained", "accounts"] == 30 and weights.loc["T-chained", "weight"] > 0.9
    assert weights.loc["T-tool", "accounts"] == 30 and weights.loc["T-tool", "weight"] == 0.0
    reasons = detection.banlist.set_index("account_id")["reasons"]
    assert all("template family T-chained" in reasons[a] for a in farms[0] + farms[1])


def test_clusters_joined_by_a_merge_are_absorbed_not_dissolved(graph: Graph, settings: Settings) -> None:
    add_bystanders(graph)
    farms = []
    for name in ("farmA", "farmB"):
        farm = add_accounts(graph, name, 12, cot=0.9, concentration=0.9, spread_hours=2)
        share(graph, "card", farm, [f"fp_{name}"])
        share(graph, "device", farm, [f"dev_{name}"])
        share(graph, "template", farm, [f"T-{name}"])
        farms.append(farm)
    first = _detect(graph, settings)
    ids = [first.banlist.set_index("account_id").loc[farm[0], "cluster_id"] for farm in farms]
    assert ids[0] != ids[1]

    for name in ("farmA", "farmB"):  # the two farms pool their cards, devices and templates
        share(graph, "card", farms[0] + farms[1], [f"fp_{name}"])
        share(graph, "device", farms[0] + farms[1], [f"dev_{name}"])
        share(graph, "template", farms[0] + farms[1], [f"T-{name}"])
    second = _detect(graph, settings, batch="night2")
    merged = second.clusters[second.clusters["status"] == "merged"]
    assert len(merged) == 1 and merged["cluster_id"].item() in ids, second.clusters.to_string()
    heir, other = merged["cluster_id"].item(), (set(ids) - set(merged["cluster_id"])).pop()
    ended = graph.gds.run_cypher(
        "MATCH (c:Cluster {cluster_id: $id}) RETURN c.status AS status, c.absorbed_into AS into", {"id": other}
    )
    assert ended.to_dict("records") == [{"status": "absorbed", "into": heir}]
    assert second.result.absorbed_clusters == 1 and second.result.dissolved_clusters == 0


def test_saved_query_parameters_are_typed_by_their_declaration(
    graph: Graph, settings: Settings, test_env: dict[str, str]
) -> None:
    """An id that looks like a number stays text (the query declares ``account_id (string)``), and a value that
    does not fit its declared type is refused before the query runs."""
    graph.gds.run_cypher("UNWIND ['12345', '67890'] AS id MERGE (:Account {account_id: id})")
    share(graph, "card", ["12345", "67890"], ["fp_shared"])
    _detect(graph, settings)  # weighs the shared values (the query skips values shared by thousands)
    runner = CliRunner()
    found = runner.invoke(app, ["query", "run", "account_neighbours", "-p", "account_id=12345", "--json"], env=test_env)
    assert found.exit_code == 0, found.output
    assert [row["account_id"] for row in json.loads(found.stdout)] == ["67890"]
    wrong = runner.invoke(app, ["query", "run", "cluster_picture", "-p", "cluster_id=C-1", "-p", "max_accounts=many"],
                          env=test_env)  # fmt: skip
    assert wrong.exit_code == 2 and "is declared integer" in wrong.output
    unknown = runner.invoke(app, ["query", "run", "top_clusters", "-p", "limit=3"], env=test_env)
    assert unknown.exit_code == 2 and "takes no parameter 'limit'" in unknown.output


def test_every_saved_query_declares_exactly_the_parameters_it_uses() -> None:
    for query in list_queries():
        body = "\n".join(line for line in statement(f"analyst/{query.name}").splitlines() if not line.startswith("//"))
        assert set(query.parameters) == set(re.findall(r"\$([A-Za-z_]\w*)", body)), query.name
