"""Pure logic of scoring and cluster ids, on frames (no database)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from linkage.detect.campaigns import RESPAWN_COLUMNS
from linkage.detect.clusters import assign_cluster_ids, decided_members
from linkage.detect.scoring import Volume, best_evidence, burst_sizes, harvest_strength, score_accounts
from linkage.settings import Settings


def test_burst_counts_neighbours_within_the_window_of_the_same_community_only() -> None:
    features = pd.DataFrame(
        {"community": [1, 1, 1, 2, 2, 3], "created_s": [0, 3_600, 100_000, 10, 20, None]}, index=list("abcdef")
    )
    assert burst_sizes(features, hours=6).to_dict() == {"a": 1, "b": 1, "c": 0, "d": 1, "e": 1, "f": 0}


def test_a_value_counts_only_when_enough_members_share_it_and_its_sharing_is_corroborated() -> None:
    links = pd.DataFrame(
        {
            "account_id": ["a"] * 5 + ["b"] * 5 + ["c"] * 3 + ["d"] * 3,
            "node": ["card"] * 10 + ["ip"] * 6,
            "kind": ["payment"] * 10 + ["network"] * 6,
            "value": ["fp1"] * 10 + ["1.2.3.4"] * 6,
            "strength": [0.9] * 10 + [0.1] * 6,
            "value_accounts": [10] * 10 + [6] * 6,
        }
    )
    links["account_id"] = [f"{prefix}{i}" for prefix, i in zip(links["account_id"], range(len(links)), strict=True)]
    communities = pd.Series(1, index=links["account_id"])
    best = best_evidence(links, communities, Settings(score_min_infra_shared=6, score_min_weight=0.3))
    assert set(best["kind"]) == {"payment"} and len(best) == 10  # the IP's sharing is barely corroborated
    assert (best["shared_in_community"] == 10).all()
    household = best_evidence(links, communities, Settings(score_min_infra_shared=11, score_min_weight=0.3))
    assert household.empty  # a card ten accounts share is not enough when a network needs eleven


def _shared(pairs: list[tuple[str, str]], kind: str, strength: float) -> pd.DataFrame:
    """Each pair of accounts on a value of its own, as a residential proxy pool hands each IP to two accounts."""
    names = [f"{kind}-{a}-{b}" for a, b in pairs for _ in range(2)]
    return pd.DataFrame({"account_id": [account for pair in pairs for account in pair], "node": names, "kind": kind,
                         "value": names, "strength": strength, "value_accounts": 2})  # fmt: skip


def test_a_pool_of_values_each_shared_by_a_few_counts_when_it_links_more_than_a_household() -> None:
    farm = [f"farm-{n}" for n in range(8)]
    family = [f"family-{n}" for n in range(5)]
    ring = list(itertools.pairwise([*farm, farm[0]]))  # each account shares an IP with two others only
    links = pd.concat([_shared(ring, "network", 0.5), _shared(ring[:3], "payment", 0.9),
                       _shared(list(itertools.combinations(family, 2)), "network", 0.9)])  # fmt: skip
    communities = pd.Series(1, index=[*farm, *family])  # one community: the pool must link them, not the community
    best = best_evidence(links, communities, Settings(score_min_infra_shared=6, score_min_weight=0.3))
    assert set(best["account_id"]) == set(farm) and set(best["kind"]) == {"network"}  # four on cards: a household
    assert (best["pooled_values"] == 2).all() and (best["shared_in_community"] == 8).all()
    assert best_evidence(links, communities, Settings(score_min_infra_shared=9, score_min_weight=0.3)).empty
    weak = best_evidence(links, communities, Settings(score_min_infra_shared=6, score_min_weight=0.6))
    assert weak.empty  # every link of a pool must be corroborated on its own
    apart = pd.Series(range(13), index=[*farm, *family])
    assert best_evidence(links, apart, Settings(score_min_infra_shared=6)).empty  # nor across communities
    # a student of the same ISP who got one of the pool's addresses once is tied to it by that chance alone
    student = pd.concat([links, _shared([("farm-0", "student")], "network", 0.9)])
    with_student = best_evidence(student, pd.Series(1, index=[*farm, *family, "student"]), Settings())
    assert "student" not in set(with_student["account_id"]) and set(with_student["account_id"]) == set(farm)


def _volume(tokens: list[int]) -> Volume:
    """The population's typical output, as ``detect/output_volume.cypher`` computes it."""
    logs = np.log1p(np.array(tokens, dtype=float))
    median = float(np.median(logs))
    return Volume(median=median, mad=float(np.median(np.abs(logs - median))))


def test_harvest_is_output_volume_in_robust_sigmas_above_the_population() -> None:
    tokens = pd.Series([1_000] * 50 + [3_000] * 50 + [300] * 50 + [5_000_000])
    active = pd.Series(True, index=tokens.index)
    volume = _volume(tokens.tolist())
    settings = Settings(score_harvest_from_sigmas=1.0, score_harvest_sigmas=3.0)
    strength = harvest_strength(tokens, active, volume, settings)
    assert strength.iloc[:150].max() == 0.0 and strength.iloc[-1] == 1.0
    idle = harvest_strength(tokens, active.where(tokens.index < 150, False).astype(bool), volume, settings)
    assert idle.iloc[-1] == 0.0  # a few requests say nothing about a habit


def _ids() -> itertools.count[int]:
    return itertools.count(1)


def _assign(members: dict[str, tuple[int, str | None]], previous: dict[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame([{"account_id": a, "community": c, "previous_cluster_id": p} for a, (c, p) in members.items()])
    counter = _ids()
    return assign_cluster_ids(
        frame, set(frame["community"]), pd.Series(previous, dtype="int64"), lambda: f"C-{next(counter) + 100}"
    ).set_index("community")


def test_unchanged_membership_keeps_its_id_and_is_stable() -> None:
    result = _assign({f"a{i}": (7, "C-0001") for i in range(10)}, {"C-0001": 10})
    assert result.loc[7, "cluster_id"] == "C-0001" and result.loc[7, "status"] == "stable"


def test_growth_merge_split_and_birth() -> None:
    members = {f"x{i}": (1, "C-0001") for i in range(10)}  # C-0001 grows by 5 newcomers
    members |= {f"new{i}": (1, None) for i in range(5)}
    members |= {f"y{i}": (2, "C-0002") for i in range(8)} | {f"z{i}": (2, "C-0003") for i in range(6)}  # merge
    members |= {f"s{i}": (3, "C-0004") for i in range(12)} | {f"t{i}": (4, "C-0004") for i in range(8)}  # split
    members |= {f"n{i}": (5, None) for i in range(6)}  # birth
    result = _assign(members, {"C-0001": 10, "C-0002": 8, "C-0003": 6, "C-0004": 20})
    assert result.loc[1, ["cluster_id", "status"]].tolist() == ["C-0001", "grown"]
    assert result.loc[2, ["cluster_id", "status"]].tolist() == ["C-0002", "merged"]
    assert result.loc[2, "parents"] == ["C-0002", "C-0003"]
    assert result.loc[3, ["cluster_id", "status"]].tolist() == ["C-0004", "shrunk"]
    assert result.loc[4, "status"] == "split" and result.loc[4, "cluster_id"].startswith("C-1")
    assert result.loc[4, "parents"] == ["C-0004"]
    assert result.loc[5, "status"] == "new" and result.loc[5, "cluster_id"].startswith("C-1")


def test_a_cluster_is_its_decided_members_and_users_with_no_decision_neither_grow_nor_merge_it() -> None:
    """Last night C-0001 was 10 bans in a community that also held 50 carrier-NAT users with no decision (they
    carry its id); C-0002 was 8 bans. Tonight the NAT users, 300 more of them and 40 undecided users once around
    C-0002 share the farm's community: C-0001 is stable, not grown or merged, and C-0002's bans elsewhere keep
    their id."""
    rows = [("farm", 10, 1, "ban", "ban", "C-0001"), ("nat", 50, 1, "", None, "C-0001"),
            ("more", 300, 1, "", None, None), ("near2", 40, 1, "", None, "C-0002"),
            ("farm2", 8, 2, "ban", "ban", "C-0002")]  # fmt: skip
    scored = pd.DataFrame(
        [{"account_id": f"{name}{i}", "community": community, "decision": decision, "previous_decision": before,
          "previous_cluster_id": cluster} for name, n, community, decision, before, cluster in rows for i in range(n)]
    )  # fmt: skip
    counter = _ids()
    previous = pd.Series({"C-0001": 10, "C-0002": 8})
    result = assign_cluster_ids(decided_members(scored), {1, 2}, previous, lambda: f"C-{next(counter) + 100}")
    result = result.set_index("community")
    assert result.loc[1, ["cluster_id", "status", "parents", "size"]].tolist() == ["C-0001", "stable", ["C-0001"], 10]
    assert result.loc[2, ["cluster_id", "status"]].tolist() == ["C-0002", "stable"]


def test_new_clusters_of_one_size_are_numbered_by_their_first_member_not_by_leidens_numbers() -> None:
    """Leiden numbers the same two communities otherwise when a night is run again: their new ids must not swap."""
    ids = []
    for numbers in ((1, 2), (2, 1)):
        members = {f"a{i}": (numbers[0], None) for i in range(5)} | {f"b{i}": (numbers[1], None) for i in range(5)}
        result = _assign(members, {}).reset_index()
        ids.append(dict(zip(result["community"].map({numbers[0]: "a", numbers[1]: "b"}), result["cluster_id"],
                            strict=True)))  # fmt: skip
    assert ids[0] == ids[1] == {"a": "C-101", "b": "C-102"}


def _features(n: int, output_tokens: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(n)], "community": 1, "created_s": 0, "prompt_requests": 50,
            "cot_share": 0.9, "template_concentration": 0.9, "output_tokens": output_tokens,
            "similar_in_community": 0, "similar_score": 0.0, "banned_in_batch": False, "previous_decision": None,
            "previous_cluster_id": None, "first_batch": "n1", "allowlisted": False,
        }
    )  # fmt: skip


def _best(ids: list[str], kinds: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"account_id": a, "kind": k, "value": f"v-{k}", "strength": w, "shared_in_community": len(ids),
             "value_accounts": len(ids)}
            for a in ids
            for k, w in kinds.items()
        ]
    )  # fmt: skip


NO_BANNED = pd.DataFrame(columns=["account_id", "kind", "value", "value_accounts", "banned_share", "banned_cluster"])


def _population(n_active: int, heavy: list[int]) -> list[int]:
    """Output tokens of ``n_active`` ordinary accounts around 1,000 and a few heavy ones."""
    return [300 + (i * 97) % 2_700 for i in range(n_active)] + heavy


def test_two_strong_kinds_without_harvest_are_one_step_short_of_a_ban_a_review() -> None:
    """Two kinds (network, template), both strong, signed up together, asking for steps: never a ban, even with one
    student who sends a hundred times the usual output (the group does not harvest), but one step short of one: a
    review. (A class that shares its own domain and campus IP is one customer before scoring: its homework weighs
    nothing between its students, tests/test_detect.py.)"""
    tokens = _population(239, [300_000])
    ids = [f"a{i}" for i in range(200, 240)]
    features = _features(240, tokens).assign(community=[0] * 200 + [1] * 40)
    scored = score_accounts(features, _best(ids, {"network": 1.0, "template": 1.0}), NO_BANNED, _volume(tokens), "n1",
                            Settings(score_burst_min=3)).set_index("account_id")  # fmt: skip
    assert scored.loc[ids, "burst"].all() and scored.loc[ids, "cot"].all() and (scored.loc[ids, "kinds"] == 2).all()
    assert scored.loc["a239", "harvest"] == 0.0  # its own volume would count fully; its class's does not
    assert (scored.loc[ids, "decision"] == "review").all() and (scored.drop(index=ids)["decision"] == "").all()
    assert scored.loc[ids, "missed"].str.contains("2 independent kinds of evidence").all()


def test_a_light_member_of_a_network_banned_tonight_joins_its_ban_only_on_the_networks_own_values() -> None:
    """A farm of 30 on one /24 with one template, signed up in one burst: 24 harvest (three kinds, banned), 6 send
    little (two kinds: one step short). The light six share the /24 and the template that the bans mostly use and
    signed up with them: banned with the farm, the reason naming both values. Ten students of a class that sends the
    same template from their campus's own /24, and one light member that signed up a month later, stay in review."""
    tokens = _population(200, [300_000] * 24 + [1_000] * 6 + [1_000] * 10 + [1_000])
    features = _features(241, tokens).assign(community=[0] * 200 + [1] * 41)
    features.loc[240, "created_s"] = 30 * 86_400
    heavy, light, class_, late = (
        [f"a{i}" for i in range(lo, hi)] for lo, hi in ((200, 224), (224, 230), (230, 240), (240, 241))
    )
    farm = heavy + light + late
    best = pd.DataFrame(
        [{"account_id": a, "kind": kind, "value": value, "strength": 1.0, "shared_in_community": total,
          "value_accounts": total, "pooled_values": 0}
         for group, kind, value, total in (
             (farm, "network", "62.106.138.0/24", 31), (class_, "network", "campus/24", 10),
             (farm + class_, "template", "tf-farm", 41),
         )
         for a in group],
    )  # fmt: skip
    scored = score_accounts(features, best, NO_BANNED, _volume(tokens), "n1", Settings()).set_index("account_id")
    assert (scored.loc[heavy + light, "decision"] == "ban").all() and (scored.loc[light, "kinds"] == 2).all()
    assert scored.loc[light, "burst"].all() and not scored.loc["a240", "burst"]
    owned = [("network", "62.106.138.0/24", 24, 31), ("template", "tf-farm", 24, 41)]
    assert (scored.loc[light, "network_values"].map(owned.__eq__)).all()  # the reason of the six, and theirs only
    assert scored.loc[heavy + class_ + late, "network_values"].isna().all()
    assert (scored.loc[class_ + late, "decision"] == "review").all()


def test_a_farm_on_one_datacenter_subnet_with_its_own_cards_is_banned_by_its_harvest() -> None:
    """Network and template as strong as the class's, and output volume far above everybody's: three kinds."""
    tokens = _population(200, [300_000] * 20)
    features = _features(220, tokens)
    farm = [f"a{i}" for i in range(200, 220)]
    scored = score_accounts(
        features, _best(farm, {"network": 1.0, "template": 0.9}), NO_BANNED, _volume(tokens), "n1", Settings()
    )
    scored = scored.set_index("account_id")
    assert (scored.loc[farm, "decision"] == "ban").all() and (scored.loc[farm, "kinds"] == 3).all()
    assert (scored.loc[farm, "harvest"] == 1.0).all()
    assert (scored.drop(index=farm)["decision"] == "").all()


def test_no_single_kind_bans_however_strong_and_one_short_reviews_only_with_harvest() -> None:
    tokens = _population(100, [300_000] * 10)
    heavy = [f"a{i}" for i in range(100, 110)]
    card_only = score_accounts(
        _features(110, tokens), _best(heavy[:5], {"payment": 1.0}), NO_BANNED, _volume(tokens), "n1", Settings()
    )
    assert (card_only.set_index("account_id").loc[heavy[:5], "decision"] == "").all()  # payment and harvest: two
    best = _best(heavy, {"payment": 1.0, "template": 1.0})
    scored = score_accounts(_features(110, tokens), best, NO_BANNED, _volume(tokens), "n1", Settings()).set_index(
        "account_id"
    )
    assert (scored.loc[heavy, "decision"] == "ban").all()
    lighter = _features(110, tokens[:100] + [1_000] * 10)
    review = score_accounts(
        lighter, _best(heavy, {"payment": 1.0, "device": 1.0}), NO_BANNED, _volume(tokens), "n1", Settings()
    )
    assert (review.set_index("account_id").loc[heavy, "decision"] == "").all()  # infrastructure only: no behaviour


def test_reused_values_of_a_banned_network_stand_in_for_one_kind_of_evidence_not_more() -> None:
    """Ten new accounts reuse a banned farm's /24 and its template (values mostly its banned accounts use). The five
    that also share a card pool among themselves show two kinds of their own: the farm's respawn, banned. The five
    students whose campus /24 the farm used and whose homework looks like its template show one kind (the template
    they share): one step short, in review, saying what a respawn's ban needs."""
    tokens = _population(200, [1_000] * 10)
    features = _features(210, tokens).assign(community=[0] * 200 + [1] * 10, first_batch="n2")
    respawn, students = [f"a{i}" for i in range(200, 205)], [f"a{i}" for i in range(205, 210)]
    reused = pd.DataFrame(
        [{"account_id": a, "kind": kind, "value": value, "value_accounts": 40, "banned_share": 0.8,
          "banned_cluster": "C-0004"}
         for a in respawn + students for kind, value in (("network", "213.86.119.0/24"), ("template", "tf-farm"))]
    )  # fmt: skip
    best = pd.concat([_best(respawn + students, {"template": 1.0}), _best(respawn, {"payment": 1.0})])
    scored = score_accounts(features, best, reused, _volume(tokens), "n2", Settings()).set_index("account_id")
    assert scored.loc[respawn + students, "respawn"].all() and (scored.loc[students, "kinds"] == 1).all()
    assert (scored.loc[respawn, "decision"] == "ban").all() and (scored.loc[students, "decision"] == "review").all()
    assert scored.loc[students, "missed"].str.contains("a respawn's ban needs 2").all()


def test_a_campaign_match_on_one_kind_of_new_infrastructure_is_reviewed_only_when_it_harvests() -> None:
    """Thirty new accounts match a banned campaign's signature and habit. The ten that share a card pool and a proxy
    (two kinds of new infrastructure) are its respawn, banned; the twenty that share only a venue's address and its
    /24 (one kind: a hackathon pasting the campaign's viral prompt looks so) are one step short: the ten that harvest
    go to review, saying what a ban needs, the ten that ask a class's volume get no decision (no harm to weigh)."""
    tokens = _population(200, [1_000_000] * 20 + [1_000] * 10)
    features = _features(230, tokens).assign(community=[0] * 200 + [1] * 30)
    wave, venue, class_ = ([f"a{i}" for i in range(lo, lo + 10)] for lo in (200, 210, 220))
    matched = pd.DataFrame(
        [{"account_id": a, "campaign_id": "C-0001", "signature": ["tf-farm"], "habit": "gap 2^9s, output 2^10, "
          "prompt 2^7", "shared": shared, "shared_with": 9, "shared_kinds": kinds}
         for group, shared, kinds in ((wave, ["card", "proxy"], 2), (venue + class_, ["venue-ip", "venue-/24"], 1))
         for a in group],
        columns=RESPAWN_COLUMNS,
    )  # fmt: skip
    scored = score_accounts(features, _best(wave + venue + class_, {"template": 1.0}), NO_BANNED, _volume(tokens),
                            "n1", Settings(), matched).set_index("account_id")  # fmt: skip
    assert scored.loc[wave + venue + class_, "respawn"].all()
    assert (scored.loc[wave, "decision"] == "ban").all() and (scored.loc[venue, "decision"] == "review").all()
    assert scored.loc[venue, "missed"].str.contains("new infrastructure of 1 kind(s)", regex=False).all()
    assert (scored.drop(index=wave + venue)["decision"] == "").all()
