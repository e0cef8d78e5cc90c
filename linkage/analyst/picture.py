"""`linkage picture CLUSTER_ID`: a drawing of one cluster, its accounts and the values they share (PNG or SVG)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
from matplotlib.figure import Figure  # the object API draws to files without pyplot or a display

from linkage.errors import LinkageError
from linkage.graph import Graph
from linkage.settings import Settings

KIND_COLOURS = {
    "PAID_WITH": "#d62728",
    "CONNECTED_FROM": "#1f77b4",
    "USED_DEVICE": "#9467bd",
    "EMAIL_AT": "#8c564b",
    "USES_TEMPLATE": "#2ca02c",
}
DECISION_COLOURS = {"ban": "#222222", "review": "#ff7f0e"}


class UnknownCluster(LinkageError):
    pass


def _graph(edges: pd.DataFrame) -> nx.Graph:
    drawing = nx.Graph()
    for row in edges.itertuples(index=False):
        drawing.add_node(row.account_id, role="account", decision=row.decision)
        drawing.add_node(f"{row.kind}:{row.value}", role="value", kind=row.kind)
        drawing.add_edge(row.account_id, f"{row.kind}:{row.value}")
    return drawing


def draw_cluster(settings: Settings, cluster_id: str, path: Path, max_accounts: int = 300) -> Path:
    """Accounts as small dots (black: ban, orange: review), shared values as larger dots coloured by kind."""
    with Graph(settings) as graph:
        edges = graph.frame("analyst/cluster_picture", cluster_id=cluster_id, max_accounts=max_accounts)
    if edges.empty:
        raise UnknownCluster(f"No cluster {cluster_id!r} with shared values in the graph.")
    drawing = _graph(edges)
    layout = nx.spring_layout(drawing, seed=7, k=1.5 / max(drawing.number_of_nodes(), 1) ** 0.5)
    figure = Figure(figsize=(10, 10))
    axes = figure.subplots()
    nx.draw_networkx_edges(drawing, layout, ax=axes, alpha=0.25, width=0.5)
    accounts = [n for n, d in drawing.nodes(data=True) if d["role"] == "account"]
    nx.draw_networkx_nodes(drawing, layout, nodelist=accounts, node_size=18, ax=axes,
                           node_color=[DECISION_COLOURS.get(drawing.nodes[n]["decision"], "#bbbbbb")
                                       for n in accounts])  # fmt: skip
    for kind, colour in KIND_COLOURS.items():
        values = [n for n, d in drawing.nodes(data=True) if d.get("kind") == kind]
        nx.draw_networkx_nodes(drawing, layout, nodelist=values, node_size=90, node_color=colour, ax=axes,
                               label=kind.lower().replace("_", " "))  # fmt: skip
    axes.set_title(f"Cluster {cluster_id}: {len(accounts)} accounts, {drawing.number_of_nodes() - len(accounts)} "
                   "shared values")  # fmt: skip
    axes.legend(loc="lower left", fontsize=8)
    axes.axis("off")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path
