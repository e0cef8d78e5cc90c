"""The similarity stage over a batch's accepted prompts: stream them, compute families/links/features, write them.

Writes TemplateFamily nodes, USES_TEMPLATE and SIMILAR_PROMPTS {source: 'minhash'} relationships, the Account
prompt features and when each account first asked each model (Model nodes, ADOPTED relationships) through
:meth:`Graph.write_rows`. The batch's own ``prompt_similarity`` edges are the loaders' (source 'batch').
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from pydantic import BaseModel

from linkage.errors import LinkageError
from linkage.graph import Graph, WriteCounts, frame_rows
from linkage.nightly.formats import SimilarityEngine
from linkage.settings import Settings
from linkage.similarity import families
from linkage.similarity.analyse import (
    Analysis,
    ChunkSource,
    Engine,
    Progress,
    analyse,
    local_pass1,
    rename_families,
)

SOURCE = "minhash"


class SimilarityResult(BaseModel):
    """What the stage found and wrote (counts only: no prompt text)."""

    batch: str
    prompts: int
    empty_prompts: int
    accounts: int
    near_duplicate_prompts: int
    families: int
    cot_families: int
    segments: int  # habitual segments shared by at least two accounts (TemplateFamily nodes of kind 'segment')
    largest_family_accounts: int
    links: int
    bands: int
    rows: int
    nodes_created: int
    relationships_created: int
    properties_set: int
    seconds: float


def run_similarity(
    graph: Graph,
    settings: Settings,
    prompts: ChunkSource,
    batch: str,
    progress: Progress | None = None,
    engine: Engine = local_pass1,
) -> SimilarityResult:
    """Run the stage over the batch's accepted prompts (``prompts()`` streams them: the loader's spool) and write
    the result to ``graph``; ``engine`` runs pass 1 (:func:`engine_named`)."""
    started = time.perf_counter()
    result = analyse(prompts, settings, progress, engine)
    continue_known_families(graph, result, settings)
    counts = write_analysis(graph, result, batch)
    return summarise(result, counts, batch, time.perf_counter() - started)


@contextmanager
def engine_named(name: SimilarityEngine, settings: Settings) -> Iterator[Engine]:
    """The engine that runs pass 1: this process, or Spark (``settings.spark_master``) for as long as the block
    lasts."""
    if name == "local":
        yield local_pass1
        return
    try:
        from linkage.similarity.spark import SparkPass1, spark_session
    except ModuleNotFoundError as exc:
        raise LinkageError("The Spark engine needs PySpark: pip install 'linkage[spark]'.") from exc
    with spark_session(settings) as spark:
        yield SparkPass1(spark)


def continue_known_families(graph: Graph, result: Analysis, settings: Settings) -> int:
    """Match tonight's families to the graph's by consensus signature; matched ones keep their earlier id."""
    if result.families.empty:
        return 0
    known = graph.read("similarity/read_template_signatures")
    if not known:
        return 0
    width = settings.similarity_num_perm
    known = [row for row in known if len(row["signature"]) == width]
    bands, rows = result.bands, result.rows
    new_sig = np.array(result.families["signature"].tolist(), dtype=np.int32).reshape(-1, width)
    known_sig = np.array([row["signature"] for row in known], dtype=np.int32).reshape(-1, width)
    match = families.match_known(new_sig, known_sig, bands, rows, settings.similarity_threshold)
    new_ids = result.families["family_id"].tolist()
    mapping = {new_ids[i]: known[j]["family_id"] for i, j in enumerate(match.tolist()) if j >= 0}
    rename_families(result, mapping)
    return len(mapping)


def write_analysis(graph: Graph, result: Analysis, batch: str) -> WriteCounts:
    """Families and segments first (the USES_TEMPLATE rows match them), then usage, links, account features and
    adoptions."""
    counts = WriteCounts()
    for families_of_kind, usage in ((result.families, result.usage), (result.segments, result.segment_usage)):
        counts.merge(graph.write_rows("similarity/merge_template_families", frame_rows(families_of_kind), batch=batch))
        counts.merge(graph.write_rows("similarity/merge_uses_template", frame_rows(usage), batch=batch))
    counts.merge(
        graph.write_rows("similarity/merge_similar_prompts", frame_rows(result.links), batch=batch, source=SOURCE)
    )
    counts.merge(graph.write_rows("similarity/set_prompt_features", frame_rows(result.features), batch=batch))
    counts.merge(graph.write_rows("similarity/merge_adoptions", frame_rows(result.adoptions), batch=batch))
    return counts


def summarise(result: Analysis, counts: WriteCounts, batch: str, seconds: float) -> SimilarityResult:
    families = result.families
    return SimilarityResult(
        batch=batch,
        prompts=result.prompts,
        empty_prompts=result.empty_prompts,
        accounts=len(result.features),
        near_duplicate_prompts=result.near_duplicate_prompts,
        families=len(families),
        cot_families=int(families["cot"].sum()) if len(families) else 0,
        segments=len(result.segments),
        largest_family_accounts=int(families["accounts"].max()) if len(families) else 0,
        links=len(result.links),
        bands=result.bands,
        rows=result.rows,
        nodes_created=counts.nodes_created,
        relationships_created=counts.relationships_created,
        properties_set=counts.properties_set,
        seconds=round(seconds, 3),
    )
