"""Campaign memory: what a banned cluster did, kept so that its next wave is known on its first night, although it
bought new cards and new proxies.

A hydra cluster replaces every banned account and changes whatever got it caught; what it cannot change cheaply is
its purpose and its habits: the prompt families and segments it sends (its curriculum, its answer format) and how
it asks (:func:`linkage.similarity.features.habits`). When a cluster is banned, those are kept as its campaign's
signature (``Campaign`` nodes, ``SIGNED_BY`` the template families and segments mostly its banned accounts send, and
the habits of its banned accounts). A new account that sends a signature's prompts with one of its habits, and
shares new infrastructure with other such accounts, is that campaign's respawn on its first night. No single part
is enough: a viral prompt is sent by thousands besides the campaign, who ask otherwise (a prompt signs a campaign
only when most of those who send it the campaign's way are banned), a class asks what a farm asks but not the way
its scripts do, and one matching account alone shares infrastructure with nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from linkage.settings import Thresholds
from linkage.similarity.features import habit_powers
from linkage.vocabulary import INFRASTRUCTURE

SIGNATURE_COLUMNS = ["campaign_id", "family_id"]
HABIT_COLUMNS = ["campaign_id", "habit"]
RESPAWN_COLUMNS = ["account_id", "campaign_id", "signature", "habit", "shared", "shared_with", "shared_kinds"]


@dataclass(frozen=True)
class SignatureRule:
    """What enters a campaign's signature: prompt values ``member_share`` of its banned accounts send, of whose
    senders ``banned_share`` are banned; habits ``habit_share`` of its banned accounts have."""

    member_share: float
    banned_share: float
    habit_share: float

    @classmethod
    def of(cls, thresholds: Thresholds) -> SignatureRule:
        return cls(thresholds.score_campaign_member_share, thresholds.score_respawn_banned_share,
                   thresholds.score_campaign_habit_share)  # fmt: skip


@dataclass
class Campaigns:
    """Campaigns' signatures: prompt values (:data:`SIGNATURE_COLUMNS`) and habits (:data:`HABIT_COLUMNS`)."""

    prompts: pd.DataFrame
    habits: pd.DataFrame

    @classmethod
    def empty(cls) -> Campaigns:
        return cls(pd.DataFrame(columns=SIGNATURE_COLUMNS), pd.DataFrame(columns=HABIT_COLUMNS))

    @classmethod
    def from_rows(cls, rows: list[dict[str, object]]) -> Campaigns:
        """From ``detect/read_campaigns`` rows (campaign_id, families, habits)."""
        prompts = [(r["campaign_id"], f) for r in rows for f in r["families"] or []]  # type: ignore[attr-defined]
        habits = [(r["campaign_id"], h) for r in rows for h in r["habits"] or []]  # type: ignore[attr-defined]
        return cls(pd.DataFrame(prompts, columns=SIGNATURE_COLUMNS), pd.DataFrame(habits, columns=HABIT_COLUMNS))

    def renamed(self, ids: dict[object, str]) -> Campaigns:
        """The same signatures under other campaign ids (tonight's are made under community numbers, before the
        communities get their cluster ids)."""
        return Campaigns(self.prompts.assign(campaign_id=self.prompts["campaign_id"].map(ids)),
                         self.habits.assign(campaign_id=self.habits["campaign_id"].map(ids)))  # fmt: skip

    def without(self, campaign_ids: set[object]) -> Campaigns:
        """The signatures of every other campaign (a cluster held for review is no banned campaign)."""
        return Campaigns(self.prompts[~self.prompts["campaign_id"].isin(campaign_ids)],
                         self.habits[~self.habits["campaign_id"].isin(campaign_ids)])  # fmt: skip

    def rows(self) -> list[dict[str, object]]:
        """One row per campaign for ``detect/merge_campaigns`` (campaign_id, families, habits)."""
        ids = sorted(set(self.prompts["campaign_id"]) | set(self.habits["campaign_id"]))
        families = self.prompts.groupby("campaign_id")["family_id"].apply(sorted)
        habits = self.habits.groupby("campaign_id")["habit"].apply(sorted)
        return [{"campaign_id": c, "families": families.get(c, []), "habits": habits.get(c, [])} for c in ids]


def signatures(banned: pd.DataFrame, incidence: pd.DataFrame, rule: SignatureRule) -> Campaigns:
    """Tonight's signature of every cluster with bans. ``banned``: the banned accounts (account_id, cluster_id);
    ``incidence``: every account's use of a shared value (:data:`linkage.detect.evidence.INCIDENCE_COLUMNS`).

    A prompt value is in a cluster's signature when ``rule.member_share`` of its banned accounts send it and most of
    the accounts that send it *the way they ask* are banned: a farm that borrowed a viral prompt still signs it, as
    long as the thousands who paste it too ask otherwise."""
    if banned.empty:
        return Campaigns.empty()
    size = banned.groupby("cluster_id").size().astype(float)
    habit = _habits(incidence)
    per_habit = habit.merge(banned, on="account_id").groupby(["cluster_id", "habit"]).size()
    counts = per_habit.rename("members").reset_index()
    common = counts[counts["members"] >= rule.habit_share * counts["cluster_id"].map(size).astype(float)]
    habits = common.rename(columns={"cluster_id": "campaign_id"})[HABIT_COLUMNS].reset_index(drop=True)
    prompts = incidence.loc[incidence["kind"] == "template", ["account_id", "value"]].drop_duplicates()
    used = prompts.merge(banned, on="account_id")
    members = used.groupby(["cluster_id", "value"])["account_id"].nunique().rename("members").reset_index()
    candidates = members[members["members"] >= rule.member_share * members["cluster_id"].map(size).astype(float)]
    candidates = candidates.rename(columns={"cluster_id": "campaign_id", "value": "family_id"})
    senders = prompts.rename(columns={"value": "family_id"}).merge(candidates[SIGNATURE_COLUMNS]).merge(habit)
    alike = senders.merge(_alike(senders, habits), on=["account_id", "campaign_id"])
    alike["banned"] = alike["account_id"].isin(banned["account_id"])
    share = alike.groupby(["campaign_id", "family_id"])["banned"].mean()
    signature = share[share >= rule.banned_share].reset_index()[SIGNATURE_COLUMNS]
    return Campaigns(signature, habits)


def _habits(incidence: pd.DataFrame) -> pd.DataFrame:
    """Each account's habit (account_id, habit), for the accounts that have one."""
    return incidence.drop_duplicates("account_id")[["account_id", "habit"]].dropna()


def _alike(candidates: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """The (account_id, campaign_id) of ``candidates`` (account_id, campaign_id, habit) whose habit is within one
    power of two, in each of its parts, of one of the campaign's (``known``): a power of two is a coarse bucket, and
    a farm whose median output sits near a bucket's edge falls on both sides of it from one night to the next."""
    pairs = candidates.merge(known, on="campaign_id", suffixes=("", "_c"))
    # each habit's powers read once: thousands of accounts share each habit
    habits = pd.unique(pd.concat([pairs["habit"], pairs["habit_c"]]))
    powers = habit_powers(pd.Series(habits)).set_axis(habits)
    mine = powers.loc[pairs["habit"]].reset_index(drop=True)
    theirs = powers.loc[pairs["habit_c"]].reset_index(drop=True)
    close = (mine - theirs).abs().max(axis=1) <= 1
    return pairs.loc[close.to_numpy(), ["account_id", "campaign_id"]].drop_duplicates()


def respawns(
    campaigns: Campaigns, incidence: pd.DataFrame, new: pd.Index, partners: pd.Index | None = None
) -> pd.DataFrame:
    """The accounts of ``new`` (first seen tonight) that are a campaign's respawn (:data:`RESPAWN_COLUMNS`): they
    send prompt values of its signature with one of its habits (within a power of two, :func:`_alike`), and share
    infrastructure with another account that does too, one of ``partners`` when given (default: ``new``).
    ``signature``: the matched prompt values; ``shared``: the infrastructure it shares with them; ``shared_with``:
    how many of them share it; ``shared_kinds``: of how many kinds (card, network, device, e-mail domain) it is: a ban
    needs as many as a respawn on a banned network's own infrastructure does, since a class or a hackathon that sends
    a campaign's prompts shares one venue's network.

    Within the night, ``partners`` are the banned accounts of the networks whose signatures ``campaigns`` holds: a
    farm member that routes every session through a carrier's NAT shares no value widely enough to count, but sends
    what the farm sends, the way it asks, from a device or card of its banned accounts; a class that asks what the
    farm asks shares its campus line with its classmates, not with the farm."""
    if campaigns.prompts.empty or not len(new):
        return pd.DataFrame(columns=RESPAWN_COLUMNS)
    partners = new if partners is None else partners
    mine = incidence[incidence["account_id"].isin(new.union(partners))]
    sent = mine[mine["kind"] == "template"].merge(campaigns.prompts, left_on="value", right_on="family_id")
    habit = _habits(mine)
    candidates = sent[["account_id", "campaign_id"]].drop_duplicates().merge(habit)
    matched = sent.merge(habit).merge(_alike(candidates, campaigns.habits), on=["campaign_id", "account_id"])
    signature = matched.groupby(["campaign_id", "account_id"])["family_id"].apply(sorted).rename("signature")
    if signature.empty:
        return pd.DataFrame(columns=RESPAWN_COLUMNS)
    pairs = signature.reset_index()[["campaign_id", "account_id"]]
    infra = mine[mine["kind"].isin(INFRASTRUCTURE) & ~mine["never_evidence"].astype(bool)].merge(pairs, on="account_id")
    infra["partner"] = infra["account_id"].isin(partners)
    on_value = infra[infra["partner"]].groupby(["campaign_id", "node"])["account_id"].nunique().rename("partners")
    infra = infra.join(on_value, on=["campaign_id", "node"])
    infra["others"] = infra["partners"].fillna(0).astype(int) - infra["partner"].astype(int)
    shared = infra[(infra["others"] >= 1) & infra["account_id"].isin(new)]
    by_account = shared.groupby(["campaign_id", "account_id"])
    found = by_account.agg(shared_with=("others", "max"), shared_kinds=("kind", "nunique"))
    values = shared.drop_duplicates(["campaign_id", "account_id", "value"]).sort_values("value")
    found["shared"] = values.groupby(["campaign_id", "account_id"])["value"].agg(list)
    found = found.join(signature).reset_index()
    found["habit"] = found["account_id"].map(habit.set_index("account_id")["habit"])
    found["size"] = found["signature"].map(len)
    # one campaign per account: the one whose signature it matches most
    best = found.sort_values(["size", "shared_with", "campaign_id"], ascending=[False, False, True])
    return best.drop_duplicates("account_id")[RESPAWN_COLUMNS].reset_index(drop=True)
