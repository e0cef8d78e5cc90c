"""report.html: what a nightly run found, as analysts review it before a ban goes out, in one page that opens
from disk with no network.

Written by every `linkage run` into its output folder and rebuilt by `linkage report RUN_DIR`. It reads the run's
own files (run.json: summary, timings, changes, rejects; banlist.csv: decisions and their reason records;
clusters.csv) and, from the graph, what those files do not hold: the decisions of every night up to this run
(Run nodes), each cluster's size on the night before and the clusters this run ended, and the pictures of the
clusters with the most bans. Charts are Plotly figures with plotly.js inlined once; each picture is a self-contained
neo4j-viz page in ``pictures/`` beside the report, shown in a frame. The ban-list table is searched, filtered (by
decision, evidence and cluster) and sorted by a small inline script over the rows embedded as JSON; a row is a line
or two and opens for its reasons' sentences (a page that showed every row's made the demo's 96,400 px tall).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

from linkage.analyst import MAX_ACCOUNTS
from linkage.analyst.appeals import read_actions
from linkage.analyst.picture import Picture, cluster_links, draw
from linkage.detect.collateral import PARTS
from linkage.detect.stage import CLUSTER_COLUMNS
from linkage.errors import LinkageError
from linkage.files import atomic_write
from linkage.graph import Graph
from linkage.settings import Settings
from linkage.spreadsheet import read_csv
from linkage.vocabulary import EVIDENCE_LABELS, VALUE_KINDS, evidence_labels

REPORT = "report.html"
PICTURES = "pictures"
TOP_CLUSTERS = 5  # clusters shown with their evidence and a picture (each picture is a ~1.4 MB page of its own)
# decisions embedded in the searchable table, reviews first: a row with its sentences is about 900 bytes, and at 1M
# accounts all 117,645 decisions made a 109 MB page; banlist.csv (or `linkage banlist`) holds every one
TABLE_ROWS = 10_000
REVIEW_ROWS = 50  # the review queue's most harmful accounts, listed with what a ban would still need
DECISIONS = ("ban", "review")  # the table's decision filter offers both, with a count of 0 for none
NIGHT_COUNTS = ("bans", "reviews", "clusters")
HOVER = "%{text}<br>bans and reviews %{x}<br>score %{y:.3f}<br>%{customdata}<extra></extra>"
CHART_CONFIG = {"displaylogo": False, "responsive": True}


class MissingRun(LinkageError):
    pass


class ReportResult(BaseModel):
    path: Path
    bytes: int
    pictures: list[Picture]


def rebuild_report(settings: Settings, run_dir: Path) -> ReportResult:
    """`linkage report RUN_DIR`: write RUN_DIR/report.html again from the run's files and the graph."""
    _read_run(run_dir)  # a folder without run.json fails before connecting
    with Graph(settings) as graph:
        return write_report(graph, run_dir)


def write_report(
    graph: Graph,
    run_dir: Path,
    run: dict[str, Any] | None = None,
    top: int = TOP_CLUSTERS,
    table_rows: int = TABLE_ROWS,
) -> ReportResult:
    """Write ``run_dir``/report.html (and the pictures of its ``top`` clusters with the most bans; at most
    ``table_rows`` decisions in its table) for ``run``, a run.json as a dict (default: ``run_dir``'s; a nightly run
    writes its report before its run.json)."""
    run = run if run is not None else _read_run(run_dir)
    banlist = _read_banlist(run_dir / "banlist.csv")
    clusters = _decided_counts(_read_csv(run_dir / "clusters.csv", CLUSTER_COLUMNS), banlist)
    runs = _nights(graph, run)
    changes = graph.frame("report/cluster_changes", run_id=run["run_id"])
    largest = clusters.sort_values(["bans", "reviews", "score"], ascending=False).head(top)
    rows = _banlist_rows(banlist, table_rows)
    pictures = [
        _picture(graph, str(cluster_id), run_dir / PICTURES / f"{cluster_id}.html")
        for cluster_id in largest["cluster_id"]
    ]
    page = _template().render(
        run=run,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cards=_cards(run),
        timings=run.get("timings_s") or {},
        rejects=((run.get("load") or {}).get("files")) or [],
        charts=_charts(clusters, runs, banlist),
        top=[
            _cluster_view({str(k): v for k, v in row.items()}, banlist, picture, run_dir)
            for row, picture in zip(largest.to_dict("records"), pictures, strict=True)
        ],
        changed=_changed(changes, banlist),
        held=[_collateral({str(k): v for k, v in row.items()}) for row in _held(clusters).to_dict("records")],
        actions=[a.model_dump() for a in read_actions(graph, (run.get("changes") or {}).get("previous_run_id"))],
        review=graph.read("nightly/read_review_queue", limit=REVIEW_ROWS),
        reviews=int((banlist["decision"] == "review").sum()),
        banlist=rows,
        filters=_banlist_filters(rows),
        decisions=len(banlist),
    )
    path = run_dir / REPORT
    atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return ReportResult(path=path, bytes=path.stat().st_size, pictures=[p for p in pictures if p is not None])


def _read_run(run_dir: Path) -> dict[str, Any]:
    try:
        run: dict[str, Any] = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingRun(f"{run_dir} holds no run.json: not the output folder of a finished `linkage run`.") from None
    except json.JSONDecodeError as exc:
        raise MissingRun(f"{run_dir / 'run.json'} is not JSON: {exc}") from None
    return run


def _nights(graph: Graph, run: dict[str, Any]) -> pd.DataFrame:
    """Decisions per night: the finished runs before this one, from the graph, then this one from its own record
    (a nightly run writes its report before the graph records it as finished)."""
    before = graph.frame("report/runs", run_id=run["run_id"])
    tonight = pd.DataFrame([{key: run.get(key) for key in ("run_id", "batch", "started_at", *NIGHT_COUNTS)}])
    return tonight if before.empty else pd.concat([before, tonight], ignore_index=True)


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        return read_csv(path, dtype={"account_id": str, "cluster_id": str})
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame(columns=columns)


def _decided_counts(clusters: pd.DataFrame, banlist: pd.DataFrame) -> pd.DataFrame:
    """clusters.csv with its bans and reviews: counted from the ban list when it was written before they were
    columns of their own."""
    if {"bans", "reviews"} <= set(clusters.columns):
        return clusters
    counts = pd.crosstab(banlist["cluster_id"], banlist["decision"]).reindex(columns=["ban", "review"], fill_value=0)
    counts = counts.rename(columns={"ban": "bans", "review": "reviews"})
    found = clusters.join(counts, on="cluster_id")
    return found.fillna({"bans": 0, "reviews": 0}).astype({"bans": int, "reviews": int})


def _read_banlist(path: Path) -> pd.DataFrame:
    """banlist.csv with its reason records parsed (a ban list written before records existed has none)."""
    frame = _read_csv(path, ["account_id", "decision", "score", "cluster_id", "reasons"])
    texts = frame["reason_records"] if "reason_records" in frame else pd.Series("[]", index=frame.index)
    records: list[list[dict[str, Any]]] = [json.loads(text) if isinstance(text, str) else [] for text in texts]
    return frame.assign(reason_records=pd.Series(records, index=frame.index, dtype=object))


def _template() -> Any:
    environment = Environment(loader=PackageLoader("linkage.analyst", "templates"), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    return environment.get_template("report.html.j2")


def _cards(run: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The headline numbers, each with its change since the previous run."""
    changes = run.get("changes") or {}
    return [
        ("bans", run.get("bans"), changes.get("bans_delta")),
        ("reviews", run.get("reviews"), changes.get("reviews_delta")),
        ("clusters", run.get("clusters"), changes.get("clusters_delta")),
        ("new bans", changes.get("new_bans"), None),
        ("respawns flagged", changes.get("respawns_flagged"), None),
    ]


def _charts(clusters: pd.DataFrame, runs: pd.DataFrame, banlist: pd.DataFrame) -> dict[str, str]:
    """Three Plotly charts as HTML fragments; the first carries plotly.js (inlined once)."""
    import plotly.graph_objects as go  # loaded when a report is written, only

    sizes = go.Figure()
    for status, part in clusters.groupby("status"):
        sizes.add_scatter(x=part["bans"] + part["reviews"], y=part["score"], mode="markers", name=str(status),
                          text=part["cluster_id"],
                          customdata=part["signals"].fillna(""), marker={"size": 10, "opacity": 0.8},
                          hovertemplate=HOVER)  # fmt: skip
    sizes.update_layout(title="Clusters: decided members and score", xaxis={"title": "bans and reviews", "type": "log"},
                        yaxis={"title": "score", "range": [0, 1.05]}, legend_title="tonight")  # fmt: skip
    nights = go.Figure(
        [
            go.Bar(name=name, x=runs["batch"] + "<br>" + runs["started_at"].str[:10], y=runs[name])
            for name in ("bans", "reviews")
        ]
    )
    nights.update_layout(title="Decisions per night", barmode="group", yaxis={"title": "accounts"})
    kinds = Counter(label for records in banlist.loc[banlist["decision"] == "ban", "reason_records"]
                    for label in evidence_labels(records))  # fmt: skip
    evidence = go.Figure([go.Bar(x=list(kinds.values()), y=list(kinds), orientation="h")])
    evidence.update_layout(title="Reasons given for tonight's bans", xaxis={"title": "bans"},
                           yaxis={"categoryorder": "total ascending"})  # fmt: skip
    figures = {"clusters": sizes, "nights": nights, "evidence": evidence}
    return {
        name: figure.update_layout(height=380, margin={"l": 60, "r": 20, "t": 50, "b": 60}).to_html(
            full_html=False, include_plotlyjs=index == 0, config=CHART_CONFIG, div_id=f"chart-{name}"
        )
        for index, (name, figure) in enumerate(figures.items())
    }


def _picture(graph: Graph, cluster_id: str, path: Path) -> Picture | None:
    links = cluster_links(graph, cluster_id, MAX_ACCOUNTS)
    return None if links.empty else draw(links, f"Cluster {cluster_id}", path)


def _cluster_view(row: dict[str, Any], banlist: pd.DataFrame, picture: Picture | None, run_dir: Path) -> dict[str, Any]:
    """One of the clusters with the most bans: its row (bans, reviews, community) and the values its members'
    reasons cite most."""
    members = banlist[banlist["cluster_id"] == row["cluster_id"]]
    cited: dict[tuple[str, str], dict[str, Any]] = {}
    for records in members["reason_records"]:
        for record in records:
            if record["kind"] in VALUE_KINDS:
                key = (record["kind"], record["value"])
                seen = cited.setdefault(key, {**record, "accounts": 0})
                seen["accounts"] += 1
    evidence = sorted(cited.values(), key=lambda r: (-r["accounts"], -(r["weight"] or 0)))[:8]
    return {
        **row,
        "hit": _collateral(row)["hit"],
        "evidence": evidence,
        "picture": None if picture is None else picture.path.relative_to(run_dir).as_posix(),
        "notice": None if picture is None else picture.notice,
    }


def _held(clusters: pd.DataFrame) -> pd.DataFrame:
    """The clusters the collateral guard held back from a ban (none in a clusters.csv written before it)."""
    return clusters[clusters["held"].eq(True)] if "held" in clusters else clusters.iloc[0:0]


def _collateral(row: dict[str, Any]) -> dict[str, Any]:
    """A cluster's row with what its ban would hit besides the farm, in words (None in a clusters.csv written before
    collateral was counted)."""
    if pd.isna(row.get("collateral")):
        return {**row, "hit": None}
    parts = ", ".join(f"{part} {int(row[f'collateral_{part}']):,}" for part in PARTS)
    hit = (
        f"its ban would hit {int(row['collateral']):,} accounts outside it ({parts}; "
        f"{int(row['collateral_org']):,} of an org; {float(row['collateral_traffic']):.1%} of tonight's requests)"
    )
    return {**row, "hit": hit}  # fmt: skip


def _changed(changes: pd.DataFrame, banlist: pd.DataFrame) -> dict[str, Any]:
    """Tonight's cluster events as lists (new, grown, shrunk, merged, split, ended) and the respawns flagged."""
    events: dict[str, list[dict[str, Any]]] = {}
    for row in changes.to_dict("records"):
        event = {
            str(key): (None if isinstance(value, float) and value != value else value) for key, value in row.items()
        }
        event["parents"] = [parent for parent in event["parents"] or [] if parent != event["cluster_id"]]
        events.setdefault(str(row["status"]), []).append(event)
    respawns = [
        account
        for account, records in zip(banlist["account_id"], banlist["reason_records"], strict=True)
        if any(record["kind"] == "respawn" for record in records)
    ]
    return {"events": events, "respawns": respawns}


def _banlist_rows(banlist: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    """The table's rows: account, decision, score, cluster, evidence labels and the reasons' sentences; reviews
    first (the analysts' queue), then the ban list in its own order, at most ``limit`` of them."""
    queue = banlist.sort_values("decision", key=lambda decision: decision != "review", kind="stable").head(limit)
    return [
        {"account_id": str(row["account_id"]), "decision": row["decision"],
         "score": None if pd.isna(row["score"]) else round(float(row["score"]), 3),
         "cluster_id": None if pd.isna(row["cluster_id"]) else str(row["cluster_id"]),
         "evidence": evidence_labels(row["reason_records"]),
         "sentences": _sentences(row["reason_records"], row["reasons"])}
        for row in queue.to_dict("records")
    ]  # fmt: skip


def _sentences(records: list[dict[str, Any]], reasons: object) -> list[str]:
    """A decision's sentences from its records (a sentence may hold '; ', so the joined reasons cannot be split);
    a ban list written before records existed has its reasons as one."""
    if records:
        return [str(record["sentence"]) for record in records]
    return [reasons] if isinstance(reasons, str) and reasons else []


def _banlist_filters(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """The table's filters with the rows each keeps: both decisions and every kind of evidence (a count of 0 says
    tonight has none), and the clusters the rows are in."""
    decisions = Counter(row["decision"] for row in rows)
    labels = Counter(label for row in rows for label in row["evidence"])
    clusters = Counter(row["cluster_id"] for row in rows if row["cluster_id"] is not None)
    return {
        "decision": [(decision, decisions[decision]) for decision in DECISIONS],
        "evidence": [(label, labels[label]) for label in EVIDENCE_LABELS.values()],
        "cluster": sorted(clusters.items()),
    }
