"""Readable reasons with the numbers behind them: what trust & safety reads before acting on a ban."""

from __future__ import annotations

import pandas as pd

VALUE_NAMES = {
    "PAID_WITH": "payment method",
    "CONNECTED_FROM": "IP",
    "IN_SUBNET": "subnet",
    "USED_DEVICE": "device",
    "EMAIL_AT": "disposable email domain",
    "USES_TEMPLATE": "prompt template family",
}


def _short(value: str) -> str:
    return value if len(value) <= 16 else value[:14] + "…"


def _link_sentences(links: pd.DataFrame, cluster_id: str) -> list[str]:
    """One sentence per kind of shared value: the most widely shared value of that kind in the cluster."""
    sentences = []
    for signal, group in links.groupby("signal", sort=False):
        top = group.sort_values("shared_in_community", ascending=False).iloc[0]
        more = f" (and {len(group) - 1} more)" if len(group) > 1 else ""
        sentences.append(
            f"shares {VALUE_NAMES.get(str(signal), str(signal))} {_short(str(top['value']))}{more} with "
            f"{int(top['shared_in_community']) - 1:,} accounts of cluster {cluster_id} "
            f"({int(top['value_accounts']):,} accounts use it in all)"
        )
    return sentences


def account_reasons(row: pd.Series, links: pd.DataFrame, cluster_id: str, burst_hours: float) -> str:
    """The reasons of one account, most telling first, joined by '; '."""
    sentences = []
    if row["respawn"]:
        sentences.append(
            f"new account on its first night reusing {int(row['respawn_kinds'])} kinds of infrastructure of banned "
            f"cluster {row['banned_cluster'] or 'unknown'}"
        )
    sentences += _link_sentences(links, cluster_id)
    if row["cot"]:
        sentences.append(
            f"{row['cot_share']:.0%} of its prompts elicit chain-of-thought; its top three template families carry "
            f"{row['template_concentration']:.0%} of its traffic"
        )
    if row["volume"]:
        sentences.append(
            f"{int(row['prompt_requests']):,} requests for {int(row['output_tokens']):,} output tokens, "
            f"{row['volume_ratio']:g}x the median linked account"
        )
    if row["similar_in_community"] > 0:
        sentences.append(f"sends near-duplicate prompts to {int(row['similar_in_community']):,} cluster members")
    if row["burst"]:
        sentences.append(f"created within {burst_hours:g} h of {int(row['burst_size']):,} cluster members")
    if row["banned"] and not row["respawn"]:
        sentences.append(f"shares infrastructure with banned cluster {row['banned_cluster'] or 'accounts'}")
    sentences.append(f"{int(row['kinds'])} independent kinds of evidence, score {row['score']:.2f}")
    return "; ".join(sentences)
