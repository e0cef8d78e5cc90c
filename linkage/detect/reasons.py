"""Readable reasons with the numbers behind them: what trust & safety reads before acting on a ban, and what a
cluster's row in clusters.csv says (derived from its members' evidence, so a cluster never reads weaker than the
bans it holds)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd
from pydantic import BaseModel

from linkage.detect.scoring import KINDS
from linkage.settings import Thresholds
from linkage.similarity.segments import is_segment
from linkage.vocabulary import EVIDENCE_LABELS

POOL_NAMES = {
    "payment": "payment methods",
    "network": "IPs and subnets",
    "device": "devices",
    "email": "disposable e-mail domains",
}


def value_name(kind: str, value: str) -> str:
    """What a value is, in words: an IP and a subnet are one kind of evidence but not one thing, nor are a whole
    template and a segment of a prompt."""
    if kind == "network":
        return "subnet" if "/" in value else "IP"
    if kind == "template" and is_segment(value):
        return "prompt segment"
    return EVIDENCE_LABELS.get(kind, kind)


class Reason(BaseModel):
    """One reason for machines beside its sentence for people: what kind of evidence, the value it concerns, the
    other members of the cluster that share it, the accounts that use it in all, its strength (0 to 1), and for a
    pool of values how many of the account's own it holds (``values``; ``value``, ``total`` and ``weight`` are then
    its strongest, ``members`` the accounts the pool links); for a respawn of a banned network, how many of that
    network's values it reuses (``values``; its sentence names them)."""

    kind: str
    value: str | None = None
    members: int | None = None
    total: int | None = None
    weight: float | None = None
    values: int | None = None
    sentence: str


def _strength(value: object) -> float:
    return round(float(value), 3)  # type: ignore[arg-type]


def evidence_reasons(best: pd.DataFrame, clusters: Mapping[str, str]) -> dict[str, list[Reason]]:
    """Per account of ``best`` (:data:`linkage.detect.scoring.BEST_COLUMNS`), one reason per kind of shared value,
    strongest first: the value (or the pool of values), how many of its cluster (``clusters``: account -> cluster
    id) share it, how many use it in all, and how well its sharing is corroborated. One pass over every account: a
    frame per account costs a millisecond, and a night at a million accounts bans a hundred thousand."""
    ordered = best.sort_values(["account_id", "strength", "kind"], ascending=[True, False, True])
    found: dict[str, list[Reason]] = {}
    for row in ordered.to_dict("records"):
        found.setdefault(row["account_id"], []).append(_evidence_reason(row, clusters[row["account_id"]]))
    return found


def _evidence_reason(row: Mapping[Hashable, Any], cluster_id: str) -> Reason:
    kind, value, pooled = str(row["kind"]), str(row["value"]), int(row["pooled_values"])
    others, total = int(row["shared_in_community"]) - 1, int(row["value_accounts"])
    named = f"{value_name(kind, value)} {value}"
    sentence = (
        f"is linked to {others:,} accounts of cluster {cluster_id} by a pool of {POOL_NAMES[kind]} each of "
        f"which only a few of them share ({pooled:,} of its own; strongest: {named}, {total:,} accounts use it "
        f"in all; evidence {row['strength']:.2f})"
        if pooled
        else f"shares {named} with {others:,} accounts of cluster {cluster_id} ({total:,} accounts use it in "
        f"all; evidence {row['strength']:.2f})"
    )
    return Reason(kind=kind, value=value, members=others, total=total, weight=_strength(row["strength"]),
                  values=pooled or None, sentence=sentence)  # fmt: skip


def _listed(values: list[str], shown: int = 3, kind: str | None = None) -> str:
    """The first ``shown`` values (named as ``kind`` values when given) and how many more."""
    named = ", ".join(f"{value_name(kind, value)} {value}" if kind else value for value in values[:shown])
    return named + (f" and {len(values) - shown} more" if len(values) > shown else "")


def _campaign_reason(row: Mapping[Hashable, Any]) -> Reason:
    """A banned campaign's respawn on new infrastructure: the campaign, the parts of its signature the account
    matches, and the new values it shares with the campaign's other new accounts."""
    others = int(row["campaign_shared_with"])
    return Reason(kind="respawn", value=str(row["campaign_id"]), members=others, sentence=(
        f"new account on its first night matching banned campaign {row['campaign_id']}: it sends "
        f"{_listed(list(row['campaign_signature']), kind='template')} (mostly sent by the campaign's banned accounts) "
        f"with the campaign's habit ({row['campaign_habit']}), and shares new infrastructure "
        f"({_listed(list(row['campaign_shared']))}) with {others:,} other accounts that match it"))  # fmt: skip


def _member_reason(row: Mapping[Hashable, Any], cluster_id: str) -> Reason:
    """A member of a network banned tonight, undecided or in review, that matches its signature as its respawn would
    tomorrow."""
    others = int(row["member_shared_with"])
    return Reason(kind="network_signature", value=cluster_id, members=others, sentence=(
        f"matches the signature of cluster {cluster_id}, banned tonight: it sends "
        f"{_listed(list(row['member_signature']), kind='template')} (mostly sent by the cluster's banned accounts) "
        f"with the cluster's habit ({row['member_habit']}), and shares infrastructure "
        f"({_listed(list(row['member_shared']))}) of {int(row['member_shared_kinds'])} kind(s) with {others:,} of "
        "its banned accounts"))  # fmt: skip


def _network_reason(values: list[tuple[str, str, int, int]]) -> Reason:
    """A light member of a network banned tonight: the values it shares that the network's bans mostly use."""
    named = ", ".join(f"{value_name(kind, value)} {value} ({banned:,} of its {total:,} accounts banned)"
                      for kind, value, banned, total in values[:4])  # fmt: skip
    more = f" and {len(values) - 4} more" if len(values) > 4 else ""
    return Reason(kind="banned_network", values=len(values), sentence=(
        f"shares the values of a network banned tonight, which its bans mostly use: {named}{more}; and signed up "
        "with it"))  # fmt: skip


def _partner_reason(report: tuple[str, str | None, str | None, float | None, list[tuple[str, str]]]) -> Reason:
    """A partner's report that names values the account uses: the partner (its identity's name), the report (its
    campaign's name and STIX id), its confidence, and the values; a lead, never a kind of evidence."""
    report_id, name, source, confidence, values = report
    sure = f", confidence {int(confidence)}" if confidence is not None and pd.notna(confidence) else ""
    return Reason(kind="partner_report", value=report_id, values=len(values), sentence=(
        f"reported by {f'partner {source}' if source else 'an unnamed partner'} in {name or 'a report'} "
        f"({report_id}{sure}): it uses "
        f"{_listed([f'{value_name(kind, value)} {value}' for kind, value in values], shown=4)}"))  # fmt: skip


def account_reasons(row: Mapping[Hashable, Any], evidence: list[Reason], thresholds: Thresholds) -> list[Reason]:
    """The reasons of one account (``row``: its scored record; ``evidence``: the reasons of its shared values,
    :func:`evidence_reasons`), most telling first; their sentences joined by '; ' are banlist.csv's reasons."""
    found = [Reason(kind="collateral", sentence=row["held"])] if isinstance(row["held"], str) else []
    banned_cluster = str(row["banned_cluster"]) if isinstance(row["banned_cluster"], str) else None
    if row["respawn"] and isinstance(row["campaign_id"], str):
        found.append(_campaign_reason(row))
    elif row["respawn"]:
        reused = row["respawn_values"] if isinstance(row["respawn_values"], list) else []
        named = ", ".join(f"{value_name(kind, value)} {value}" for kind, value in reused[:4])
        more = f" and {len(reused) - 4} more" if len(reused) > 4 else ""
        found.append(Reason(kind="respawn", value=banned_cluster, values=len(reused), sentence=(
            f"new account on its first night reusing {int(row['respawn_kinds'])} kinds of infrastructure of banned "
            f"cluster {banned_cluster or 'unknown'}: {named}{more}")))  # fmt: skip
    if isinstance(row["network_values"], list):
        found.append(_network_reason(row["network_values"]))
    if isinstance(row["member_signature"], list):
        found.append(_member_reason(row, str(row["cluster_id"])))
    if isinstance(row["partner_reports"], list):
        found += [_partner_reason(report) for report in row["partner_reports"]]
    found += evidence
    if row["harvest"] >= thresholds.score_min_weight:
        found.append(Reason(kind="harvest", value=str(int(row["output_tokens"])), weight=_strength(row["harvest"]),
                            sentence=f"{int(row['prompt_requests']):,} requests for {int(row['output_tokens']):,} "
                            f"output tokens, {row['volume_ratio']:g}x the median active account (evidence "
                            f"{row['harvest']:.2f})"))  # fmt: skip
    if row["similar_in_community"] > 0:
        similar = int(row["similar_in_community"])
        found.append(Reason(kind="similar_prompts", members=similar,
                            sentence=f"sends near-duplicate prompts to {similar:,} cluster members"))  # fmt: skip
    if row["cot"]:
        found.append(Reason(kind="chain_of_thought", weight=_strength(row["cot_share"]), sentence=(
            f"{row['cot_share']:.0%} of its prompts ask for step-by-step reasoning in known wording")))  # fmt: skip
    if row["burst"]:
        burst = int(row["burst_size"])
        found.append(Reason(kind="burst", members=burst, sentence=(
            f"created within {thresholds.score_burst_hours:g} h of {burst:,} cluster members")))  # fmt: skip
    if row["banned"] and not row["respawn"]:
        found.append(Reason(kind="banned_infrastructure", value=banned_cluster, sentence=(
            f"shares infrastructure with banned cluster {banned_cluster or 'accounts'}")))  # fmt: skip
    found.append(Reason(kind="score", weight=_strength(row["score"]), sentence=(
        f"{int(row['kinds'])} independent kinds of evidence, score {row['score']:.2f}")))  # fmt: skip
    return found


def cluster_rows(
    scored: pd.DataFrame, assigned: pd.DataFrame, first_seen: pd.Series, run_id: str, thresholds: Thresholds
) -> pd.DataFrame:
    """clusters.csv: its bans and reviews, the size of its whole community, score and signals of the members that
    carry its decisions (its bans, or else its reviews: not the innocent accounts a community also holds), first
    run, tonight's event."""
    ranked = scored.assign(rank=scored["decision"].map({"ban": 0, "review": 1}))
    decided = pd.crosstab(ranked["community"], ranked["decision"]).reindex(columns=["ban", "review"], fill_value=0)
    leading = ranked.dropna(subset=["rank"])
    leading = leading[leading["rank"] == leading.groupby("community")["rank"].transform("min")]
    by_community = leading.groupby("community")
    shown = (leading[list(KINDS)] >= thresholds.score_min_weight).groupby(leading["community"]).mean()
    rows = assigned.set_index("community").join(by_community["score"].median().round(3).rename("score"))
    rows["signals"] = [",".join(k for k in KINDS if shown.loc[c, k] >= 0.5) for c in rows.index]
    rows["first_seen_run"] = [first_seen.get(cluster_id, run_id) for cluster_id in rows["cluster_id"]]
    counts = decided.reindex(rows.index, fill_value=0).rename(columns={"ban": "bans", "review": "reviews"})
    rows["size"] = scored.groupby("community").size().reindex(rows.index).astype(int)
    return rows.join(counts.astype(int)).reset_index()
