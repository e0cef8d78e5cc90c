"""Scoring from combined evidence: the strength of each independent kind of evidence per account, a score, and
a decision.

An account's evidence of one kind is the strongest value of that kind it shares with enough members of its own
community, weighed by how well that sharing is corroborated (:mod:`linkage.detect.evidence`); IP and subnet are
one kind, so correlated evidence is never counted twice. The kinds combine as independent evidence (noisy-OR:
1 - the product of 1 - strength), and a decision needs several of them, never one: not one shared card (a
family), not one NAT IP (an office, a carrier), not one template (a popular tool, a homework).

Behaviour is evidence of its own only where it is what distillation needs: prompts from a template family shared
with the community, and harvest (output volume far above the population's, measured in robust standard
deviations of the log volume). A sign-up burst and chain-of-thought wording are reasons shown beside the
evidence, not kinds: classes, hackathons and onboarding days sign up together, and a phrase list knows only the
wordings it lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from linkage.detect.campaigns import RESPAWN_COLUMNS
from linkage.settings import Thresholds
from linkage.vocabulary import INFRASTRUCTURE

BEHAVIOUR = ("template", "harvest")
KINDS = (*INFRASTRUCTURE, *BEHAVIOUR)
SUPPORT = ("burst", "cot", "banned")  # shown as reasons, not counted as kinds
BEST_COLUMNS = ["account_id", "kind", "value", "strength", "shared_in_community", "value_accounts", "pooled_values"]
# accounts that use a value a partner reported (cypher/detect/partner_reports.cypher): a lead, never a kind
REPORTED_COLUMNS = ["account_id", "report_id", "report", "source", "confidence", "kind", "value"]
MIN_POOLED_VALUES = 2  # an account's own values in a pool for the pool to count as its evidence
MAD_TO_SIGMA = 1.4826  # a normal distribution's standard deviation in median absolute deviations


def best_evidence(links: pd.DataFrame, communities: pd.Series, thresholds: Thresholds) -> pd.DataFrame:
    """Per account and kind, the strongest value it shares with enough members of its own community
    (:data:`BEST_COLUMNS`). Infrastructure must reach further than a household: a card or home IP shared by a
    family of five is not a network, so it counts from ``score_min_infra_shared`` members, by one value or by a pool
    (:func:`pooled_infrastructure`); a template family from ``score_min_shared``."""
    members = links.assign(community=links["account_id"].map(communities)).dropna(subset=["community"])
    members["shared_in_community"] = members.groupby(["node", "community"])["account_id"].transform("size")
    members["pooled_values"] = 0  # one value alone
    corroborated = members[members["strength"] >= thresholds.score_min_weight]
    infrastructure = corroborated["kind"] != "template"
    needed = np.where(infrastructure, thresholds.score_min_infra_shared, thresholds.score_min_shared)
    alone = corroborated[corroborated["shared_in_community"] >= needed]
    few = infrastructure & corroborated["shared_in_community"].between(2, thresholds.score_min_infra_shared - 1)
    pooled = pooled_infrastructure(corroborated[few], thresholds.score_min_infra_shared)
    # ties broken by the data, never by the order rows came out of the store: a rerun names the same values; a
    # value that reaches far enough alone comes before a pool
    ranked = pd.concat([alone, pooled]).sort_values(
        ["pooled_values", "strength", "shared_in_community", "value"], ascending=[True, False, False, True]
    )
    best = ranked.drop_duplicates(["account_id", "kind"])
    return best[BEST_COLUMNS].reset_index(drop=True)


def pooled_infrastructure(members: pd.DataFrame, needed: int) -> pd.DataFrame:
    """Infrastructure evidence from a pool: accounts of one community linked to each other, directly or in a chain,
    by corroborated values of one kind that each only a few of them share, count that kind when the pool links
    ``needed`` of them. A residential proxy pool hands each IP to two or three of a farm's accounts, different ones
    each time, and so links the whole farm; a household's card, home IP and devices link the same few people, and a
    chain through a household needs every link corroborated (an IP two strangers happen to share weighs nothing).
    An account counts a pool through two of its own values at least: a farm's account takes many of the pool's
    addresses, a customer of the same ISP or campus that got one of them once is tied to it by that chance alone.
    One row per (account, kind): its strongest value in the pool, the accounts the pool links (itself included)
    as ``shared_in_community``, and how many of its own values are in it (``pooled_values``)."""
    if members.empty:
        return members.assign(pooled_values=0).iloc[0:0]
    holder, holders = pd.factorize(pd.MultiIndex.from_arrays([members["account_id"], members["kind"]]))
    value, values = pd.factorize(pd.MultiIndex.from_arrays([members["node"], members["community"]]))
    edges = coo_matrix((np.ones(len(members)), (holder, len(holders) + value)),
                       shape=(len(holders) + len(values),) * 2)  # fmt: skip
    _, component = connected_components(edges, directed=False)
    linked = np.bincount(component[: len(holders)])[component[holder]]
    pooled = members.assign(shared_in_community=linked)
    pooled = pooled[pooled["shared_in_community"] >= needed]
    pooled = pooled.sort_values(["strength", "value"], ascending=[False, True])
    counts = pooled.groupby(["account_id", "kind"])["node"].transform("size")
    pooled = pooled.assign(pooled_values=counts).drop_duplicates(["account_id", "kind"])
    return pooled[pooled["pooled_values"] >= MIN_POOLED_VALUES]


@dataclass(frozen=True)
class Volume:
    """The population's typical output: median and median absolute deviation of log(1 + output tokens) over
    every active account (``detect/output_volume.cypher``)."""

    median: float
    mad: float


def harvest_strength(output_tokens: pd.Series, active: pd.Series, volume: Volume, thresholds: Thresholds) -> pd.Series:
    """How far above the population's typical output volume each account is: the robust z-score of its log
    output tokens, from 0 at ``score_harvest_from_sigmas`` to 1 at ``score_harvest_sigmas`` (heavy legitimate
    users exist: alone this bans nobody, and :func:`group_harvest` caps it by the group's)."""
    logs = pd.Series(np.log1p(output_tokens.astype(float).clip(lower=0).to_numpy()), index=output_tokens.index)
    spread = volume.mad * MAD_TO_SIGMA or 1.0
    z = (logs - volume.median) / spread
    start, full = (
        thresholds.score_harvest_from_sigmas,
        max(thresholds.score_harvest_sigmas, thresholds.score_harvest_from_sigmas + 1e-9),
    )
    return ((z - start) / (full - start)).clip(0.0, 1.0).where(active, 0.0)


def group_harvest(own: pd.Series, communities: pd.Series, best: pd.DataFrame) -> pd.Series:
    """An account's harvest, capped by its group's: the median harvest of the community members that send its
    template family (or of its whole community when it shares none). A farm harvests together; one heavy
    student in a class whose homework template everybody else sends at ordinary volume does not make a farm."""
    frame = pd.DataFrame({"own": own, "community": communities})
    group = frame.groupby("community")["own"].transform("median")
    templates = best.loc[best["kind"] == "template", ["account_id", "value"]].set_index("account_id")["value"]
    senders = frame.join(templates.rename("template")).dropna(subset=["template"])
    by_template = senders.groupby(["community", "template"])["own"].transform("median")
    group.loc[by_template.index] = by_template
    return frame["own"].clip(upper=group)


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


def respawn_kinds(banned_links: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Per account, the kinds of a banned network's infrastructure it reuses (values mostly used by banned
    accounts), those values as (kind, value) pairs in order, and the banned cluster they mostly come from."""
    owned = banned_links[banned_links["banned_share"] >= thresholds.score_respawn_banned_share]
    owned = owned.sort_values(["account_id", "kind", "value"]).drop_duplicates(["account_id", "kind", "value"])
    grouped = owned.groupby("account_id")
    pairs = pd.Series(list(zip(owned["kind"], owned["value"], strict=True)), index=owned["account_id"], dtype=object)
    return pd.DataFrame(
        {
            "respawn_kinds": grouped["kind"].nunique(),
            "respawn_values": pairs.groupby(level=0).agg(list),
            "banned_cluster": grouped["banned_cluster"].agg(_most_common),
        }
    )


def ban_conditions(scored: pd.DataFrame, counted: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """The conditions a ban needs, one bool column each (a ban needs them all; :func:`missed` says which failed)."""
    return pd.DataFrame(
        {
            "cluster": scored["community_size"] >= thresholds.score_min_cluster_size,
            "kinds": scored["kinds"] >= thresholds.score_min_kinds,
            "infrastructure": counted[list(INFRASTRUCTURE)].any(axis=1),
            "behaviour": counted[list(BEHAVIOUR)].any(axis=1),
            "score": scored["score"] >= thresholds.score_ban_threshold,
        },
        index=scored.index,
    )


def missed(scored: pd.DataFrame, conditions: pd.DataFrame, thresholds: Thresholds) -> pd.Series:
    """Why each account is not banned, with the numbers ("" for a ban): every condition it misses and by how much."""
    number = scored["community_size"].astype(int).astype(str)
    kinds = scored["kinds"].astype(int).astype(str)
    ratio = scored["volume_ratio"].map("{:g}".format)
    score = scored["score"].map("{:.2f}".format)
    says = {
        "cluster": "its community has " + number + f" accounts, a ban needs {thresholds.score_min_cluster_size}",
        "kinds": kinds + f" independent kinds of evidence of at least {thresholds.score_min_weight:g}, a ban needs "
        f"{thresholds.score_min_kinds}",
        "infrastructure": pd.Series("no shared card, network, device or disposable domain counts", index=scored.index),
        "behaviour": "neither a shared template family nor harvest counts (output " + ratio + "x the median active "
        "account)",
        "score": "score " + score + f", a ban needs {thresholds.score_ban_threshold:g}",
    }
    text = pd.Series("", index=scored.index)
    for name, sentence in says.items():
        failed = ~conditions[name]
        text = text.where(~failed, text + "; " + sentence)
    shared = scored["campaign_shared_kinds"].astype(float).fillna(0).astype(int).astype(str)
    short = scored["respawn"] & scored["campaign_id"].notna() & ~_campaign_infrastructure(scored, thresholds)
    text = text.where(~short, text + "; it shares new infrastructure of " + shared + " kind(s) with the campaign's "
                      f"other new accounts, a respawn's ban needs {thresholds.score_respawn_min_kinds}")  # fmt: skip
    reuse_short = scored["respawn"] & scored["banned"] & ~_one_kind_short(scored, thresholds)
    text = text.where(~reuse_short, text + "; it reuses a banned network's values with " + kinds + " kind(s) of "
                      f"evidence of its own, a respawn's ban needs {thresholds.score_min_kinds - 1}")  # fmt: skip
    return text.str.removeprefix("; ").where(scored["decision"] != "ban", "")


def banned_network_values(best: pd.DataFrame, ban: pd.Series, thresholds: Thresholds) -> pd.Series:
    """Per account, the values its evidence rests on that tonight's bans mostly use (the share of the value's
    accounts banned reaches ``score_respawn_banned_share``, as a respawn's reused values do), as (kind, value,
    banned, accounts) tuples, kept only where they hold both infrastructure and a template family: the banned
    network's own line and its own template, not a carrier's NAT or a viral prompt that others use as much."""
    rows = best.assign(banned=best["account_id"].map(ban).fillna(False).astype(bool))
    rows["banned_accounts"] = rows.groupby(["kind", "value"])["banned"].transform("sum")
    owned = rows[rows["banned_accounts"] >= thresholds.score_respawn_banned_share * rows["value_accounts"]]
    owned = owned.sort_values(["account_id", "kind", "value"])
    template = (owned["kind"] == "template").groupby(owned["account_id"]).agg(["any", "all"])
    both = template.index[template["any"] & ~template["all"]]
    owned = owned[owned["account_id"].isin(both)]
    values = zip(owned["kind"], owned["value"], owned["banned_accounts"].astype(int),
                 owned["value_accounts"].astype(int), strict=True)  # fmt: skip
    return pd.Series(list(values), index=owned["account_id"], dtype=object).groupby(level=0).agg(list)


def _one_kind_short(scored: pd.DataFrame, thresholds: Thresholds) -> pd.Series:
    """At most one kind of evidence short of a ban: what a review and a respawn's ban need."""
    return scored["kinds"] >= thresholds.score_min_kinds - 1


def _campaign_infrastructure(scored: pd.DataFrame, thresholds: Thresholds) -> pd.Series:
    """A banned campaign's match that shares new infrastructure of enough kinds with its other matchers to be banned
    as its respawn (one kind short: review, :func:`missed` says so)."""
    kinds = scored["campaign_shared_kinds"].astype(float).fillna(0)
    return scored["campaign_id"].notna() & (kinds >= thresholds.score_respawn_min_kinds)


def _kind_table(best: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    table = best.pivot_table(index="account_id", columns="kind", values="strength", aggfunc="max")
    return table.reindex(index=index, columns=list(KINDS)).fillna(0.0)


def score_accounts(
    features: pd.DataFrame,
    best: pd.DataFrame,
    banned_links: pd.DataFrame,
    volume: Volume,
    batch: str,
    thresholds: Thresholds,
    campaign_respawns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per community member: a strength column per kind, ``kinds``, ``score``, ``decision`` and the
    supporting signals. A new account is a respawn when it reuses a banned network's infrastructure
    (``banned_links``) or is a banned campaign's next wave on new infrastructure (``campaign_respawns``,
    :func:`linkage.detect.campaigns.respawns`)."""
    scored = features.set_index("account_id")
    # a share computed from one or two prompts says nothing about a habit: prompt evidence needs some volume
    active = scored["prompt_requests"] >= thresholds.score_min_requests
    strengths = _kind_table(best, scored.index)
    similar = scored["similar_score"].where(scored["similar_in_community"] >= thresholds.score_min_shared - 1, 0.0)
    strengths["template"] = strengths["template"].clip(lower=similar.fillna(0.0)).where(active, 0.0)
    own = harvest_strength(scored["output_tokens"], active, volume, thresholds)
    strengths["harvest"] = group_harvest(own, scored["community"], best)
    scored = scored.join(strengths)
    scored["volume_ratio"] = (scored["output_tokens"] / max(float(np.expm1(volume.median)), 1.0)).round(1)
    scored["cot"] = active & (scored["cot_share"] >= thresholds.score_cot_share)
    scored["burst_size"] = burst_sizes(scored.reset_index(), thresholds.score_burst_hours).to_numpy()
    scored["burst"] = scored["burst_size"] >= thresholds.score_burst_min
    scored = scored.join(respawn_kinds(banned_links, thresholds))
    scored["respawn_kinds"] = scored["respawn_kinds"].fillna(0).astype(int)
    scored["banned"] = scored["respawn_kinds"] >= thresholds.score_respawn_min_kinds
    none = pd.DataFrame(columns=RESPAWN_COLUMNS)
    campaign = (campaign_respawns if campaign_respawns is not None else none).set_index("account_id")
    scored = scored.join(campaign.rename(columns=lambda c: c if c == "campaign_id" else f"campaign_{c}"))
    scored["community_size"] = scored.groupby("community")["community"].transform("size")

    counted = strengths >= thresholds.score_min_weight
    scored["kinds"] = counted.sum(axis=1)
    scored["score"] = (1.0 - (1.0 - strengths).prod(axis=1)).round(3)
    conditions = ban_conditions(scored, counted, thresholds)
    ban = conditions.all(axis=1)
    first_night = scored["first_batch"] == batch
    scored["respawn"] = first_night & (scored["banned"] | scored["campaign_id"].notna())
    has_behaviour = conditions["behaviour"]
    near = _one_kind_short(scored, thresholds)
    # a banned network's values reused stand in for one kind of evidence, never for more: a student whose campus
    # /24 a farm used and who sends the farm's homework-like template shows one kind of its own
    reuses = scored["banned"] & near
    ban |= first_night & (reuses | _campaign_infrastructure(scored, thresholds)) & has_behaviour
    # one step short of a ban, never further: corroborated infrastructure and behaviour in a community a ban would
    # take, one kind short at most, at a score that would nearly do: a review. (A class on one campus IP with one
    # homework template is two such kinds, but a class shares its own domain and address: one customer, whose
    # homework weighs nothing between its students, linkage/detect/evidence.py.)
    short = (
        ~ban
        & conditions[["cluster", "infrastructure", "behaviour"]].all(axis=1)
        & near
        & (scored["score"] >= thresholds.score_review_threshold)
    )
    # ... unless what it shares is the banned network's own line and template and it signed up with that network:
    # a light member of a farm tonight's bans take, whose own volume is too low to count as harvest
    owned = banned_network_values(best, ban, thresholds).reindex(scored.index)
    joins = short & scored["burst"] & owned.notna()
    scored["network_values"] = owned.where(joins)  # its reason: only where it is why the account is banned
    ban |= joins
    review = short & ~joins
    # a respawn one step short: it reuses a banned network's cards and IPs without behaviour yet, or it matches a
    # banned campaign on new infrastructure of one kind and harvests (a class that asks what a farm asked shares
    # its venue's line too, but harvests nothing: no harm to weigh, no review)
    review |= ~ban & scored["respawn"] & (scored["banned"] | counted["harvest"])
    decision = np.select([ban, review], ["ban", "review"], default="")
    decision = np.where(scored["previous_decision"].eq("ban"), "ban", decision)  # a ban stands once acted on
    # the allowlist always wins; accounts the batch already lists as banned need no new decision
    scored["decision"] = np.where(scored["allowlisted"] | scored["banned_in_batch"], "", decision)
    scored["missed"] = missed(scored, conditions, thresholds)
    return scored.reset_index()


def join_banned_networks(scored: pd.DataFrame, matches: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Tonight's decisions with the undecided and reviewed members of a network banned tonight added (``matches``:
    :func:`linkage.detect.campaigns.respawns` of tonight's signatures with its banned accounts as partners, its
    ``campaign_id`` the network's community). A member in the network's community that shares the banned accounts'
    infrastructure of as many kinds as a respawn's ban needs, or is one kind short of a ban on its own evidence, and
    shows behaviour (a template family or harvest), is banned with it: the evidence that bans the network's next wave
    tomorrow bans it tonight. Neither, and harvesting: a review that says so; a review keeps its own reason. The
    ``member_*`` columns hold the match where it decides."""
    scored = scored.set_index("account_id")
    found = matches.set_index("account_id").reindex(scored.index)
    open_ = scored["decision"].isin(["", "review"]) & ~scored["allowlisted"] & ~scored["banned_in_batch"]
    found = found[open_ & found["campaign_id"].eq(scored["community"])]
    mine = scored.loc[found.index]
    counted = mine[list(BEHAVIOUR)] >= thresholds.score_min_weight
    kinds = found["shared_kinds"].astype(int)
    # as a banned network's reused values do, the match stands in for one kind of evidence, never more
    enough = (kinds >= thresholds.score_respawn_min_kinds) | _one_kind_short(mine, thresholds)
    ban = counted.any(axis=1) & enough
    review = ~ban & counted["harvest"] & mine["decision"].eq("")
    decided = found[ban | review]
    for column in ("signature", "habit", "shared", "shared_with", "shared_kinds"):
        scored[f"member_{column}"] = decided[column].reindex(scored.index)
    scored.loc[ban[ban].index, ["decision", "missed"]] = ["ban", ""]
    short = review[review].index
    scored.loc[short, "decision"] = "review"
    scored.loc[short, "missed"] = (
        "it matches the signature of a network banned tonight, shares its infrastructure of "
        + kinds[short].astype(str) + f" kind(s) (its ban needs {thresholds.score_respawn_min_kinds}) and shows "
        + mine.loc[short, "kinds"].astype(int).astype(str) + " kind(s) of evidence of its own (or "
        f"{thresholds.score_min_kinds - 1})"
    )  # fmt: skip
    return scored.reset_index()


def reports_per_account(reported: pd.DataFrame) -> pd.Series:
    """Per account, the partner reports that name a value it uses, most confident first, each a (report_id, report,
    source, confidence, [(kind, value), ...]) tuple."""
    rows = reported.sort_values(["account_id", "confidence", "report_id", "kind", "value"],
                                ascending=[True, False, True, True, True])  # fmt: skip
    rows = rows.assign(
        pair=pd.Series(list(zip(rows["kind"], rows["value"], strict=True)), index=rows.index, dtype=object)
    )
    reports = rows.groupby(["account_id", "report_id"], sort=False).agg(
        report=("report", "first"),
        source=("source", "first"),
        confidence=("confidence", "first"),
        values=("pair", list),
    )
    records = reports.reset_index(level="report_id")[["report_id", "report", "source", "confidence", "values"]]
    found = pd.Series(list(records.itertuples(index=False, name=None)), index=records.index, dtype=object)
    return found.groupby(level=0, sort=False).agg(list)


def join_partner_reports(scored: pd.DataFrame, reported: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Tonight's decisions with partners' reports (``reported``: :data:`REPORTED_COLUMNS`) as leads. A report is
    another lab's finding on its own graph, which this one cannot check: shared signals are leads, not proof. So it
    is never a kind of evidence and never bans: an undecided account whose own evidence is one kind short of a ban
    (what a review needs of it) and that uses a value a partner reported goes to review, and what it missed says a
    ban needs its own evidence; an account with less of its own, or only the report, keeps no decision. Every
    decided account that uses a reported value gets the reports in ``partner_reports`` (its reason names the partner
    and the report); the allowlist and a batch's own bans are left alone."""
    scored = scored.set_index("account_id")
    found = reports_per_account(reported[reported["account_id"].isin(scored.index)]).reindex(scored.index)
    open_ = scored["decision"].eq("") & ~scored["allowlisted"] & ~scored["banned_in_batch"]
    lead = open_ & found.notna() & _one_kind_short(scored, thresholds)
    scored.loc[lead, "decision"] = "review"
    scored.loc[lead, "missed"] = (
        scored.loc[lead, "missed"] + "; a partner's report is a lead, never a kind of evidence: a ban needs "
        f"{thresholds.score_min_kinds} kinds of its own"
    ).str.removeprefix("; ")
    scored["partner_reports"] = found.where(scored["decision"].ne(""))
    scored["partner_lead"] = lead
    return scored.reset_index()
