"""`linkage picture CLUSTER_ID` and `linkage explain ACCOUNT --picture FILE`: a cluster or an account with the
values they share.

HTML pictures are interactive, drawn by Neo4j's own graph-visualisation library (neo4j-viz, one self-contained
file: zoom, drag, hover for labels, search), fitted to the view once laid out and packed (:func:`_fit_on_open`,
:func:`_packed`); PNG and SVG stay for reports on paper (networkx + matplotlib). A picture holds at most
``max_accounts`` accounts: beyond that it keeps the most connected ones (linked to the most shared values; when
explaining, the account itself first) and says so.
"""

from __future__ import annotations

import base64
import gzip
from html import escape
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel

from linkage.analyst import MAX_ACCOUNTS
from linkage.analyst.explain import link_name
from linkage.analyst.known import require_known
from linkage.errors import ExitCode, LinkageError
from linkage.files import atomic_write, output_errors
from linkage.graph import Graph
from linkage.settings import Settings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = (".html", ".png", ".svg")
KIND_COLOURS = {
    "PAID_WITH": "#d62728",
    "CONNECTED_FROM": "#1f77b4",
    "IN_SUBNET": "#17becf",
    "USED_DEVICE": "#9467bd",
    "EMAIL_AT": "#8c564b",
    "USES_TEMPLATE": "#2ca02c",
}
DECISION_COLOURS = {"ban": "#222222", "review": "#ff7f0e", None: "#bbbbbb"}
DECISION_NAMES = {"ban": "account: ban", "review": "account: review", None: "account: no decision"}
SUBJECT_COLOUR = "#ff00ff"  # the account being explained: magenta, far from every kind's and decision's colour
# neo4j-viz's fit once its layout is computed, which zooms without panning, and the same fit panning too (the fit of
# its "zoom to fit" button); should a later neo4j-viz spell it otherwise, the browser test of pictures fails
FIT_WITHOUT_PAN, FIT = "{noPan:!0}", "{}"
# a packed page: a gzipped page in base64 that the browser unpacks with its own DecompressionStream
PACKED_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title</title></head><body>
<script type="application/octet-stream" id="packed">$payload</script>
<script>
(async () => {
  const packed = Uint8Array.from(atob(document.getElementById("packed").textContent), (c) => c.charCodeAt(0));
  const page = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
  document.open();
  document.write(await new Response(page).text());
  document.close();
})();
</script>
</body></html>
""")


class NothingToDraw(LinkageError):
    """No such cluster or account, or nothing it shares with another account."""


class PictureFormatError(LinkageError):
    exit_code = ExitCode.USAGE


class Picture(BaseModel):
    """What a picture shows: its file, how many accounts and values, and whether the cap cut it."""

    path: Path
    title: str
    accounts: int
    values: int
    accounts_in_all: int  # accounts linked to a shared value; more than ``accounts`` when the cap cut the picture
    notice: str | None  # "the most connected part" when cut


def picture_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise PictureFormatError(f"{path}: a picture is .html (interactive), .png or .svg.")
    return suffix


def cluster_links(graph: Graph, cluster_id: str, max_accounts: int = MAX_ACCOUNTS) -> pd.DataFrame:
    """The links a cluster's picture draws (``analyst/cluster_picture``)."""
    return graph.frame("analyst/cluster_picture", cluster_id=cluster_id, max_accounts=max_accounts)


def draw_cluster(settings: Settings, cluster_id: str, path: Path, max_accounts: int = MAX_ACCOUNTS) -> Picture:
    """A cluster's accounts (coloured by decision) and every value at least two of them share (coloured by kind)."""
    picture_format(path)
    with Graph(settings) as graph:
        links = cluster_links(graph, cluster_id, max_accounts)
        if links.empty:
            require_known(graph, "cluster_id", cluster_id)
    if links.empty:
        raise NothingToDraw(f"Cluster {cluster_id!r} has no shared values to draw.")
    return draw(links, f"Cluster {cluster_id}", path)


def draw_account(settings: Settings, account_id: str, path: Path, max_accounts: int = MAX_ACCOUNTS) -> Picture:
    """One account (highlighted), the values it shares and the accounts that share them."""
    picture_format(path)
    with Graph(settings) as graph:
        links = graph.frame("analyst/account_picture", account_id=account_id, max_accounts=max_accounts)
    if links.empty:
        raise NothingToDraw(f"Account {account_id!r} shares no value with another account: nothing to draw.")
    return draw(links, f"Account {account_id}", path, subject=account_id)


def evidence_links(links: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The links to values that are evidence tonight (weight above 0), and how many values that are none were left
    out (a carrier NAT's subnet, a webmail domain: they fill a picture with the people around a farm). All of them
    when none is evidence: the picture of an account without evidence shows what it shares."""
    evidence = links["weight"].fillna(0.0).to_numpy() > 0
    if not evidence.any():
        return links, 0
    left_out = len(links.loc[~evidence, ["link", "value"]].drop_duplicates())
    return links[evidence], left_out


def draw(links: pd.DataFrame, title: str, path: Path, subject: str | None = None) -> Picture:
    """Draw ``links`` (rows of ``analyst/cluster_picture`` or ``analyst/account_picture``) to ``path``: the values
    that are evidence tonight and the accounts linked by them (:func:`evidence_links`)."""
    in_all, shown = int(links["members_linked"].iloc[0]), links["account_id"].nunique()
    links, left_out = evidence_links(links)
    accounts = links.drop_duplicates("account_id")
    values = links.drop_duplicates(["link", "value"])
    notices = [f"showing the most connected part: {shown:,} of {in_all:,} accounts"] if in_all > shown else []
    if left_out:
        notices.append(f"{left_out:,} shared values that are no evidence tonight left out")
    picture = Picture(path=path, title=title, accounts=len(accounts), values=len(values), accounts_in_all=in_all,
                      notice="; ".join(notices) or None)  # fmt: skip
    with output_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    if picture_format(path) == ".html":
        page = interactive(links, picture, subject)
        atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    else:
        figure = _static(links, picture, subject)
        atomic_write(path, lambda tmp: figure.savefig(tmp, format=picture_format(path)[1:], dpi=120,
                                                      bbox_inches="tight"))  # fmt: skip
    return picture


def _value_id(row: dict[str, Any]) -> str:
    return f"{row['link']}:{row['value']}"


def _number(value: Any, digits: int | None = None) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    return int(value) if digits is None else round(float(value), digits)


def _rows(links: pd.DataFrame, *keys: str) -> list[dict[str, Any]]:
    """One record per distinct ``keys`` (all of them without keys)."""
    chosen = links.drop_duplicates(list(keys)) if keys else links
    return [{str(k): v for k, v in row.items()} for row in chosen.to_dict("records")]


def interactive(links: pd.DataFrame, picture: Picture, subject: str | None = None) -> str:
    """The picture as one self-contained HTML page (neo4j-viz, fitted on open and packed): hover a node for its id,
    decision and score, or its kind, how many accounts use it and its evidence weight."""
    from neo4j_viz import Node, Relationship, VisualizationGraph  # loaded by the commands that draw, only
    from neo4j_viz.options import DiscreteLegendSection, LegendEntry

    nodes = []
    for row in _rows(links, "account_id"):
        decision = row["decision"] if isinstance(row["decision"], str) else None
        itself = row["account_id"] == subject
        nodes.append(Node.model_validate({
            "id": f"account:{row['account_id']}", "size": 14 if itself else 8,
            "color": SUBJECT_COLOUR if itself else DECISION_COLOURS[decision],
            "caption": str(row["account_id"]) if itself else None,
            "properties": {"account_id": str(row["account_id"]), "decision": decision or "none",
                           "score": _number(row["score"], 3)},
        }))  # fmt: skip
    for row in _rows(links, "link", "value"):
        nodes.append(Node.model_validate({
            "id": _value_id(row), "size": 12, "color": KIND_COLOURS.get(row["link"], "#7f7f7f"),
            "properties": {"kind": link_name(row["link"], bool(row["disposable"])), "value": str(row["value"]),
                           "accounts": _number(row["accounts"]), "evidence weight": _number(row["weight"], 3)},
        }))  # fmt: skip
    relationships = [
        Relationship.model_validate({"id": str(n), "source": f"account:{row['account_id']}", "target": _value_id(row),
                                     "caption": link_name(row["link"], bool(row["disposable"]))})
        for n, row in enumerate(_rows(links))
    ]  # fmt: skip
    graph = VisualizationGraph(nodes=nodes, relationships=relationships)
    graph.set_legend(nodes=DiscreteLegendSection(title=_caption(picture), entries=[
        LegendEntry(label=label, color=colour) for label, colour in _legend(links, subject).items()]))  # fmt: skip
    title = escape(_caption(picture))
    html = str(graph.render(height="100vh", theme="light", on_dangling="error").data)
    return _packed(_fit_on_open(html.replace("<title>neo4j-viz</title>", f"<title>{title}</title>", 1)), title)


def _fit_on_open(page: str) -> str:
    """neo4j-viz's page, fitted to the view once laid out. neo4j-viz has no option for it: its fit after the layout
    zooms without panning, so a drawing away from the layout's origin opened cropped, or beside the view, until
    "zoom to fit" was clicked (the same fit, panning too)."""
    return page.replace(FIT_WITHOUT_PAN, FIT, 1)


def _packed(page: str, title: str) -> str:
    """``page`` gzipped inside a page that unpacks it (:data:`PACKED_PAGE`), still one file that needs no network.
    neo4j-viz inlines its whole script and style sheet (4.4 MB) in every page and has no option to leave them out:
    gzipped, a picture is 1.4 MB."""
    payload = base64.b64encode(gzip.compress(page.encode("utf-8"), mtime=0)).decode("ascii")
    return PACKED_PAGE.substitute(title=title, payload=payload)


def _legend(links: pd.DataFrame, subject: str | None) -> dict[str, str]:
    """Colour by label: the account explained, decisions, then the kinds of value in the picture."""
    legend = {f"account {subject}": SUBJECT_COLOUR} if subject is not None else {}
    legend |= {DECISION_NAMES[decision]: colour for decision, colour in DECISION_COLOURS.items()}
    for link in sorted(set(links["link"]), key=list(KIND_COLOURS).index):
        disposable = bool(links.loc[links["link"] == link, "disposable"].all())
        legend[link_name(link, disposable)] = KIND_COLOURS[link]
    return legend


def _caption(picture: Picture) -> str:
    shown = f"{picture.title}: {picture.accounts:,} accounts, {picture.values:,} shared values"
    return f"{shown} ({picture.notice})" if picture.notice else shown


def _static(links: pd.DataFrame, picture: Picture, subject: str | None) -> Figure:
    """PNG or SVG for paper: accounts as small dots (black: ban, orange: review), values coloured by kind."""
    import networkx as nx  # loaded by the commands that draw, only
    from matplotlib.figure import Figure  # the object API draws to files without pyplot or a display

    drawing = nx.Graph()
    for row in _rows(links):
        decision = row["decision"] if isinstance(row["decision"], str) else None
        drawing.add_node(row["account_id"], role="account", decision=decision)
        drawing.add_node(_value_id(row), role="value", kind=row["link"])
        drawing.add_edge(row["account_id"], _value_id(row))
    layout = nx.spring_layout(drawing, seed=7, k=1.5 / max(drawing.number_of_nodes(), 1) ** 0.5)
    figure = Figure(figsize=(10, 10))
    axes = figure.subplots()
    nx.draw_networkx_edges(drawing, layout, ax=axes, alpha=0.25, width=0.5)
    accounts = [n for n, d in drawing.nodes(data=True) if d["role"] == "account"]
    for decision, name in DECISION_NAMES.items():
        chosen = [n for n in accounts if drawing.nodes[n]["decision"] == decision and n != subject]
        if chosen:
            nx.draw_networkx_nodes(drawing, layout, nodelist=chosen, node_size=18, ax=axes, label=name,
                                   node_color=DECISION_COLOURS[decision])  # fmt: skip
    if subject in drawing:
        nx.draw_networkx_nodes(drawing, layout, nodelist=[subject], node_size=80, ax=axes, label=f"account {subject}",
                               node_color=SUBJECT_COLOUR)  # fmt: skip
    for kind, colour in KIND_COLOURS.items():
        values = [n for n, d in drawing.nodes(data=True) if d.get("kind") == kind]
        if values:
            nx.draw_networkx_nodes(drawing, layout, nodelist=values, node_size=90, node_color=colour, ax=axes,
                                   label=link_name(kind, False))  # fmt: skip
    # ids and values are text, never mathtext (a `$\foo$` in them failed the drawing)
    axes.set_title(_caption(picture), fontsize=10, parse_math=False)
    for text in axes.legend(loc="lower left", fontsize=8).get_texts():
        text.set_parse_math(False)
    axes.axis("off")
    return figure
