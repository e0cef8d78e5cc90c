"""The evidence weights on frames (no database): surprise of an overlap, corroboration, org discount."""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.detect.evidence import Evidence, OrgRule, surprise_decades, weigh
from linkage.settings import Settings


def test_an_overlap_no_larger_than_chance_is_no_surprise_and_larger_ones_grow_with_it() -> None:
    # 3 of 3,000 accounts and 2 of 5,000 use two values that 1,000 and 2,500 of 1M accounts use: chance gives 3 and 12
    no_surprise = surprise_decades(np.array([3, 2]), np.array([3_000, 5_000]), np.array([1_000, 2_500]), 1_000_000)
    assert no_surprise.tolist() == [0.0, 0.0]
    growing = surprise_decades(np.array([4, 8, 16]), np.array([16, 16, 16]), np.array([1_000] * 3), 16_000)
    assert 0 < growing[0] < growing[1] < growing[2]
    # all 16 users of a value among the 1,000 of another (1/16 of the graph): (1/16)^16, 19.3 decades
    assert abs(growing[2] - 16 * np.log10(16)) < 1e-6
    # six accounts of a card, all among a segment's 526 senders of 17,721 accounts: 9.2 decades (Chernoff: 6.6)
    assert 9.1 < surprise_decades(np.array([6]), np.array([6]), np.array([526]), 17_721)[0] < 9.3
    # so complete an overlap that the tail underflows: Chernoff's bound stands in, never infinity
    huge = surprise_decades(np.array([5_000]), np.array([5_000]), np.array([5_000]), 1_000_000)
    assert np.isfinite(huge).all() and huge[0] > 5_000


NO_WINDOWS = pd.Series(dtype="int64")
ORGS = OrgRule(Settings().detect_org_office_share, Settings().detect_org_coverage)


def _weigh(
    rows: pd.DataFrame | list[dict[str, object]],
    accounts: int,
    windows: pd.Series = NO_WINDOWS,
    switches: pd.DataFrame | None = None,
) -> Evidence:
    """:func:`weigh` with the settings these tests share: significance at 6 decades, one-hour windows, pools from six
    accounts."""
    return weigh(pd.DataFrame(rows), windows, accounts, 6.0, 1.0, ORGS, switches, pool_below=6)


def _rows(
    accounts: list[str], node: str, kind: str, org: str | None = None, domain: tuple[str, int] | None = None
) -> list[dict[str, object]]:
    """Incidence rows of ``accounts`` using ``node``; ``domain``: their e-mail domain and how many accounts use it."""
    name, users = domain or (None, 0)
    return [{"account_id": a, "node": node, "kind": kind, "value": node, "org": org, "never_evidence": False,
             "created_s": None, "domain": name, "domain_accounts": users, "habit": None} for a in accounts]  # fmt: skip


def test_weights_follow_corroboration_not_popularity() -> None:
    """A 40-account proxy pool whose users also share two cards weighs fully, and so do the cards; a NAT IP of 200
    users who share nothing else, behind which ten of the farm's accounts hide, weighs what those ten are of its
    users; an org's card and NAT weigh nothing between its seats."""
    farm = [f"farm{i}" for i in range(40)]
    nat = [f"nat{i}" for i in range(200)]
    seats = [f"seat{i}" for i in range(30)]
    rows = _rows(farm, "pool", "network") + _rows(farm[:20], "card-a", "payment") + _rows(farm[20:], "card-b",
                                                                                        "payment")  # fmt: skip
    rows += _rows(nat + farm[:10], "nat-ip", "network")
    rows += _rows(seats, "org-card", "payment", org="acme") + _rows(seats, "org-nat", "network", org="acme")
    evidence = _weigh(pd.DataFrame(rows), 5_000)
    weights = evidence.values.set_index("node")["weight"]
    assert weights["pool"] > 0.99 and weights["card-a"] > 0.99 and weights["card-b"] > 0.99
    assert abs(weights["nat-ip"] - 10 / 210) < 1e-9  # only the ten farm accounts on it are corroborated
    coherence = evidence.values.set_index("node")["coherence"]
    assert coherence["org-card"] > 0.99 and weights["org-card"] == 0.0 and weights["org-nat"] == 0.0
    strengths = evidence.links.set_index(["account_id", "node"])["strength"]
    assert ("nat0", "nat-ip") not in strengths.index  # an uncorroborated NAT user carries no evidence at all


def test_an_allowlisted_value_weighs_nothing_however_corroborated() -> None:
    group = [f"g{i}" for i in range(12)]
    rows = _rows(group, "ip", "network") + _rows(group, "card", "payment")
    frame = pd.DataFrame(rows)
    frame.loc[frame["node"] == "ip", "never_evidence"] = True
    evidence = _weigh(frame, 1_000)
    values = evidence.values.set_index("node")
    assert values.loc["ip", "coherence"] > 0.99 and values.loc["ip", "weight"] == 0.0
    assert values.loc["card", "weight"] > 0.99
    assert set(evidence.links["node"]) == {"card"}


def test_signing_up_in_one_window_corroborates_sharing_but_is_never_evidence_itself() -> None:
    """Twelve accounts on one IP that all signed up within the same hour (an hour in which the graph's other
    accounts did not): synchrony corroborates the IP. Twelve on another IP who signed up months apart: nothing
    does. The sign-up windows themselves are neither values nor evidence."""
    together = [f"t{i}" for i in range(12)]
    apart = [f"a{i}" for i in range(12)]
    rows = _rows(together, "ip-1", "network") + _rows(apart, "ip-2", "network")
    frame = pd.DataFrame(rows)
    frame["created_s"] = [1_000_000 * 3600 + 60 * i for i in range(12)] + [(1_000_000 + 700 * i) * 3600 for i in
                                                                            range(12)]  # fmt: skip
    windows = pd.Series({1_000_000: 12, **{1_000_000 + 700 * i: 1 for i in range(1, 12)}})
    evidence = _weigh(frame, 20_000, windows)
    weights = evidence.values.set_index("node")["weight"]
    assert weights["ip-1"] > 0.99 and weights["ip-2"] == 0.0
    assert set(evidence.values["kind"]) == {"network"} and set(evidence.links["kind"]) == {"network"}


def _switches(accounts: list[str], model: str, window: int) -> pd.DataFrame:
    return pd.DataFrame({"account_id": accounts, "model": model, "window": window})


def test_switching_to_a_model_on_one_quiet_day_corroborates_sharing_but_a_release_day_does_not() -> None:
    """Twelve accounts sharing a card took up a new model on a day few others did: lockstep corroborates the card.
    Twelve sharing another card switched on the release day, when 15,000 of the graph's 20,000 accounts switched:
    no surprise, no weight. A switch window is neither a value nor evidence."""
    quiet = [f"q{i}" for i in range(12)]
    crowd = [f"c{i}" for i in range(12)]
    rows = _rows(quiet, "card-q", "payment") + _rows(crowd, "card-c", "payment")
    others = [f"o{i}" for i in range(15_000 - len(crowd))]
    switches = pd.concat([_switches(quiet, "m2", 501), _switches(crowd + others, "m2", 500)], ignore_index=True)
    evidence = _weigh(pd.DataFrame(rows), 20_000, switches=switches)  # fmt: skip
    weights = evidence.values.set_index("node")["weight"]
    # all twelve on the day three in four switched is 1.5 decades (0.75^12) beyond little chance: short of a kind
    assert weights["card-q"] > 0.99 and weights["card-c"] < 0.3
    assert set(evidence.values["kind"]) == {"payment"}
    assert evidence.links.loc[evidence.links["node"] == "card-c", "strength"].max() < 0.3
    alone = _weigh(pd.DataFrame(rows), 20_000)
    assert alone.values["weight"].max() == 0.0  # without the switches nothing corroborates either card


def test_a_tool_moving_its_users_to_a_new_model_together_does_not_corroborate_its_template() -> None:
    """300 users of one tool send its fixed prompt and all switch on one day nobody else does (the tool changed
    its default model): one cause, so the switch is no corroboration of the template. The same lockstep does
    corroborate a card they share."""
    users = [f"u{i}" for i in range(300)]
    rows = _rows(users, "tool-template", "template") + _rows(users[:20], "card", "payment")
    evidence = _weigh(pd.DataFrame(rows), 50_000, switches=_switches(users, "m2", 700))  # fmt: skip
    weights = evidence.values.set_index("node")["weight"]
    assert weights["card"] > 0.99
    # only the 20 card holders' template use is corroborated (by the card), not the 280 others' (by the switch)
    assert abs(weights["tool-template"] - 20 / 300) < 1e-9


def test_a_team_on_its_own_domain_is_one_customer_but_pools_behind_one_domain_are_not() -> None:
    """An agency of 30 seats with no org id shares its own domain, one card, one office IP and its internal template:
    its domain stands for an org, and what the whole team uses weighs nothing between its seats. A farm of 80
    accounts behind one domain of its own and one proxy IP splits itself over eight pool cards of ten: the IP it
    all uses is discounted like an office line, but the pool cards are not the office's and keep their weight. A
    webmail provider whose 900 users share no single card or address is nobody's org: the ten farm accounts on it
    keep the weight of the card they share."""
    seats = [f"seat{i}" for i in range(30)]
    agency = ("agency.example", 30)
    rows = _rows(seats, "office-card", "payment", domain=agency) + _rows(seats, "office-ip", "network", domain=agency)
    rows += _rows(seats, "house-template", "template", domain=agency)
    farm = [f"farm{i}" for i in range(80)]
    own = ("farm.example", 80)
    rows += _rows(farm, "proxy-ip", "network", domain=own) + _rows(farm, "farm-template", "template", domain=own)
    for card in range(8):
        rows += _rows(farm[card * 10 : card * 10 + 10], f"pool-card-{card}", "payment", domain=own)
    webmail = [f"mail{i}" for i in range(10)]
    rows += _rows(webmail, "webmail-card", "payment", domain=("webmail.example", 900))
    rows += _rows(webmail, "webmail-device", "device", domain=("webmail.example", 900))
    evidence = _weigh(pd.DataFrame(rows), 20_000)
    values = evidence.values.set_index("node")
    for node in ("office-card", "office-ip", "house-template"):
        assert values.loc[node, "coherence"] > 0.99 and values.loc[node, "weight"] == 0.0, node
    assert values.loc["proxy-ip", "weight"] == 0.0 and values.loc["farm-template", "weight"] == 0.0
    assert all(values.loc[f"pool-card-{card}", "weight"] > 0.99 for card in range(8))
    assert values.loc["webmail-card", "weight"] > 0.99 and values.loc["webmail-card", "org_share"] == 0.0
    assert not evidence.links["account_id"].str.startswith("seat").any()  # no seat carries any evidence


def test_a_template_lends_its_senders_the_corroboration_it_has_as_a_whole_and_other_kinds_do_not() -> None:
    """Forty accounts send a farm's segment; thirty of them share a card as well, so the segment's sharing is
    corroborated for those thirty; the other ten share nothing else (each on a proxy IP of its own): their sending it
    is corroborated as the segment's is over all its senders. A popular template sent by 400 unrelated accounts and
    those ten lends them next to nothing."""
    farm = [f"farm{i}" for i in range(40)]
    tool = [f"user{i}" for i in range(400)]
    rows = _rows(farm, "segment", "template") + _rows(farm[:30], "card", "payment")
    rows += _rows(tool + farm[30:], "tool", "template") + _rows(farm[30:32], "ip", "network")
    evidence = _weigh(pd.DataFrame(rows), 5_000)
    weights = evidence.values.set_index("node")["weight"]
    strengths = evidence.links.set_index(["account_id", "node"])["strength"]
    assert weights["segment"] > 0.7 and strengths["farm0", "segment"] > 0.99
    assert strengths["farm35", "segment"] == weights["segment"]  # nothing of its own to corroborate with
    assert weights["tool"] < 0.05 and strengths.get(("user0", "tool"), 0.0) < 0.05


def test_a_pool_of_addresses_each_shared_by_two_is_corroborated_as_a_pool_and_only_for_its_own_users() -> None:
    """Sixty accounts of a farm send its segment (as do 300 others) and rotate over a residential proxy pool: each
    address is seen by two of them (a chain), so no address alone overlaps the segment by more than two accounts.
    As a pool, sixty accounts share it and all sixty send the segment: every address in it is corroborated for the
    farm. A home user who once got one of the pool's addresses is in the pool but shares nothing else with the farm:
    nothing is corroborated for it. Two hundred customers of an ISP chained by re-used addresses are a pool too,
    whose users send a popular template no more often than everybody does: nothing is corroborated for them."""
    farm = [f"farm{i}" for i in range(60)]
    isp = [f"home{i}" for i in range(200)]
    others = [f"user{i}" for i in range(480)]
    rows = _rows(farm + others[:300], "segment", "template") + _rows(["stray", "farm0"], "lent-ip", "network")
    for chain, prefix in ((farm, "proxy"), (isp, "isp")):
        for i in range(len(chain) - 1):
            rows += _rows(chain[i : i + 2], f"{prefix}-ip-{i}", "network")
    rows += _rows(isp[:20] + others, "popular-template", "template")
    pooled = _weigh(rows, 5_000).links.set_index(["account_id", "node"])["strength"]
    assert all(pooled["farm" + str(i), f"proxy-ip-{i}"] > 0.99 for i in range(59))
    assert pooled.get(("stray", "lent-ip"), 0.0) == 0.0 and pooled["farm0", "lent-ip"] > 0.99
    assert pooled[pooled.index.get_level_values("node").str.startswith("isp-")].max() < 0.05
    # without pools (no pool reaches a size that large) the farm's addresses are as uncorroborated as the ISP's
    alone = weigh(pd.DataFrame(rows), NO_WINDOWS, 5_000, 6.0, 1.0, ORGS, pool_below=10**9)
    assert alone.links.loc[alone.links["node"].str.startswith("proxy-"), "strength"].max() < 0.3
