"""Community detection in GDS: project the weighted evidence, run WCC and Leiden, write ids to accounts.

The projection is bipartite (accounts to the values they share) rather than account pairs: a NAT IP used by
thousands of accounts adds thousands of edges, not millions, and its rarity weight is near zero anyway.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

from cypher import statement
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph
from linkage.settings import Settings
from localdb.memory import GIB, MIB, size_text

GRAPH_NAME = "linkage-evidence"


class InsufficientMemory(LinkageError):
    """GDS's estimate does not fit the server's heap; the message names the setting and the size that would do."""

    exit_code = ExitCode.DATABASE


class CommunityResult(BaseModel):
    nodes: int
    relationships: int
    estimated_heap_percentage: float
    components: int
    communities: int
    modularity: float


def _check_memory(graph: Graph, settings: Settings) -> float:
    """Estimate before projecting; refuse rather than push the server out of heap. Returns the estimate in percent
    of the server's heap."""
    size = graph.read("detect/count_evidence")[0]
    if size["relationship_count"] == 0:
        return 0.0
    required = int(graph.read("detect/estimate_evidence_graph", **size)[0]["required_bytes"])
    heap = graph.heap_max()
    percentage = 100 * required / heap
    limit = settings.detect_max_heap_percentage
    if percentage > limit:
        raise InsufficientMemory(heap_advice(required, heap, limit, local=settings.uses_local_db, **size))
    return percentage


def heap_advice(
    required: int, heap: int, limit: float, *, local: bool, node_count: int, relationship_count: int
) -> str:
    """One line: the heap in which GDS's estimate of ``required`` bytes (for a graph of that many nodes and
    relationships) is at most ``limit`` percent, against the ``heap`` the server has, and the setting that gives it:
    LINKAGE_LOCALDB_HEAP for the local database (which takes it at its next start), the server's own otherwise."""
    needed = required * 100 / limit
    enough = f"{max(1, math.ceil(needed / GIB))}g"
    setting = (
        f"the database has {size_text(heap)}: LINKAGE_LOCALDB_HEAP={enough} would do, then `linkage db stop` so that "
        "the next command starts it with that heap"
        if local
        else f"the server has {size_text(heap)}: server.memory.heap.max_size={enough} in its neo4j.conf would do"
    )
    return (
        f"Detection needs about {_about(needed)} of heap for {node_count:,} nodes and {relationship_count:,} "
        f"relationships (GDS estimates {_about(required)}, and "
        f"LINKAGE_DETECT_MAX_HEAP_PERCENTAGE lets it use {limit:g}% of the heap); {setting}."
    )


def _about(size: float) -> str:
    return f"{size / GIB:.1f}g" if size >= GIB else f"{math.ceil(size / MIB)}m"


def detect_communities(graph: Graph, settings: Settings) -> CommunityResult:
    """Write ``component`` (WCC over strong links) and ``community`` (weighted Leiden) on every linked account, over
    the values as tonight's evidence weighs them (:func:`linkage.detect.evidence.weigh`, written before).

    A projection of this name left by a run that did not finish (killed before it could drop it, or one the server
    completed after its client had gone) is dropped first: the caller holds the database's lock, so no other run is
    using it, and projecting over it would fail ("Graph linkage-evidence already exists")."""
    graph.write("graph/drop_projection", name=GRAPH_NAME)
    graph.run_batched("detect/clear_communities")
    heap_percentage = _check_memory(graph, settings)
    if heap_percentage == 0.0:
        return CommunityResult(nodes=0, relationships=0, estimated_heap_percentage=0.0, components=0,
                               communities=0, modularity=0.0)  # fmt: skip
    gds = graph.gds
    with graph.projection_cleanup(GRAPH_NAME):
        projected, result = gds.graph.project.cypher(statement("detect/project_evidence"), graph_name=GRAPH_NAME)
        wcc = gds.wcc.mutate(
            projected,
            mutate_property="component",
            relationship_weight_property="weight",
            threshold=settings.detect_strong_link,
        )
        leiden = gds.leiden.mutate(
            projected,
            mutate_property="community",
            relationship_weight_property="weight",
            random_seed=settings.detect_seed,
            concurrency=1,  # with a fixed seed, one thread makes the partition reproducible night to night
            gamma=settings.detect_resolution,
        )
        gds.graph.node_properties.write(projected, ["component", "community"], node_labels=["Account"])
    return CommunityResult(
        nodes=result.node_count,
        relationships=result.relationship_count,
        estimated_heap_percentage=heap_percentage,
        components=wcc.component_count,
        communities=leiden.community_count,
        modularity=leiden.modularity,
    )
