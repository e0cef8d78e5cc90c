"""Scoring from combined evidence: kinds of independent signals per account, a score, and a decision.

A decision rests on several independent kinds of evidence, never on one: a shared card alone (a family), a
shared NAT IP alone (an office, a carrier), a shared prompt template alone (a popular tool) bans nobody.
IP and subnet are one kind (network); a value used inside one organisation, or by too many accounts to mean
anything, carries no weight upstream (``detect_value_weights.cypher``) and so never counts here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.settings import Settings

SIGNAL_KIND = {
    "PAID_WITH": "payment",
    "CONNECTED_FROM": "network",
    "IN_SUBNET": "network",
    "USED_DEVICE": "device",
    "EMAIL_AT": "email",
    "USES_TEMPLATE": "prompts",
}
INFRASTRUCTURE = ("payment", "network", "device", "email")
BEHAVIOUR = ("prompts", "cot")
KIND_WEIGHT = {
    "payment": 0.25,
    "network": 0.15,
    "device": 0.2,
    "email": 0.1,
    "prompts": 0.2,
    "cot": 0.15,
    "banned": 0.25,
}
KINDS = tuple(KIND_WEIGHT)
# Supporting signals add to the score and give a reason but are not kinds of their own: heavy legitimate users
# exist, and volume is not independent of the prompt evidence; a classroom, a hackathon or an enterprise's
# onboarding day signs up together, so a burst next to one shared NAT and one shared template is not a network.
SUPPORT_WEIGHT = {"volume": 0.1, "burst": 0.1}
SIGNALS = (*KINDS, *SUPPORT_WEIGHT)


def shared_kinds(links: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per account, which kinds of value it shares with enough members of its own community (bool columns).

    Infrastructure must reach further than a household: a card or home IP shared by a family of five is not a
    network, so it counts from ``score_min_infra_shared`` members; a prompt family from ``score_min_shared``.
    """
    kind = links["signal"].map(SIGNAL_KIND)
    needed = np.where(kind == "prompts", settings.score_min_shared, settings.score_min_infra_shared)
    strong = links.assign(kind=kind)[
        (links["shared_in_community"] >= needed) & (links["weight"] >= settings.score_min_weight)
    ]
    table = pd.crosstab(strong["account_id"], strong["kind"]) > 0
    return table.reindex(columns=[*INFRASTRUCTURE, "prompts"], fill_value=False)


def burst_sizes(features: pd.DataFrame, hours: float) -> pd.Series:
    """How many other members of its community were created within ``hours`` of each account.

    One sorted pass for all communities: each community's creation times are shifted onto its own stretch of
    a single timeline, far enough apart that no window reaches into the next community.
    """
    known = features[["community", "created_s"]].dropna()
    counts = pd.Series(0, index=features.index, dtype="int64")
    if known.empty:
        return counts
    window = int(hours * 3600)
    seconds = known["created_s"].to_numpy(dtype="int64")
    seconds = seconds - seconds.min()
    span = int(seconds.max()) + 2 * window + 1
    rank = pd.factorize(known["community"])[0].astype("int64")
    timeline = rank * span + seconds
    order = np.argsort(timeline, kind="stable")
    ordered = timeline[order]
    lo = np.searchsorted(ordered, ordered - window, side="left")
    hi = np.searchsorted(ordered, ordered + window, side="right")
    counts.loc[known.index[order]] = hi - lo - 1
    return counts


def _most_common(values: pd.Series) -> object:
    known = values.dropna()
    return known.mode().iloc[0] if len(known) else None


def respawn_kinds(banned_links: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per account, the kinds of a banned network's infrastructure it reuses (values mostly used by banned accounts)."""
    owned = banned_links[banned_links["banned_share"] >= settings.score_respawn_banned_share].assign(
        kind=lambda f: f["signal"].map(SIGNAL_KIND)
    )
    grouped = owned.groupby("account_id")
    return pd.DataFrame(
        {
            "respawn_kinds": grouped["kind"].nunique(),
            "banned_cluster": grouped["banned_cluster"].agg(_most_common),
        }
    )


def score_accounts(
    features: pd.DataFrame, links: pd.DataFrame, banned_links: pd.DataFrame, batch: str, settings: Settings
) -> pd.DataFrame:
    """One row per community member: a bool column per evidence kind, ``kinds``, ``score`` and ``decision``."""
    scored = features.set_index("account_id")
    kinds = shared_kinds(links, settings).reindex(scored.index, fill_value=False)
    scored = scored.join(kinds)
    # a share computed from one or two prompts says nothing about a habit: prompt evidence needs some volume
    active = scored["prompt_requests"] >= settings.score_min_requests
    scored["prompts"] = (scored["prompts"] | (scored["similar_in_community"] >= settings.score_min_shared - 1)) & active
    scored["cot"] = (
        active
        & (scored["cot_share"] >= settings.score_cot_share)
        & (scored["template_concentration"] >= settings.score_template_concentration)
    )
    median_tokens = scored.loc[active, "output_tokens"].median() if active.any() else 0.0
    scored["volume_ratio"] = (scored["output_tokens"] / median_tokens).round(1) if median_tokens > 0 else 0.0
    scored["volume"] = active & (scored["volume_ratio"] >= settings.score_volume_factor)
    scored["burst_size"] = burst_sizes(scored.reset_index(), settings.score_burst_hours).to_numpy()
    scored["burst"] = scored["burst_size"] >= settings.score_burst_min
    scored = scored.join(respawn_kinds(banned_links, settings))
    scored["respawn_kinds"] = scored["respawn_kinds"].fillna(0).astype(int)
    # reusing one kind of a banned network's infrastructure (a NAT IP it hid behind) is not independent evidence
    scored["banned"] = scored["respawn_kinds"] >= settings.score_respawn_min_kinds
    scored["community_size"] = scored.groupby("community")["community"].transform("size")

    flags = scored[list(KINDS)].astype(bool)
    scored["kinds"] = flags.sum(axis=1)
    support = scored[list(SUPPORT_WEIGHT)].astype(bool)
    evidence = (flags * pd.Series(KIND_WEIGHT)).sum(axis=1) + (support * pd.Series(SUPPORT_WEIGHT)).sum(axis=1)
    scored["score"] = evidence.clip(upper=1.0).round(3)
    has_infra = flags[list(INFRASTRUCTURE)].any(axis=1)
    has_behaviour = flags[list(BEHAVIOUR)].any(axis=1)
    # a shared NAT is the infrastructure most often shared innocently (offices, schools, carriers, VPN exits): when
    # it is the only infrastructure, a ban also needs harvest-scale output volume
    network_only = flags["network"] & ~flags[[k for k in INFRASTRUCTURE if k != "network"]].any(axis=1)
    networked = scored["community_size"] >= settings.score_min_cluster_size
    ban = (
        networked
        & (scored["kinds"] >= settings.score_min_kinds)
        & has_infra
        & has_behaviour
        & (~network_only | scored["volume"])
        & (scored["score"] >= settings.score_ban_threshold)
    )
    scored["respawn"] = (scored["first_batch"] == batch) & (scored["respawn_kinds"] >= settings.score_respawn_min_kinds)
    ban |= scored["respawn"] & has_behaviour
    review = ~ban & networked & (scored["kinds"] >= 2) & (scored["score"] >= settings.score_review_threshold)
    review |= ~ban & scored["respawn"]
    decision = np.select([ban, review], ["ban", "review"], default="")
    decision = np.where(scored["previous_decision"].eq("ban"), "ban", decision)  # a ban stands once acted on
    # the allowlist always wins; accounts the batch already lists as banned need no new decision
    scored["decision"] = np.where(scored["allowlisted"] | scored["banned_in_batch"], "", decision)
    return scored.reset_index()
