"""Readable reasons with the numbers behind them: what trust & safety reads before acting on a ban, and what a
cluster's row in clusters.csv says (derived from its members' evidence, so a cluster never reads weaker than the
bans it holds)."""

from __future__ import annotations

import pandas as pd

from linkage.detect.scoring import KINDS
from linkage.settings import Settings

KIND_NAMES = {
    "payment": "payment method",
    "device": "device",
    "email": "disposable e-mail domain",
    "template": "prompt template family",
}


def value_name(kind: str, value: str) -> str:
    """What a value is, in words: an IP and a subnet are one kind of evidence but not one thing."""
    if kind == "network":
        return "subnet" if "/" in value else "IP"
    return KIND_NAMES.get(kind, kind)


def _evidence_sentences(best: pd.DataFrame, cluster_id: str) -> list[str]:
    """One sentence per kind of shared value, strongest first: the value, how many of the cluster share it, how
    many use it in all, and how well its sharing is corroborated."""
    return [
        f"shares {value_name(str(row['kind']), str(row['value']))} {row['value']} with "
        f"{int(row['shared_in_community']) - 1:,} accounts of cluster {cluster_id} ({int(row['value_accounts']):,} "
        f"accounts use it in all; evidence {row['strength']:.2f})"
        for row in best.sort_values(["strength", "kind"], ascending=[False, True]).to_dict("records")
    ]


def account_reasons(row: pd.Series, best: pd.DataFrame, cluster_id: str, settings: Settings) -> str:
    """The reasons of one account, most telling first, joined by '; '."""
    sentences = []
    if row["respawn"]:
        sentences.append(
            f"new account on its first night reusing {int(row['respawn_kinds'])} kinds of infrastructure of banned "
            f"cluster {row['banned_cluster'] or 'unknown'}"
        )
    sentences += _evidence_sentences(best, cluster_id)
    if row["harvest"] >= settings.score_min_weight:
        sentences.append(
            f"{int(row['prompt_requests']):,} requests for {int(row['output_tokens']):,} output tokens, "
            f"{row['volume_ratio']:g}x the median active account (evidence {row['harvest']:.2f})"
        )
    if row["similar_in_community"] > 0:
        sentences.append(f"sends near-duplicate prompts to {int(row['similar_in_community']):,} cluster members")
    if row["cot"]:
        sentences.append(f"{row['cot_share']:.0%} of its prompts ask for step-by-step reasoning in known wording")
    if row["burst"]:
        sentences.append(
            f"created within {settings.score_burst_hours:g} h of {int(row['burst_size']):,} cluster members"
        )
    if row["banned"] and not row["respawn"]:
        sentences.append(f"shares infrastructure with banned cluster {row['banned_cluster'] or 'accounts'}")
    sentences.append(f"{int(row['kinds'])} independent kinds of evidence, score {row['score']:.2f}")
    return "; ".join(sentences)


def cluster_rows(
    scored: pd.DataFrame, assigned: pd.DataFrame, first_seen: pd.Series, run_id: str, settings: Settings
) -> pd.DataFrame:
    """clusters.csv: size, score and signals of the members that carry its decisions (its bans, or else its
    reviews: not the innocent accounts a community also holds), first run, tonight's event."""
    ranked = scored.assign(rank=scored["decision"].map({"ban": 0, "review": 1}))
    leading = ranked.dropna(subset=["rank"])
    leading = leading[leading["rank"] == leading.groupby("community")["rank"].transform("min")]
    by_community = leading.groupby("community")
    shown = (leading[list(KINDS)] >= settings.score_min_weight).groupby(leading["community"]).mean()
    rows = assigned.set_index("community").join(by_community["score"].median().round(3).rename("score"))
    rows["signals"] = [",".join(k for k in KINDS if shown.loc[c, k] >= 0.5) for c in rows.index]
    rows["first_seen_run"] = [first_seen.get(cluster_id, run_id) for cluster_id in rows["cluster_id"]]
    return rows.reset_index()
