"""Prompt similarity: near-duplicate template families, rarity-weighted account links and per-account prompt
features, from a night's prompts (normalise -> minhash -> families -> links / features -> stage)."""

from linkage.similarity.analyse import Analysis, analyse
from linkage.similarity.stage import SimilarityResult, run_similarity

__all__ = ["Analysis", "SimilarityResult", "analyse", "run_similarity"]
