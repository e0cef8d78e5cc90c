"""Community detection quality on LFR benchmark graphs: GDS Leiden and Louvain next to igraph's Leiden.

A check that linkage drives GDS correctly (projection, orientation, seeds, id mapping): on graphs with planted
communities (networkx's LFR generator) GDS should recover them about as well as a reference implementation.
Each graph is written to the real local Neo4j through ``linkage.graph.Graph``, projected UNDIRECTED with the
graphdatascience client, streamed through ``gds.leiden`` and ``gds.louvain`` and scored by NMI against the planted
partition; igraph's Leiden (modularity objective) runs on the very same edge list.

Run it on its own database so it never wipes another graph (``graph.reset()`` empties the database per graph):

    LINKAGE_HOME=.linkage-bench LINKAGE_LOCALDB_PORT=7697 .venv/bin/python bench/bench_communities.py

The markdown table goes to stdout (and ``bench/results/communities.md``), raw numbers to
``bench/results/communities.json``, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import igraph as ig
import networkx as nx
from networkx.generators.community import LFR_benchmark_graph
from sklearn.metrics import normalized_mutual_info_score

from linkage.graph import Graph
from linkage.settings import Settings

RESULTS = Path(__file__).parent / "results"
BENCH_CYPHER = Path(__file__).parent / "cypher"
PROJECTION = "bench_lfr"
ALGORITHMS = ("gds_leiden", "gds_louvain", "igraph_leiden")
LABELS = {"gds_leiden": "GDS Leiden", "gds_louvain": "GDS Louvain", "igraph_leiden": "igraph Leiden"}


@dataclass(frozen=True)
class LfrParams:
    """LFR shape per graph size: degree and community-size power laws (tau1, tau2) and their bounds."""

    n: int
    average_degree: float
    max_degree: int
    min_community: int
    max_community: int
    tau1: float = 3.0
    tau2: float = 1.5


SIZES = {
    1000: LfrParams(n=1000, average_degree=15, max_degree=50, min_community=20, max_community=100),
    5000: LfrParams(n=5000, average_degree=15, max_degree=100, min_community=20, max_community=200),
}


@dataclass
class LfrCase:
    """One generated graph: nodes are 0..n-1, ``planted[v]`` is the planted community of node v."""

    params: LfrParams
    mu: float
    replicate: int
    seed: int
    failed_seeds: list[int]
    edges: list[tuple[int, int]]
    planted: list[int]

    @property
    def planted_count(self) -> int:
        return len(set(self.planted))

    @property
    def realized_mu(self) -> float:
        """Share of edges between planted communities; networkx's LFR overshoots the requested mu (issue #6809)."""
        return sum(self.planted[u] != self.planted[v] for u, v in self.edges) / len(self.edges)


@dataclass
class AlgoResult:
    algorithm: str
    nmi: float
    communities: int
    modularity: float
    seconds: float


@dataclass
class CaseResult:
    n: int
    mu: float
    replicate: int
    seed: int
    failed_seeds: list[int]
    edges: int
    planted: int
    realized_mu: float
    planted_modularity: float
    project_seconds: float
    load_seconds: float
    algorithms: list[AlgoResult] = field(default_factory=list)


def generate(params: LfrParams, mu: float, replicate: int, base_seed: int, attempts: int) -> LfrCase:
    """Step 1: an LFR graph; the generator sometimes fails to converge for a seed, so move on to the next one."""
    failed: list[int] = []
    for attempt in range(attempts):
        seed = base_seed + replicate + 1000 * attempt
        try:
            g = LFR_benchmark_graph(
                params.n,
                params.tau1,
                params.tau2,
                mu,
                average_degree=params.average_degree,
                max_degree=params.max_degree,
                min_community=params.min_community,
                max_community=params.max_community,
                seed=seed,
            )
        except nx.ExceededMaxIterations:
            failed.append(seed)
            continue
        g.remove_edges_from(list(nx.selfloop_edges(g)))  # the generator adds a few; GDS and igraph would count them
        planted = [min(g.nodes[v]["community"]) for v in range(params.n)]
        edges = sorted((min(u, v), max(u, v)) for u, v in g.edges())
        return LfrCase(params, mu, replicate, seed, failed, edges, planted)
    raise RuntimeError(f"LFR n={params.n} mu={mu} did not converge for seeds {failed}")


def load(graph: Graph, case: LfrCase) -> float:
    """Step 2: write the graph to Neo4j (database emptied first; this is the benchmark's own database)."""
    started = time.perf_counter()
    graph.reset()
    graph.write(BENCH_CYPHER / "create_lfr_index.cypher")
    graph.write_rows(
        BENCH_CYPHER / "merge_lfr_nodes.cypher", [{"node_id": v, "planted": c} for v, c in enumerate(case.planted)]
    )
    graph.write_rows(BENCH_CYPHER / "merge_lfr_edges.cypher", [{"source": u, "target": v} for u, v in case.edges])
    return time.perf_counter() - started


def run_gds(
    graph: Graph, case: LfrCase, concurrency: int, seed: int
) -> tuple[float, dict[str, tuple[list[int], float]]]:
    """Step 3: project UNDIRECTED, stream Leiden and Louvain, map GDS node ids back to LFR ids; always drop."""
    gds = graph.gds
    found: dict[str, tuple[list[int], float]] = {}
    with graph.projection_cleanup(PROJECTION):
        started = time.perf_counter()
        projected, result = gds.graph.project.native(
            PROJECTION,
            {"LfrNode": {"properties": ["node_id", "planted"]}},
            {"LFR_LINK": {"orientation": "UNDIRECTED"}},
        )
        project_seconds = time.perf_counter() - started
        if result.node_count != case.params.n or result.relationship_count != 2 * len(case.edges):
            raise RuntimeError(
                f"projection has {result.node_count} nodes / {result.relationship_count} relationships, "
                f"expected {case.params.n} / {2 * len(case.edges)}"
            )
        props = gds.graph.node_properties.stream(projected, ["node_id", "planted"])  # one column per property
        lfr_id = {int(k): int(v) for k, v in zip(props["nodeId"], props["node_id"], strict=True)}
        if len(lfr_id) != case.params.n or any(
            case.planted[lfr_id[int(k)]] != int(p) for k, p in zip(props["nodeId"], props["planted"], strict=True)
        ):
            raise RuntimeError("planted communities read back from the projection differ from the generated ones")

        runs = {
            "gds_leiden": lambda: gds.leiden.stream(
                projected, random_seed=seed, concurrency=concurrency, log_progress=False
            ),
            "gds_louvain": lambda: gds.louvain.stream(projected, concurrency=concurrency, log_progress=False),
        }
        for name, run in runs.items():
            started = time.perf_counter()
            frame = run()
            seconds = time.perf_counter() - started
            labels = [-1] * case.params.n
            for node_id, community in zip(frame["nodeId"], frame["communityId"], strict=True):
                labels[lfr_id[int(node_id)]] = int(community)
            if -1 in labels:
                raise RuntimeError(f"{name} returned no community for some nodes")
            found[name] = (labels, seconds)
    return project_seconds, found


def run_igraph(g: ig.Graph, seed: int) -> tuple[list[int], float]:
    """Step 4: the reference, igraph's Leiden on modularity, iterated until it stops improving."""
    random.seed(seed)  # igraph draws from Python's `random` by default
    started = time.perf_counter()
    partition = g.community_leiden(objective_function="modularity", n_iterations=-1)
    return list(partition.membership), time.perf_counter() - started


def score(algorithm: str, g: ig.Graph, planted: list[int], labels: list[int], seconds: float) -> AlgoResult:
    return AlgoResult(
        algorithm=algorithm,
        nmi=float(normalized_mutual_info_score(planted, labels)),
        communities=len(set(labels)),
        modularity=float(g.modularity(labels)),
        seconds=seconds,
    )


def bench_case(graph: Graph, case: LfrCase, concurrency: int, seed: int) -> CaseResult:
    g = ig.Graph(n=case.params.n, edges=case.edges)
    load_seconds = load(graph, case)
    project_seconds, found = run_gds(graph, case, concurrency, seed)
    found["igraph_leiden"] = run_igraph(g, seed)
    result = CaseResult(
        n=case.params.n,
        mu=case.mu,
        replicate=case.replicate,
        seed=case.seed,
        failed_seeds=case.failed_seeds,
        edges=len(case.edges),
        planted=case.planted_count,
        realized_mu=case.realized_mu,
        planted_modularity=float(g.modularity(case.planted)),
        project_seconds=project_seconds,
        load_seconds=load_seconds,
    )
    result.algorithms = [score(name, g, case.planted, *found[name]) for name in ALGORITHMS]
    return result


def _mean_sd(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def markdown(results: list[CaseResult]) -> str:
    """Step 5: one row per (n, mu): mean ± sd over the replicate graphs, median wall time."""
    cells: dict[tuple[int, float], list[CaseResult]] = {}
    for r in results:
        cells.setdefault((r.n, r.mu), []).append(r)

    def per_algo(rows: list[CaseResult], name: str) -> list[AlgoResult]:
        return [a for r in rows for a in r.algorithms if a.algorithm == name]

    quality = [
        "| n | μ | realized μ | graphs | planted k | "
        + " | ".join(f"NMI {LABELS[a]}" for a in ALGORITHMS)
        + " | k found (GDS Leiden / GDS Louvain / igraph) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    extra = [
        "| n | μ | Q planted | " + " | ".join(f"Q {LABELS[a]}" for a in ALGORITHMS) + " | "
        "median ms GDS Leiden / GDS Louvain / igraph Leiden | median ms project |",
        "|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for (n, mu), rows in sorted(cells.items()):
        found = " / ".join(f"{statistics.mean(a.communities for a in per_algo(rows, name)):.1f}" for name in ALGORITHMS)
        quality.append(
            f"| {n} | {mu:.1f} | {statistics.mean(r.realized_mu for r in rows):.2f} | {len(rows)} | "
            f"{statistics.mean(r.planted for r in rows):.1f} | "
            + " | ".join(_mean_sd([a.nmi for a in per_algo(rows, name)]) for name in ALGORITHMS)
            + f" | {found} |"
        )
        times = " / ".join(
            f"{statistics.median(a.seconds for a in per_algo(rows, name)) * 1000:.0f}" for name in ALGORITHMS
        )
        extra.append(
            f"| {n} | {mu:.1f} | {statistics.mean(r.planted_modularity for r in rows):.3f} | "
            + " | ".join(f"{statistics.mean(a.modularity for a in per_algo(rows, name)):.3f}" for name in ALGORITHMS)
            + f" | {times} | {statistics.median(r.project_seconds for r in rows) * 1000:.0f} |"
        )
    return "\n".join(quality) + "\n\n" + "\n".join(extra) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000], choices=sorted(SIZES))
    parser.add_argument("--mixing", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    parser.add_argument("--graphs", type=int, default=10, help="LFR graphs (replicates) per size and mixing")
    parser.add_argument("--seed", type=int, default=42, help="base seed of LFR, GDS Leiden and igraph")
    parser.add_argument("--attempts", type=int, default=10, help="seeds to try when LFR does not converge")
    parser.add_argument("--concurrency", type=int, default=1, help="GDS concurrency (1 = deterministic Louvain)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = Settings()
    results: list[CaseResult] = []
    started = time.perf_counter()
    with Graph(settings) as graph:
        versions = graph.versions()
        for n in args.sizes:
            for mu in args.mixing:
                for replicate in range(args.graphs):
                    case = generate(SIZES[n], mu, replicate, args.seed, args.attempts)
                    result = bench_case(graph, case, args.concurrency, args.seed)
                    results.append(result)
                    nmis = "  ".join(f"{a.algorithm}={a.nmi:.3f}" for a in result.algorithms)
                    print(f"n={n} mu={mu:.1f} graph={replicate} seed={case.seed} {nmis}", file=sys.stderr)
        graph.reset()
    table = markdown(results)
    failed = [(r.n, r.mu, r.replicate, r.failed_seeds) for r in results if r.failed_seeds]
    notes = (
        f"Neo4j {versions.neo4j_version}, GDS {versions.gds_version}, igraph {ig.__version__}, "
        f"networkx {nx.__version__}, python {platform.python_version()}; GDS concurrency {args.concurrency}; "
        f"LFR seeds that did not converge: {failed or 'none'}; total {time.perf_counter() - started:.0f} s"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "communities.md").write_text(table + "\n" + notes + "\n", encoding="utf-8")
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "args": vars(args),
        "sizes": {n: asdict(SIZES[n]) for n in args.sizes},
        "notes": notes,
        "results": [asdict(r) for r in results],
    }
    (RESULTS / "communities.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(table)
    print(notes)


if __name__ == "__main__":
    main()
