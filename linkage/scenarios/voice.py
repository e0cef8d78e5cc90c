"""How a chunk's members write: the fixed scenario's English prompts, or, in a randomised scenario, each member's
language with templates from the paraphrase grammar.

Builders ask the voice for text and never check the mode themselves. Without languages the voice calls the fixed
scenario's makers with the very same draws, so fixed scenarios stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.scenarios import grammar, languages, prompts
from linkage.scenarios.languages import CODES
from linkage.scenarios.values import concat, pick


@dataclass(frozen=True)
class Voice:
    """``codes``: each member's language (an index into ``CODES``), or None for the fixed scenario."""

    codes: np.ndarray | None

    @property
    def language(self) -> str:
        """The group's language (groups with one language: farms, classes, orgs)."""
        return "en" if self.codes is None else CODES[int(self.codes[0])]

    def benign(self, rng: np.random.Generator, rows: np.ndarray, cot_share: float = 0.03) -> pa.Array:
        """Everyday requests of the members at ``rows``."""
        if self.codes is None:
            return prompts.benign(rng, len(rows), cot_share)
        return languages.benign(rng, self.codes[rows], cot_share)

    def tool(self, rng: np.random.Generator, rows: np.ndarray) -> pa.Array:
        """The coding tool's fixed (English) template around each member's own request."""
        if self.codes is None:
            return prompts.tool(rng, len(rows))
        codes = self.codes[rows]
        return prompts.tool(rng, len(rows), lambda: languages.benign(rng, codes, 0.0))

    def cot_family(
        self, rng: np.random.Generator, family_id: str, paraphrases: int, heavy: bool = False
    ) -> prompts.Family:
        if self.codes is None:
            return prompts.cot_family(rng, family_id, paraphrases, heavy)
        return grammar.cot_family(rng, self.language, family_id, paraphrases, heavy)

    def templated(
        self, rng: np.random.Generator, families: list[prompts.Family], family_of_row: np.ndarray
    ) -> pa.Array:
        """Prompts of the families, slot-filled with curriculum questions in the group's language."""
        if self.codes is None:
            return prompts.cot(rng, families, family_of_row)
        return prompts.cot(rng, families, family_of_row, partial(languages.curriculum, code=self.language))

    def org_templates(self, rng: np.random.Generator, org_word: str) -> list[str]:
        if self.codes is None:
            return prompts.org_templates(rng, org_word)
        return grammar.org_templates(rng, self.language, org_word)

    def enterprise(self, rng: np.random.Generator, rows: np.ndarray, templates: list[str]) -> pa.Array:
        """An org's internal templates (30% of its requests) mixed with its staff's own requests."""
        if self.codes is None:
            return prompts.enterprise(rng, len(rows), templates)
        codes = self.codes[rows]
        templated = rng.random(len(rows)) < 0.3
        heads = pick(templates, rng.integers(0, len(templates), len(rows)))
        return pc.if_else(pa.array(templated), languages.with_topic(rng, codes, heads), self.benign(rng, rows))

    def homework(self, rng: np.random.Generator, family_id: str) -> prompts.Family:
        """A class's one homework template, which asks for the steps (randomised scenarios)."""
        return prompts.Family(family_id, (grammar.homework_template(rng, self.language),))

    def paraphrased(
        self, rng: np.random.Generator, n: int, frames: Sequence[int] | None = None, kept: Sequence[str] = ()
    ) -> pa.Array:
        """Curriculum questions (of ``frames``, else of all) each in a chain-of-thought instruction combined afresh,
        with the ``kept`` sentences in every one (randomised scenarios)."""
        questions = languages.curriculum(rng, n, self.language, frames)
        return grammar.paraphrased(rng, self.language, questions, kept)

    def pasted(self, rng: np.random.Generator, rows: np.ndarray, template: str) -> pa.Array:
        """A prompt someone else wrote (its ``{q}`` slot) pasted around each member's own everyday request."""
        head, tail = template.split("{q}")
        return concat(head, self.benign(rng, rows, cot_share=0.0), tail)

    def answer_formats(self, rng: np.random.Generator, count: int) -> tuple[str, ...]:
        return grammar.answer_formats(rng, self.language, count)

    def copy_template(self, rng: np.random.Generator, org: str) -> str:
        return grammar.copy_template(rng, self.language, org)

    def briefed(self, rng: np.random.Generator, rows: np.ndarray, template: str) -> pa.Array:
        """A company's internal template followed by each member's brief (topic words in the member's language)."""
        codes = np.zeros(len(rows), dtype=np.int64) if self.codes is None else self.codes[rows]
        return languages.with_topic(rng, codes, pick([template], np.zeros(len(rows), dtype=np.int64)))
