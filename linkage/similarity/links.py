"""Account-account links from shared template families, weighted by rarity and bounded in number.

score(a, b) = sum over shared families f of weight(f) * min(share_a(f), share_b(f)), where share is the part of
the account's requests that went to f. It lies in [0, 1]: two accounts that both send nearly all their traffic to
one rare template score near 1. weight(f) falls from 1 (two accounts) to 0 at ``max_accounts`` accounts on a log
scale, so a popular tool's fixed prompt used by thousands links nobody, and families at or above that size are not
even paired (no quadratic blow-up). Only edges with score >= ``min_score`` that are among the ``top_k`` best of at
least one endpoint are kept: at most ``top_k`` edges per account are added.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_PAIR_BLOCK = 5_000_000  # candidate pairs materialised at once


def family_weight(accounts: np.ndarray | pd.Series, max_accounts: int) -> np.ndarray:
    """Rarity weight of a family used by ``accounts`` distinct accounts: 1 at 2 accounts, 0 at ``max_accounts``."""
    n = np.maximum(np.asarray(accounts, dtype=np.float64), 2.0)
    span = np.log(max_accounts / 2.0) if max_accounts > 2 else 1.0
    return np.clip(np.log(max_accounts / n) / span, 0.0, 1.0)


def account_links(
    usage: pd.DataFrame, weights: pd.Series, *, min_score: float, top_k: int, evidence: int = 5
) -> pd.DataFrame:
    """Edges (account_a < account_b, score, families) from ``usage`` rows (account, family, share).

    ``weights`` maps family -> rarity weight; families weighing 0 are skipped. ``families`` lists the shared
    families that contribute most to the score, strongest first (at most ``evidence``).
    """
    columns = ["account_a", "account_b", "score", "families"]
    usage = usage[usage["family"].map(weights).fillna(0.0) > 0.0]
    if usage.empty:
        return pd.DataFrame(columns=columns)
    partials = [_pair_block(usage[usage["family"].isin(block)], weights) for block in _family_blocks(usage)]
    pairs = pd.concat(partials, ignore_index=True)
    edges = pairs.groupby(["account_a", "account_b"], sort=False)["contribution"].sum().rename("score").reset_index()
    edges = _top_k(edges[edges["score"] >= min_score], top_k).reset_index(drop=True)
    edges["families"] = pd.Series(_evidence(pairs, edges, evidence), index=edges.index, dtype=object)
    return edges[columns]


def _evidence(pairs: pd.DataFrame, edges: pd.DataFrame, evidence: int) -> list[list[object]]:
    """For each kept edge, its shared families by contribution, strongest first (vectorised: no Python per pair)."""
    kept = pairs.merge(edges[["account_a", "account_b"]].reset_index(names="edge"), on=["account_a", "account_b"])
    kept = kept.sort_values(["edge", "contribution"], ascending=[True, False])
    kept = kept[kept.groupby("edge").cumcount() < evidence]
    bounds = np.searchsorted(kept["edge"].to_numpy(), np.arange(1, len(edges)))
    return [part.tolist() for part in np.split(kept["family"].to_numpy(), bounds)] if len(edges) else []


def _family_blocks(usage: pd.DataFrame) -> list[np.ndarray]:
    """Families grouped so that each group yields at most about ``_PAIR_BLOCK`` candidate pairs."""
    sizes = usage.groupby("family").size()
    pair_counts = (sizes * (sizes - 1) // 2).sort_index()
    block_of = (pair_counts.cumsum() // _PAIR_BLOCK).to_numpy()
    families = pair_counts.index.to_numpy()
    return [families[block_of == b] for b in np.unique(block_of)]


def _pair_block(usage: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """All account pairs of these families with each family's contribution to their score."""
    left = usage[["family", "account", "share"]]
    pairs = left.merge(left, on="family", suffixes=("_a", "_b"))
    pairs = pairs[pairs["account_a"] < pairs["account_b"]]
    contribution = np.minimum(pairs["share_a"], pairs["share_b"]) * pairs["family"].map(weights)
    return pd.DataFrame(
        {
            "account_a": pairs["account_a"].to_numpy(),
            "account_b": pairs["account_b"].to_numpy(),
            "family": pairs["family"].to_numpy(),
            "contribution": contribution.to_numpy(),
        }
    )


def _top_k(edges: pd.DataFrame, top_k: int) -> pd.DataFrame:
    """Keep an edge when it ranks among the ``top_k`` strongest of either endpoint (ties broken by the other id)."""
    if edges.empty:
        return edges
    ends = pd.concat(
        [
            pd.DataFrame({"edge": edges.index, "account": edges["account_a"], "other": edges["account_b"]}),
            pd.DataFrame({"edge": edges.index, "account": edges["account_b"], "other": edges["account_a"]}),
        ]
    )
    ends = ends.reset_index(drop=True)
    ends["score"] = edges.loc[ends["edge"], "score"].to_numpy()
    ends = ends.sort_values(["account", "score", "other"], ascending=[True, False, True])
    ranked = ends.groupby("account", sort=False).cumcount() < top_k
    return edges.loc[np.unique(ends.loc[ranked.to_numpy(), "edge"].to_numpy())]
