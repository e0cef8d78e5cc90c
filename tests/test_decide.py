"""Detection's decisions from frames alone (linkage/detect/decide.py): no database, no connection."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from linkage.detect.campaigns import Campaigns
from linkage.detect.decide import BANNED_LINK_COLUMNS, PREVIOUS_CLUSTER_COLUMNS, DetectionInputs, decide
from linkage.detect.evidence import INCIDENCE_COLUMNS
from linkage.detect.scoring import Volume
from linkage.settings import Thresholds

ORDINARY = [f"user{i}" for i in range(200)]
KEPT = [f"kept{i}" for i in range(20)]  # banned last night as C-0003, still together
FARM = [f"farm{i}" for i in range(15)]  # new tonight: a card, a /24 and a template, harvesting
VALUES = {"payment": "card-b", "network": "198.51.100.0/24", "template": "tf-b"}


def _features() -> pd.DataFrame:
    accounts = ORDINARY + KEPT + FARM
    tokens = [300 + (i * 97) % 2_700 for i in range(len(ORDINARY))] + [400_000] * (len(KEPT) + len(FARM))
    return pd.DataFrame(
        {"account_id": accounts, "community": [0] * len(ORDINARY) + [1] * len(KEPT) + [2] * len(FARM),
         "created_s": 0, "prompt_requests": 50, "cot_share": 0.0, "template_concentration": 0.9,
         "output_tokens": tokens, "similar_in_community": 0, "similar_score": 0.0, "banned_in_batch": False,
         "previous_decision": [None] * len(ORDINARY) + ["ban"] * len(KEPT) + [None] * len(FARM),
         "previous_cluster_id": [None] * len(ORDINARY) + ["C-0003"] * len(KEPT) + [None] * len(FARM),
         "first_batch": ["n1"] * (len(ORDINARY) + len(KEPT)) + ["n2"] * len(FARM), "allowlisted": False}
    )  # fmt: skip


def _links() -> pd.DataFrame:
    shared = [(a, kind, value) for a in FARM for kind, value in VALUES.items()]
    shared += [(a, kind, f"{value}-kept") for a in KEPT for kind, value in VALUES.items()]
    links = pd.DataFrame(shared, columns=["account_id", "kind", "value"])
    links["node"] = pd.factorize(links["value"])[0]
    links["strength"] = 1.0
    links["value_accounts"] = links.groupby("value")["account_id"].transform("size")
    return links


def _inputs(next_number: int) -> DetectionInputs:
    links = _links()
    incidence = links.assign(org=None, never_evidence=False, created_s=0, domain=None, domain_accounts=0,
                             habit="gap 2^9s, output 2^18, prompt 2^7")[INCIDENCE_COLUMNS]  # fmt: skip
    logs = np.log1p(_features()["output_tokens"].to_numpy(dtype=float)[: len(ORDINARY)])
    previous = pd.DataFrame([["C-0003", len(KEPT), "run-1"]], columns=PREVIOUS_CLUSTER_COLUMNS)
    return DetectionInputs(
        batch="n2", run_id="run-2", features=_features(), links=links, incidence=incidence,
        banned_links=pd.DataFrame(columns=BANNED_LINK_COLUMNS),
        volume=Volume(median=float(np.median(logs)), mad=float(np.median(np.abs(logs - np.median(logs))))),
        requests=pd.Series(50, index=_features()["account_id"]),
        campaigns=Campaigns.empty(), previous_clusters=previous.set_index("cluster_id"),
        next_cluster_number=next_number,
    )  # fmt: skip


def test_decisions_ids_reasons_and_signatures_come_from_frames_alone() -> None:
    """Last night's cluster keeps its id and is stable; tonight's new farm is banned as the next number of the
    block, its reasons name that id and its values, and its signature is tonight's campaign; nobody else is
    decided, and the counter moves past the one number taken."""
    decisions = decide(_inputs(next_number=9), Thresholds())
    clusters = decisions.clusters.set_index("cluster_id")
    assert clusters.loc["C-0003", ["status", "bans", "size"]].tolist() == ["stable", len(KEPT), len(KEPT)]
    assert clusters.loc["C-0009", ["status", "bans", "first_seen_run"]].tolist() == ["new", len(FARM), "run-2"]
    assert decisions.next_cluster_number == 10
    members = decisions.members.set_index("account_id")
    assert (members.loc[FARM, "decision"] == "ban").all() and (members.loc[FARM, "cluster_id"] == "C-0009").all()
    cited = {record["value"] for record in members.loc[FARM[0], "reason_records"] if record["value"]}
    assert set(VALUES.values()) <= cited and "cluster C-0009" in members.loc[FARM[0], "reasons"]
    assert (decisions.scored.set_index("account_id").loc[ORDINARY, "decision"] == "").all()
    assert set(decisions.campaigns.prompts["campaign_id"]) == {"C-0003", "C-0009"}
    assert "tf-b" in set(decisions.campaigns.prompts.loc[decisions.campaigns.prompts["campaign_id"] == "C-0009",
                                                         "family_id"])  # fmt: skip


def test_a_subset_decides_as_the_whole_and_new_ids_follow_the_block_given() -> None:
    """The same frames with the ordinary accounts left out decide the farms alike; a later block numbers them on."""
    whole = decide(_inputs(next_number=9), Thresholds())
    inputs = _inputs(next_number=40)
    farms = inputs.features[inputs.features["community"] > 0]
    subset = decide(replace(inputs, features=farms), Thresholds())
    decided = ["account_id", "decision", "score", "reasons"]
    left = whole.members[whole.members["community"] > 0][decided].reset_index(drop=True)
    right = subset.members[decided].reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right.assign(reasons=right["reasons"].str.replace("C-0040", "C-0009")))
    assert subset.next_cluster_number == 41


def test_members_of_a_network_banned_tonight_that_hide_behind_a_carrier_nat_join_its_ban_and_look_alikes_do_not() -> (
    None
):
    """Four more accounts of tonight's farm route every session through a carrier's NAT: besides its template
    (sent with its habit) they share only a device with three of its accounts and a card with one, fewer than a
    value needs to count as evidence, so scoring leaves them undecided. The farm's signature, matched as its respawn
    would be tomorrow, bans them with it. A fifth shares only the device, harvests, and sends the template too
    rarely for it to count: harvest is its only kind of evidence, so the match's one kind leaves it in review. In
    the same community, a carrier user who sends the farm's family but asks as a student does, a farm member's
    flatmate on its device who sends none of it, and a class that sends the family the farm's way and harvests (one
    kind short of a ban) but shares only its campus line, among itself and not with the farm, get no decision."""
    hidden = [f"hidden{i}" for i in range(5)]
    student, flatmate, class_ = "student", "flatmate", ["class0", "class1", "class2"]
    inputs = _inputs(next_number=9)
    features = inputs.features.set_index("account_id")
    extra = features.loc[[FARM[0]] * 10].assign(output_tokens=[1_000] * 4 + [400_000, 400, 400] + [400_000] * 3)
    extra.index = pd.Index([*hidden, student, flatmate, *class_], name="account_id")
    features = pd.concat([features, extra]).reset_index()
    farm_habit, student_habit = "gap 2^9s, output 2^18, prompt 2^7", "gap 2^14s, output 2^9, prompt 2^6"
    rows = [(a, "template", "tf-b", 1.0 if a != hidden[4] else 0.2, farm_habit) for a in hidden]
    rows += [(student, "template", "tf-b", 1.0, student_habit)]
    rows += [
        (a, kind, value, 1.0, farm_habit)
        for a in class_
        for kind, value in (("template", "tf-b"), ("network", "192.0.2.7"))
    ]
    rows += [(a, "network", "100.64.0.9", 0.0, farm_habit) for a in hidden]
    rows += [(a, "network", "100.64.0.9", 0.0, student_habit) for a in (student, flatmate)]
    for i, member in enumerate(hidden):
        rows += [(a, "device", f"dev-{i}", 0.45, farm_habit) for a in (member, *FARM[3 * i : 3 * i + 3])]
        rows += [(a, "payment", f"card-h{i}", 0.4, farm_habit) for a in (member, FARM[i])][: 2 if i < 4 else 0]
    rows += [(flatmate, "device", "dev-0", 0.45, student_habit)]
    added = pd.DataFrame(rows, columns=["account_id", "kind", "value", "strength", "habit"])
    links = pd.concat([inputs.links, added.drop(columns="habit")], ignore_index=True)
    links["node"] = pd.factorize(links["value"])[0]
    links["value_accounts"] = links.groupby("value")["account_id"].transform("size")
    habits = pd.concat([inputs.incidence.drop_duplicates("account_id")[["account_id", "habit"]],
                        added[["account_id", "habit"]]]).drop_duplicates("account_id")  # fmt: skip
    incidence = links.merge(habits, on="account_id").assign(
        org=None, never_evidence=links["value"].eq("100.64.0.9"), created_s=0, domain=None, domain_accounts=0
    )[INCIDENCE_COLUMNS]
    decisions = decide(replace(inputs, features=features, links=links, incidence=incidence), Thresholds())
    members = decisions.members.set_index("account_id")
    assert (members.loc[hidden[:4], "decision"] == "ban").all()
    assert (members.loc[hidden, "cluster_id"] == "C-0009").all()
    kinds = [[record["kind"] for record in records] for records in members.loc[hidden[:4], "reason_records"]]
    assert all("network_signature" in found for found in kinds)
    assert "matches the signature of cluster C-0009, banned tonight" in members.loc[hidden[0], "reasons"]
    assert "tf-b" in members.loc[hidden[0], "reasons"] and "dev-0" in members.loc[hidden[0], "reasons"]
    assert members.loc[hidden[4], "decision"] == "review"
    assert (
        "shares its infrastructure of 1 kind(s) (its ban needs 2) and shows 1 kind(s)"
        in members.loc[hidden[4], "missed"]
    )
    assert (members.loc[[student, flatmate, *class_], "decision"] == "").all()


def _with_customers(inputs: DetectionInputs, kinds: list[str]) -> DetectionInputs:
    """``inputs`` with thirty customers outside any community, ten of them an org's, on tonight's farm's values of
    ``kinds`` (each used by 45 accounts then), sending 100 requests each."""
    shops = [f"shop{i}" for i in range(30)]
    farm = inputs.incidence[inputs.incidence["account_id"] == FARM[0]]
    shared = farm[farm["kind"].isin(kinds)]
    outsiders = pd.concat([shared.assign(account_id=shop, org="acme" if i < 10 else None) for i, shop in
                           enumerate(shops)])  # fmt: skip
    incidence = pd.concat([inputs.incidence, outsiders], ignore_index=True)
    links = inputs.links.assign(value_accounts=inputs.links["value"].map(incidence["value"].value_counts()))
    requests = pd.concat([inputs.requests, pd.Series(100, index=shops)])
    return replace(inputs, incidence=incidence, links=links, requests=requests)


def test_a_cluster_whose_ban_would_hit_more_accounts_than_the_guard_allows_goes_to_review_with_that_reason() -> None:
    """Thirty customers outside any community, ten of them an org's, send tonight's farm's template from its /24,
    and the farm has just the kinds of evidence a ban needs (four, here): its ban rests on both values and would hit
    them. Under the default guard the farm is banned and clusters.csv counts them, by kind; with the guard at 1.5
    accounts per ban, its bans go to review instead, each saying why, and its signature is no banned campaign's.
    Last night's cluster, whose ban stands, hits nobody and is not held."""
    inputs = _with_customers(_inputs(next_number=9), ["network", "template"])
    traffic = round(30 * 100 / (len(ORDINARY + KEPT + FARM) * 50 + 30 * 100), 4)
    expected = {"collateral": 30, "collateral_ips": 0, "collateral_subnets": 30, "collateral_templates": 30,
                "collateral_cards": 0, "collateral_org": 10, "collateral_traffic": traffic}  # fmt: skip

    banned = decide(inputs, Thresholds(score_min_kinds=4)).clusters.set_index("cluster_id")
    assert banned.loc["C-0009", "bans"] == len(FARM) and not banned.loc["C-0009", "held"]
    assert banned.loc["C-0009", list(expected)].to_dict() == expected

    held = decide(inputs, Thresholds(score_min_kinds=4, score_max_collateral=1.5))  # 30 hit for 15 banned: 2 per ban
    clusters = held.clusters.set_index("cluster_id")
    assert clusters.loc["C-0009", ["bans", "reviews", "held"]].tolist() == [0, len(FARM), True]
    assert clusters.loc["C-0009", list(expected)].to_dict() == expected
    assert clusters.loc["C-0003", ["bans", "held", "collateral"]].tolist() == [len(KEPT), False, 0]
    members = held.members.set_index("account_id")
    assert (members.loc[FARM, "decision"] == "review").all()
    assert members.loc[FARM[0], "reason_records"][0]["kind"] == "collateral"
    reasons = members.loc[FARM[0], "reasons"]
    assert "ban of 15 would hit 30 accounts outside it" in reasons and "10 of an org" in reasons
    assert "LINKAGE_SCORE_MAX_COLLATERAL=1.5 per account it bans" in reasons
    assert set(held.campaigns.prompts["campaign_id"]) == {"C-0003"}


def test_a_ban_rests_on_none_of_the_values_it_is_made_without_and_hits_no_one_through_them() -> None:
    """The farm has a card, a /24, a template and its harvest: a kind more than a ban needs (three). With thirty
    customers of a carrier on its /24, it is banned without that /24, the value that hits the most: its ban hits
    nobody and the guard at 1.5 per ban does not hold it. With them on its /24 and its template too, it can do
    without one of the two, not both: they are hit through the other, and it is held."""
    line = decide(_with_customers(_inputs(next_number=9), ["network"]), Thresholds(score_max_collateral=1.5))
    clusters = line.clusters.set_index("cluster_id")
    found = clusters.loc["C-0009", ["bans", "held", "collateral", "collateral_subnets"]].tolist()
    assert found == [len(FARM), False, 0, 0]
    assert "198.51.100.0/24" in line.members.set_index("account_id").loc[FARM[0], "reasons"]  # still cited

    both = decide(_with_customers(_inputs(next_number=9), ["network", "template"]),
                  Thresholds(score_max_collateral=1.5))  # fmt: skip
    clusters = both.clusters.set_index("cluster_id")
    assert clusters.loc["C-0009", ["bans", "held", "collateral"]].tolist() == [0, True, 30]
    assert clusters.loc["C-0009", ["collateral_subnets", "collateral_templates"]].sum() == 30


def test_a_night_with_no_ban_decides_nobody_and_weighs_no_collateral() -> None:
    """Only the ordinary accounts in tonight's communities: nobody is decided, no cluster, and collateral has no ban
    to weigh (its frames are empty, of whatever type the store gave them)."""
    inputs = _inputs(next_number=9)
    ordinary = inputs.features[inputs.features["community"] == 0]
    decisions = decide(replace(inputs, features=ordinary.astype({"account_id": "string[pyarrow]"})), Thresholds())
    assert (decisions.scored["decision"] == "").all() and decisions.clusters.empty


def _reported(accounts: list[str], kind: str, value: str, report: str = "campaign--1") -> pd.DataFrame:
    return pd.DataFrame({"account_id": accounts, "report_id": report, "report": "linkage cluster C-0042",
                         "source": "Lab A", "confidence": 93, "kind": kind, "value": value})  # fmt: skip


def test_a_partners_report_is_a_lead_that_never_bans_and_every_decision_it_touches_names_the_partner() -> None:
    """A partner reported tonight's farm's card, a pair of accounts' card and /24, and cards of ordinary users. The
    farm is banned on its own evidence as without the report, and each ban's reasons name the partner and the report.
    The pair shares a card and a /24 with three others and nothing of behaviour: two kinds, one short of a ban, no
    review on its own evidence; the report lifts it to review (never to a ban), and what it missed says a ban needs
    its own evidence. Ordinary users whose only evidence is the report get no decision."""
    pair = [f"pair{i}" for i in range(6)]
    inputs = _inputs(next_number=9)
    features = inputs.features.set_index("account_id")
    extra = features.loc[[ORDINARY[0]] * len(pair)].assign(community=3, output_tokens=500)
    extra.index = pd.Index(pair, name="account_id")
    features = pd.concat([features, extra]).reset_index()
    values = (("payment", "card-p"), ("network", "203.0.113.0/24"))
    added = pd.DataFrame([(a, kind, value, 1.0) for a in pair for kind, value in values],
                         columns=["account_id", "kind", "value", "strength"])  # fmt: skip
    links = pd.concat([inputs.links, added], ignore_index=True)
    links["node"] = pd.factorize(links["value"])[0]
    links["value_accounts"] = links.groupby("value")["account_id"].transform("size")
    incidence = links.assign(org=None, never_evidence=False, created_s=0, domain=None, domain_accounts=0,
                             habit="gap 2^9s, output 2^18, prompt 2^7")[INCIDENCE_COLUMNS]  # fmt: skip
    inputs = replace(inputs, features=features, links=links, incidence=incidence)

    before = decide(inputs, Thresholds()).scored.set_index("account_id")
    assert (before.loc[pair, "decision"] == "").all() and (before.loc[pair, "kinds"] == 2).all()
    reported = pd.concat([_reported(FARM, "payment", "card-b"), _reported(pair, "payment", "card-p"),
                          _reported(pair, "network", "203.0.113.0/24"),
                          _reported(ORDINARY[:20], "payment", "card-o", "campaign--2")])  # fmt: skip
    after = decide(replace(inputs, reported=reported), Thresholds())
    members, scored = after.members.set_index("account_id"), after.scored.set_index("account_id")
    assert (members.loc[FARM, "decision"] == "ban").all()
    assert members.loc[FARM, "score"].tolist() == before.loc[FARM, "score"].tolist()
    record = next(r for r in members.loc[FARM[0], "reason_records"] if r["kind"] == "partner_report")
    assert record["value"] == "campaign--1" and record["values"] == 1
    assert "reported by partner Lab A in linkage cluster C-0042 (campaign--1, confidence 93): it uses payment method " \
           "card-b" in members.loc[FARM[0], "reasons"]  # fmt: skip
    assert (members.loc[pair, "decision"] == "review").all()
    assert "subnet 203.0.113.0/24" in members.loc[pair[0], "reasons"] and "Lab A" in members.loc[pair[0], "reasons"]
    assert "a partner's report is a lead, never a kind of evidence: a ban needs 3 kinds of its own" in \
        members.loc[pair[0], "missed"]  # fmt: skip
    assert (scored.loc[ORDINARY, "decision"] == "").all()
    assert scored.loc[ORDINARY, "partner_reports"].isna().all()
