"""Campaign memory on frames (no database): what enters a banned cluster's signature, and who is its respawn."""

from __future__ import annotations

import pandas as pd

from linkage.detect.campaigns import Campaigns, SignatureRule, respawns, signatures
from linkage.settings import Thresholds

RULE = SignatureRule(member_share=0.2, banned_share=0.5, habit_share=0.05)
FARM_HABIT = "gap 2^9s, output 2^11, prompt 2^9"
NEAR_HABIT = "gap 2^8s, output 2^10, prompt 2^10"  # within a power of two of the farm's in every part
STUDENT_HABIT = "gap 2^13s, output 2^9, prompt 2^7"


def _uses(accounts: list[str], value: str, kind: str, habit: str | None) -> list[dict[str, object]]:
    return [{"account_id": a, "node": f"n-{value}", "kind": kind, "value": value, "habit": habit,
             "never_evidence": False} for a in accounts]  # fmt: skip


def test_a_signature_keeps_what_mostly_its_banned_accounts_send_the_way_they_ask() -> None:
    """The farm's own family is in its signature, and so is the viral prompt it borrowed: 500 others paste it, but
    they ask otherwise. A prompt that 500 others send the farm's way is not; nor is a family only two of its 20
    accounts send."""
    farm = [f"farm{i}" for i in range(20)]
    viral = [f"user{i}" for i in range(500)]
    alike = [f"alike{i}" for i in range(500)]
    incidence = pd.DataFrame(
        _uses(farm, "tf-farm", "template", FARM_HABIT) + _uses(farm, "tf-viral", "template", FARM_HABIT)
        + _uses(viral, "tf-viral", "template", STUDENT_HABIT) + _uses(farm, "tf-common", "template", FARM_HABIT)
        + _uses(alike, "tf-common", "template", NEAR_HABIT)
        + _uses(farm[:2], "ps-rare", "template", FARM_HABIT) + _uses(farm, "card", "payment", FARM_HABIT)
    )  # fmt: skip
    banned = pd.DataFrame({"account_id": farm, "cluster_id": "C-0001"})
    found = signatures(banned, incidence, RULE)
    assert sorted(found.prompts["family_id"]) == ["tf-farm", "tf-viral"]
    assert (found.prompts["campaign_id"] == "C-0001").all()
    assert found.habits.to_dict("records") == [{"campaign_id": "C-0001", "habit": FARM_HABIT}]


def test_a_campaigns_next_wave_on_new_cards_is_its_respawn_and_look_alikes_are_not() -> None:
    """Ten new accounts send the campaign's family with its habit on a card and a proxy they bought together: its
    respawn, sharing two kinds of new infrastructure. A new class sends the same family but asks otherwise; new users
    of the viral prompt share an IP but not the campaign's own family; a lone account matches the signature but
    shares nothing with anyone."""
    campaigns = Campaigns(
        pd.DataFrame({"campaign_id": ["C-0001"], "family_id": ["tf-farm"]}),
        pd.DataFrame({"campaign_id": ["C-0001"], "habit": [FARM_HABIT]}),
    )
    wave = [f"new{i}" for i in range(10)]
    students = [f"student{i}" for i in range(30)]
    viral = [f"user{i}" for i in range(8)]
    rows = _uses(wave[:5], "tf-farm", "template", FARM_HABIT) + _uses(wave[5:], "tf-farm", "template", NEAR_HABIT)
    rows += _uses(wave, "new-card", "payment", FARM_HABIT) + _uses(wave, "new-proxy", "network", FARM_HABIT)
    rows += _uses(students, "tf-farm", "template", STUDENT_HABIT) + _uses(students, "campus-ip", "network",
                                                                            STUDENT_HABIT)  # fmt: skip
    rows += _uses(viral, "tf-viral", "template", FARM_HABIT) + _uses(viral, "cafe-ip", "network", FARM_HABIT)
    rows += _uses(["lone"], "tf-farm", "template", FARM_HABIT) + _uses(["lone", "old"], "old-card", "payment",
                                                                         FARM_HABIT)  # fmt: skip
    incidence = pd.DataFrame(rows)
    new = pd.Index(wave + students + viral + ["lone"])
    found = respawns(campaigns, incidence, new).set_index("account_id")
    assert sorted(found.index) == sorted(wave)
    assert (found["campaign_id"] == "C-0001").all() and (found["shared_with"] == 9).all()
    assert found.loc["new0", "signature"] == ["tf-farm"] and found.loc["new0", "shared"] == ["new-card", "new-proxy"]
    assert (found["shared_kinds"] == 2).all()


def test_a_banned_cluster_whose_accounts_have_no_habit_signs_nothing_and_fails_nothing() -> None:
    """Accounts with too few requests have no habit: their cluster's signature is empty, and nothing raises."""
    farm = [f"farm{i}" for i in range(10)]
    incidence = pd.DataFrame(_uses(farm, "tf-farm", "template", None) + _uses(farm, "card", "payment", None))
    found = signatures(pd.DataFrame({"account_id": farm, "cluster_id": "C-0001"}), incidence, RULE)
    assert found.prompts.empty and found.habits.empty


def test_a_family_only_one_of_two_farms_in_a_cluster_sends_is_still_in_its_signature() -> None:
    """Two farms behind one carrier's NAT make one cluster: the smaller one's family, sent by 15% of the cluster's
    bans and by nobody else, signs the cluster (with the default rule), as the larger one's does."""
    small, large = [f"a{i}" for i in range(18)], [f"b{i}" for i in range(102)]
    incidence = pd.DataFrame(
        _uses(small, "tf-a", "template", FARM_HABIT) + _uses(large, "tf-b", "template", FARM_HABIT)
    )
    banned = pd.DataFrame({"account_id": small + large, "cluster_id": "C-0001"})
    found = signatures(banned, incidence, SignatureRule.of(Thresholds()))
    assert sorted(found.prompts["family_id"]) == ["tf-a", "tf-b"]
