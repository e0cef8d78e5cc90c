"""Pure logic of scoring and cluster ids, on frames (no database)."""

from __future__ import annotations

import itertools

import pandas as pd

from linkage.detect.clusters import assign_cluster_ids
from linkage.detect.scoring import burst_sizes, score_accounts, shared_kinds
from linkage.settings import Settings


def test_burst_counts_neighbours_within_the_window_of_the_same_community_only() -> None:
    features = pd.DataFrame(
        {"community": [1, 1, 1, 2, 2, 3], "created_s": [0, 3_600, 100_000, 10, 20, None]}, index=list("abcdef")
    )
    assert burst_sizes(features, hours=6).to_dict() == {"a": 1, "b": 1, "c": 0, "d": 1, "e": 1, "f": 0}


def test_a_value_counts_only_when_enough_members_share_it_and_it_weighs_something() -> None:
    links = pd.DataFrame(
        {
            "account_id": ["a", "a", "b", "c"],
            "signal": ["PAID_WITH", "CONNECTED_FROM", "IN_SUBNET", "USES_TEMPLATE"],
            "value": ["fp1", "1.2.3.4", "1.2.3.0/24", "T-1"],
            "shared_in_community": [5, 2, 9, 9],
            "value_accounts": [5, 2, 9, 900],
            "weight": [0.8, 0.9, 0.4, 0.0],
        }
    )
    kinds = shared_kinds(links, Settings(score_min_shared=3, score_min_infra_shared=5, score_min_weight=0.05))
    assert kinds.loc["a"].to_dict() == {"payment": True, "network": False, "device": False, "email": False,
                                        "prompts": False}  # fmt: skip
    assert kinds.loc["b", "network"]
    assert "c" not in kinds.index  # a template everybody uses weighs nothing
    household = shared_kinds(links, Settings(score_min_shared=3, score_min_infra_shared=6))
    assert "a" not in household.index  # a card five accounts share is a family's, not a network's


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


def _features(n: int, output_tokens: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(n)], "community": 1, "created_s": 0, "prompt_requests": 50,
            "cot_share": 0.9, "template_concentration": 0.9, "output_tokens": output_tokens,
            "similar_in_community": 0, "banned_in_batch": False, "previous_decision": None,
            "previous_cluster_id": None, "first_batch": "n1", "allowlisted": False,
        }
    )  # fmt: skip


def test_output_volume_far_above_the_median_raises_the_score_but_is_not_a_kind() -> None:
    empty_links = pd.DataFrame(columns=["account_id", "signal", "value", "shared_in_community", "value_accounts",
                                        "weight"])  # fmt: skip
    empty_banned = pd.DataFrame(columns=["account_id", "signal", "value", "value_accounts", "banned_share",
                                         "banned_cluster"])  # fmt: skip
    scored = score_accounts(_features(5, [1_000, 1_000, 1_000, 1_000, 9_000]), empty_links, empty_banned, "n1",
                            Settings(score_volume_factor=3.0)).set_index("account_id")  # fmt: skip
    assert scored["volume"].tolist() == [False, False, False, False, True]
    assert scored.loc["a4", "volume_ratio"] == 9.0
    assert scored.loc["a4", "score"] == round(scored.loc["a0", "score"] + 0.1, 3)
    assert scored.loc["a4", "kinds"] == scored.loc["a0", "kinds"]


def test_a_shared_nat_as_the_only_infrastructure_bans_only_with_harvest_scale_volume() -> None:
    """A classroom: one school IP, one homework template, step-by-step questions, signed up together."""
    ids = [f"a{i}" for i in range(6)]
    links = pd.DataFrame(
        {
            "account_id": ids * 2,
            "signal": ["CONNECTED_FROM"] * 6 + ["USES_TEMPLATE"] * 6,
            "value": ["192.0.2.1"] * 6 + ["T-homework"] * 6,
            "shared_in_community": 6, "value_accounts": 6, "weight": 0.8,
        }
    )  # fmt: skip
    empty_banned = pd.DataFrame(columns=["account_id", "signal", "value", "value_accounts", "banned_share",
                                         "banned_cluster"])  # fmt: skip
    settings = Settings(score_burst_min=3, score_min_infra_shared=6, score_volume_factor=3.0)
    scored = score_accounts(_features(6, [1_000] * 5 + [9_000]), links, empty_banned, "n1", settings)
    scored = scored.set_index("account_id")
    assert scored["burst"].all() and scored.loc["a0", "kinds"] == 3  # network, prompts, cot; the burst is support
    assert scored.loc["a0", "decision"] == "review" and scored.loc["a0", "score"] >= settings.score_ban_threshold
    assert scored.loc["a5", "decision"] == "ban"  # the same evidence and 9x the median output
