"""The formats a ban list is written in and the engines prompt similarity runs on (light: the CLI's help lists
them without loading the pipeline)."""

from typing import Literal

BanlistFormat = Literal["csv", "json", "parquet"]

SimilarityEngine = Literal["local", "spark"]
