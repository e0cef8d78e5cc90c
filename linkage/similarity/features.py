"""Per-account prompt features written on Account: volume, output length, chain-of-thought share, how concentrated
the traffic is on few template families, how bursty its timing is and its habit (how it asks: the typical gap
between its requests, output length and prompt length, each to a power of two); and when each account first asked
each model (the graph's ADOPTED relationships, for the synchrony of switching to a new model)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

TOP_FAMILIES = 3


def account_features(
    account: np.ndarray,
    ts: np.ndarray,
    output_tokens: np.ndarray,
    cot: np.ndarray,
    family: np.ndarray,
    lengths: np.ndarray,
    habit_min_requests: int,
) -> pd.DataFrame:
    """One row per account code (index) from per-prompt arrays.

    ``family`` is the prompt's near-duplicate component (-1 for an empty prompt, which counts as its own family).
    prompt_template_concentration is the share of the account's requests in its ``TOP_FAMILIES`` most used families
    (1.0: all its prompts are a few templates; 3/n: all different). A few, not one: a campaign sends its template in
    paraphrased variants, and variants further apart than the similarity threshold are families of their own.
    prompt_burstiness is the coefficient of variation of the gaps between its requests (0 for regular timing, ~1 for
    random, above 1 for bursts); 0.0 below three requests. prompt_habit (from ``habit_min_requests`` requests on,
    else None) is :func:`habits`.
    """
    frame = pd.DataFrame({"account": account, "output": output_tokens, "cot": cot})
    grouped = frame.groupby("account", sort=True)
    out = pd.DataFrame(
        {
            "prompt_requests": grouped.size(),
            "prompt_output_tokens": grouped["output"].sum(),
            "prompt_mean_output_tokens": grouped["output"].mean(),
            "prompt_cot_share": grouped["cot"].mean(),
        }
    )
    out["prompt_template_concentration"] = _concentration(account, family, out["prompt_requests"])
    out["prompt_burstiness"] = _burstiness(account, ts).reindex(out.index, fill_value=0.0)
    habit = habits(account, ts, output_tokens, lengths)
    out["prompt_habit"] = habit.reindex(out.index).where(out["prompt_requests"] >= habit_min_requests, None)
    return out


HABIT = re.compile(r"gap 2\^(-?\d+)s, output 2\^(-?\d+), prompt 2\^(-?\d+)")


def habit_powers(habits: pd.Series) -> pd.DataFrame:
    """The powers of two a habit names (columns gap, output, prompt; NaN where a value is no habit)."""
    powers = habits.astype(str).str.extract(HABIT).astype(float)
    powers.columns = ["gap", "output", "prompt"]
    return powers


def _power_of_two(values: pd.Series) -> pd.Series:
    powers = np.log2(values.astype(np.float64).clip(lower=1.0).to_numpy()).round().astype(np.int64)
    return pd.Series(powers, index=values.index)


def habits(account: np.ndarray, ts: np.ndarray, output_tokens: np.ndarray, lengths: np.ndarray) -> pd.Series:
    """How each account asks, as one value two accounts can share: the median gap between its requests, its median
    output tokens and its median prompt length in characters, each rounded to a power of two (``gap 2^10s, output
    2^11, prompt 2^9``). A farm's scripts ask alike whatever cards and proxies they use tonight; thousands of people
    share each combination too, so a habit only corroborates other sharing (:mod:`linkage.detect.evidence`)."""
    order = np.lexsort((ts, account))
    acc, t = account[order], ts[order].astype(np.float64)
    same = acc[1:] == acc[:-1]
    gaps = pd.Series(np.diff(t)[same]).groupby(acc[1:][same]).median()
    frame = pd.DataFrame({"account": account, "output": output_tokens, "length": lengths})
    typical = frame.groupby("account")[["output", "length"]].median()
    gap, output, length = (_power_of_two(column) for column in (gaps.reindex(typical.index).fillna(0.0),
                                                                typical["output"], typical["length"]))  # fmt: skip
    return "gap 2^" + gap.astype(str) + "s, output 2^" + output.astype(str) + ", prompt 2^" + length.astype(str)


def _concentration(account: np.ndarray, family: np.ndarray, requests: pd.Series) -> pd.Series:
    own = np.where(family < 0, -1 - np.arange(len(family)), family)  # each empty prompt is a family of its own
    counts = pd.DataFrame({"account": account, "family": own}).value_counts()
    top = counts.groupby(level="account").head(TOP_FAMILIES).groupby(level="account").sum()
    return (top / requests).reindex(requests.index, fill_value=0.0)


def _burstiness(account: np.ndarray, ts: np.ndarray) -> pd.Series:
    order = np.lexsort((ts, account))
    acc, t = account[order], ts[order].astype(np.float64)
    same = acc[1:] == acc[:-1]
    gaps = pd.DataFrame({"account": acc[1:][same], "gap": np.diff(t)[same]})
    stats = gaps.groupby("account")["gap"].agg(["mean", "std", "size"])
    cv = (stats["std"] / stats["mean"]).where((stats["size"] >= 2) & (stats["mean"] > 0), 0.0)
    return cv.fillna(0.0)


def model_adoptions(account: np.ndarray, model: np.ndarray, ts: np.ndarray) -> pd.DataFrame:
    """When each account first asked each model: one row per (account code, model code) with ``first_used`` in
    epoch milliseconds, from per-prompt arrays (epoch seconds; model codes below 0 and times below 0 name none)."""
    known = (model >= 0) & (ts >= 0)
    frame = pd.DataFrame({"account_id": account[known], "model": model[known], "first_used": ts[known] * 1000})
    first: pd.DataFrame = frame.groupby(["account_id", "model"], sort=True)["first_used"].min().reset_index()
    return first
