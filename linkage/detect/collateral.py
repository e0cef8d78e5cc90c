"""Collateral: what a cluster's ban would hit besides the farm, before the ban goes out.

Trust & safety acts on a ban by blocking what the ban rests on as well as the accounts: the cards, addresses and
networks, devices and prompt templates its reasons cite (the values each banned account shares with its cluster, one
per kind of evidence, :func:`linkage.detect.scoring.best_evidence`). Every account outside the ban that uses one of
those values is hit with them. Per cluster with bans, :func:`collateral` counts those accounts, by kind of value, how
many of them belong to an org (a customer with a contract, not a throwaway sign-up), and their share of tonight's
traffic. What the ban does not rest on is not counted: a carrier NAT a farm routes some of its sessions through
weighs nothing as evidence (its thousands of customers share nothing else), is cited by no reason and is no value to
block; nor are disposable e-mail domains, which no ban blocks; nor the values an account is banned without
(:func:`rested_on`): a farm's members on a carrier's /24 whose own sharing of it is corroborated (they share a
device and a template there too) have it cited, but with a kind more than a ban needs they are banned without it,
and blocking a carrier's customers' line is no part of acting on their ban. :func:`hold_collateral` sends a
cluster whose collateral exceeds ``score_max_collateral`` accounts per account it bans to review instead of banning
it: a handful of accounts among hundreds of customers on the values it would block is for a person to act on, not
for a nightly job.
"""

from __future__ import annotations

import pandas as pd

from linkage.settings import Thresholds

# what a ban blocks, by the name clusters.csv gives it: the kind of value (evidence.KINDS), and for a network whether
# it is a subnet (its value a CIDR) or an address
PARTS = {"cards": "payment", "ips": "network", "subnets": "network", "devices": "device", "templates": "template"}
COLLATERAL_COLUMNS = ["collateral", *(f"collateral_{part}" for part in PARTS), "collateral_org", "collateral_traffic"]


def _part(incidence: pd.DataFrame) -> pd.Series:
    subnet = incidence["value"].astype(str).str.contains("/", regex=False)
    part = incidence["kind"].map({kind: part for part, kind in PARTS.items() if part not in ("ips", "subnets")})
    network = incidence["kind"] == "network"
    return part.mask(network & subnet, "subnets").mask(network & ~subnet, "ips")


def rested_on(cited: pd.DataFrame, kinds: pd.Series, min_kinds: int) -> pd.DataFrame:
    """The rows of ``cited`` (values reasons cite, :data:`linkage.detect.scoring.BEST_COLUMNS`, one per account and
    kind) that a ban blocks and rests on: an account with more kinds of evidence (``kinds``, by account id) than
    ``min_kinds`` is banned without that many of its values, and those it is banned without are its most used ones
    (the most accounts hit by blocking them)."""
    blockable = cited[cited["kind"].isin(PARTS.values())]
    spare = (blockable["account_id"].map(kinds).astype(float).fillna(0.0) - min_kinds).clip(lower=0)
    ranked = blockable.assign(spare=spare).sort_values(["account_id", "value_accounts", "kind", "value"],
                                                       ascending=[True, False, True, True])  # fmt: skip
    return ranked[ranked.groupby("account_id").cumcount() >= ranked["spare"]].drop(columns="spare")


def collateral(banned: pd.DataFrame, all_banned: pd.Index, cited: pd.DataFrame, incidence: pd.DataFrame,
               requests: pd.Series, min_kinds: int) -> pd.DataFrame:  # fmt: skip
    """Per community with bans (``banned``: account_id, community, kinds), the accounts outside every ban (not in
    ``all_banned``, tonight's bans and the batch's) that use a value its bans rest on (:func:`rested_on` of
    ``cited``: account_id, kind, value, value_accounts, :data:`linkage.detect.scoring.BEST_COLUMNS`, with each ban's
    kinds of evidence and ``min_kinds``, the kinds a ban needs): how many in all
    (``collateral``), through each kind of value (``collateral_cards``…), how many belong to an org, and their
    share of tonight's requests (``requests``: every account's, indexed by account id). :data:`COLLATERAL_COLUMNS`,
    indexed by community."""
    values = incidence[~incidence["never_evidence"].astype(bool)].assign(part=_part)
    values = values.dropna(subset=["part"])
    rests = rested_on(cited[cited["account_id"].isin(banned["account_id"])], banned.set_index("account_id")["kinds"],
                      min_kinds)  # fmt: skip
    used = rests.merge(banned[["account_id", "community"]], on="account_id")[["community", "kind", "value"]]
    others = values[~values["account_id"].isin(all_banned)]
    hit = used.drop_duplicates().merge(others[["kind", "value", "account_id", "part", "org"]], on=["kind", "value"])
    found = pd.DataFrame(0, index=pd.Index(banned["community"].unique(), name="community"), columns=COLLATERAL_COLUMNS)
    found["collateral_traffic"] = 0.0
    if hit.empty:
        return found
    accounts = hit.drop_duplicates(["community", "account_id"])
    found["collateral"] = accounts.groupby("community").size()
    by_part = hit.drop_duplicates(["community", "part", "account_id"]).groupby(["community", "part"]).size()
    for part in PARTS:
        found[f"collateral_{part}"] = by_part.xs(part, level="part") if part in by_part.index.get_level_values(1) else 0
    found["collateral_org"] = accounts[accounts["org"].notna()].groupby("community").size()
    total = float(requests.sum())
    traffic = accounts["account_id"].map(requests).fillna(0).groupby(accounts["community"]).sum()
    found["collateral_traffic"] = (traffic / total).round(4) if total else 0.0
    counts = found.columns.drop("collateral_traffic")
    return found.fillna(0).astype({column: int for column in counts})


def hold_collateral(scored: pd.DataFrame, hit: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Tonight's decisions with the new bans of every cluster whose collateral (``hit``: :func:`collateral`) exceeds
    ``score_max_collateral`` accounts per account it bans turned into reviews, each with the sentence that says why
    (``held``). A ban made on an earlier night stays (trust & safety may have acted on it; an appeal reverses it)."""
    bans = scored.loc[scored["decision"] == "ban"].groupby("community").size().reindex(hit.index, fill_value=0)
    over = hit.index[hit["collateral"] > thresholds.score_max_collateral * bans]
    held = scored["decision"].eq("ban") & scored["community"].isin(over) & scored["previous_decision"].ne("ban")
    rows = hit.join(bans.rename("bans")).reindex(scored.loc[held, "community"])
    sentences = [
        f"its cluster's ban of {banned:,} would hit {accounts:,} accounts outside it that share its cards, IPs, "
        f"subnets, devices or templates ({org:,} of an org, {traffic:.1%} of tonight's requests), more than "
        f"LINKAGE_SCORE_MAX_COLLATERAL={thresholds.score_max_collateral:g} per account it bans: held for review"
        for banned, accounts, org, traffic in zip(rows["bans"], rows["collateral"], rows["collateral_org"],
                                                  rows["collateral_traffic"], strict=True)
    ]  # fmt: skip
    scored = scored.assign(held=pd.Series(sentences, index=scored.index[held], dtype=object).reindex(scored.index))
    scored.loc[held, "decision"] = "review"
    scored.loc[held, "missed"] = scored.loc[held, "held"]
    return scored
