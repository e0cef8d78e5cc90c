"""Synthetic nightly prompt traffic for the similarity benchmarks (about 300 characters a prompt on average).

The mix mirrors what the stage must separate: chain-of-thought templates slot-filled with a curriculum of
questions (each family in a few paraphrased variants, sent by a tight group of accounts), one popular tool's
fixed system prompt sent by thousands of unrelated accounts, and diverse benign prompts.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

_COT_OPENINGS = [
    "Think step by step and show all of your reasoning before the final answer.",
    "Let's think through this carefully, step by step, and explain every step of your reasoning.",
    "Reason step by step. Write out your full chain of thought, then give the answer on the last line.",
    "Show all of your work and reasoning in detail, one step at a time, before answering.",
]
_COT_CLOSINGS = [
    "Finally, state the answer clearly and double check each step.",
    "At the end, give the final answer in the form: Answer: <value>.",
    "Be thorough and verify your reasoning before you conclude.",
]
_TOOL_PROMPT = (
    "You are CodePilot, an AI coding assistant inside the editor. Follow the user's instructions carefully. "
    "Answer with code in fenced blocks, keep explanations short, never invent APIs, and ask when unsure. "
    "Current file: {file}. User request: {req}"
)


def _vocabulary(rng: np.random.Generator, size: int) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(3, 10, size=size)
    return np.array(["".join(rng.choice(letters, n)) for n in lengths])


class PromptGenerator:
    """Deterministic generator of prompt rows (account_id, request_id, ts, prompt, model, tokens)."""

    def __init__(self, seed: int = 7, accounts: int = 50_000, families: int = 60) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = _vocabulary(self.rng, 6_000)
        zipf = 1.0 / np.arange(1, len(self.vocab) + 1) ** 1.05
        self.word_p = zipf / zipf.sum()
        self.accounts = accounts
        self.families = [self._family(i) for i in range(families)]
        # each family is sent by its own tight group of 10-120 accounts (the distillers); the rest are benign
        sizes = self.rng.integers(10, 120, size=families)
        self.benign_accounts = accounts - int(sizes.sum())
        if self.benign_accounts < 100:
            raise ValueError("too few accounts for the template families")
        bounds = self.benign_accounts + np.concatenate([[0], np.cumsum(sizes)])
        self.family_accounts = [np.arange(bounds[i], bounds[i + 1]) for i in range(families)]
        self.serial = 0

    def _family(self, index: int) -> list[str]:
        """A template family: 2-4 paraphrased variants of one instruction wrapped around a question slot."""
        topic = " ".join(self.rng.choice(self.vocab[:3000], 12))
        opening = _COT_OPENINGS[index % len(_COT_OPENINGS)]
        closing = _COT_CLOSINGS[index % len(_COT_CLOSINGS)]
        persona = " ".join(self.rng.choice(self.vocab[:3000], 10))
        base = f"{opening} You are {persona}, an expert tutor in {topic}. Question: {{q}} {closing}"
        variants = [base]
        for _ in range(int(self.rng.integers(1, 4))):
            words = base.split(" ")
            swap = self.rng.choice(len(words) - 1, 2, replace=False)  # a light paraphrase: a few words changed
            for i in swap:
                if "{q}" not in words[i]:
                    words[i] = str(self.rng.choice(self.vocab[:2000]))
            variants.append(" ".join(words))
        return variants

    def _word_stream(self, total: int) -> list[str]:
        """``total`` Zipf-distributed words drawn at once (one vectorised draw instead of one per prompt)."""
        return self.vocab[self.rng.choice(len(self.vocab), size=total, p=self.word_p)].tolist()

    def prompts(self, n: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """n prompts with their account index and kind (0 benign, 1 tool, 2 template family); the template family
        of each prompt is left in ``self.sources`` (-1 tool, -2 benign)."""
        rng = self.rng
        kinds = rng.choice(3, size=n, p=[0.45, 0.15, 0.40])
        accounts = rng.integers(0, self.benign_accounts, size=n)
        lengths = np.where(kinds == 0, rng.integers(12, 46, n), np.where(kinds == 1, 8, rng.integers(6, 14, n)))
        words = self._word_stream(int(lengths.sum()))
        ends = np.cumsum(lengths).tolist()
        numbers = rng.integers(2, 999, size=(n, 2)).tolist()
        family = rng.integers(len(self.families), size=n).tolist()
        variant = rng.integers(0, 1 << 30, size=n).tolist()
        member = rng.integers(0, 1 << 30, size=n).tolist()
        files = rng.integers(len(self.vocab), size=n).tolist()
        texts: list[str] = []
        self.sources = np.where(kinds == 1, -1, -2)
        start = 0
        for i, kind in enumerate(kinds.tolist()):
            chunk = " ".join(words[start : ends[i]])
            start = ends[i]
            if kind == 0:
                texts.append(chunk)
            elif kind == 1:
                texts.append(_TOOL_PROMPT.format(file=f"src/{self.vocab[files[i]]}.py", req=chunk))
            else:
                f = family[i]
                self.sources[i] = f
                variants = self.families[f]
                question = f"{chunk} {numbers[i][0]} and {numbers[i][1]}?"
                texts.append(variants[variant[i] % len(variants)].replace("{q}", question))
                group = self.family_accounts[f]
                accounts[i] = group[member[i] % len(group)]
        return texts, accounts, kinds

    def frame(self, n: int) -> pd.DataFrame:
        texts, accounts, _ = self.prompts(n)
        start = self.serial
        self.serial += n
        ts = pd.Timestamp("2026-11-23T00:00:00Z") + pd.to_timedelta(np.sort(self.rng.integers(0, 86_400, n)), "s")
        return pd.DataFrame(
            {
                "account_id": [f"acct-{a:07d}" for a in accounts],
                "request_id": [f"req-{i:09d}" for i in range(start, start + n)],
                "ts": ts,
                "prompt": texts,
                "model": "model-large",
                "input_tokens": np.array([len(t) // 4 for t in texts], dtype=np.int64),
                "output_tokens": self.rng.integers(50, 2_000, n),
            }
        )

    def chunks(self, total: int, chunk: int = 100_000) -> Iterator[pd.DataFrame]:
        done = 0
        while done < total:
            size = min(chunk, total - done)
            yield self.frame(size)
            done += size
