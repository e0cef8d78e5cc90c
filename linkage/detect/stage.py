"""The detection stage: communities, scores, stable cluster ids, decisions with reasons, written to the graph."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel

from linkage.detect.clusters import assign_cluster_ids
from linkage.detect.communities import CommunityResult, detect_communities
from linkage.detect.reasons import account_reasons
from linkage.detect.scoring import SIGNALS, score_accounts
from linkage.graph import Graph, frame_rows
from linkage.settings import Settings

LINK_COLUMNS = ["account_id", "signal", "value", "shared_in_community", "value_accounts", "weight"]
BANNED_LINK_COLUMNS = ["account_id", "signal", "value", "value_accounts", "banned_share", "banned_cluster"]
BANLIST_COLUMNS = ["account_id", "decision", "score", "cluster_id", "reasons"]
CLUSTER_COLUMNS = ["cluster_id", "size", "score", "signals", "first_seen_run", "status"]


class DetectResult(BaseModel):
    run_id: str
    communities: CommunityResult
    accounts_scored: int
    bans: int
    new_bans: int
    reviews: int
    respawns_flagged: int
    clusters: int
    cluster_events: dict[str, int]
    dissolved_clusters: int
    absorbed_clusters: int


class Detection(BaseModel, arbitrary_types_allowed=True):
    result: DetectResult
    banlist: pd.DataFrame
    clusters: pd.DataFrame


def _frame(graph: Graph, name: str, columns: list[str]) -> pd.DataFrame:
    frame = graph.frame(name)
    return frame if not frame.empty else pd.DataFrame(columns=columns)


def _cluster_rows(scored: pd.DataFrame, assigned: pd.DataFrame, first_seen: pd.Series, run_id: str) -> pd.DataFrame:
    """clusters.csv: size, mean score, the kinds of evidence most members show, first run, tonight's event."""
    by_community = scored.groupby("community")
    majority = by_community[list(SIGNALS)].mean()
    rows = assigned.set_index("community").join(by_community["score"].mean().round(3).rename("score"))
    rows["signals"] = [",".join(k for k in SIGNALS if majority.loc[c, k] >= 0.5) for c in rows.index]
    rows["first_seen_run"] = [first_seen.get(cluster_id, run_id) for cluster_id in rows["cluster_id"]]
    return rows.reset_index()


def detect(graph: Graph, settings: Settings, *, run_id: str, batch: str) -> Detection:
    """Run detection on the graph as it stands; the Run node ``run_id`` must exist."""
    communities = detect_communities(graph, settings)
    # template families are re-weighted by the communities that use them (see the statement for why)
    graph.run_batched(
        "detect/family_weights",
        max_accounts=settings.detect_max_value_accounts,
        overlap_days=settings.detect_overlap_days,
    )
    features = graph.frame("detect/account_features")
    if features.empty:
        empty = DetectResult(run_id=run_id, communities=communities, accounts_scored=0, bans=0, new_bans=0, reviews=0,
                             respawns_flagged=0, clusters=0, cluster_events={}, dissolved_clusters=0,
                             absorbed_clusters=0)  # fmt: skip
        return Detection(result=empty, banlist=pd.DataFrame(columns=BANLIST_COLUMNS),
                         clusters=pd.DataFrame(columns=CLUSTER_COLUMNS))  # fmt: skip
    links = _frame(graph, "detect/account_links", LINK_COLUMNS)
    banned_links = _frame(graph, "detect/banned_links", BANNED_LINK_COLUMNS)
    scored = score_accounts(features, links, banned_links, batch, settings)

    previous = _frame(graph, "detect/read_clusters", ["cluster_id", "size", "first_seen_run"]).set_index("cluster_id")
    suspicious = set(scored.loc[scored["decision"] != "", "community"])

    def new_id() -> str:
        return f"C-{graph.write_returning('detect/next_cluster_number')[0]['number']:04d}"

    assigned = assign_cluster_ids(scored, suspicious, previous["size"], new_id)
    clusters = _cluster_rows(scored, assigned, previous["first_seen_run"], run_id)
    members = scored.merge(assigned[["community", "cluster_id"]], on="community")
    decided = members["decision"] != ""
    decided_links = links[links["account_id"].isin(members.loc[decided, "account_id"])]
    links_by_account = dict(tuple(decided_links.groupby("account_id")))
    members["reasons"] = ""
    members.loc[decided, "reasons"] = [
        account_reasons(row, links_by_account.get(row["account_id"], links.iloc[0:0]), row["cluster_id"],
                        settings.score_burst_hours)
        for _, row in members[decided].iterrows()
    ]  # fmt: skip

    graph.write("detect/clear_decisions")
    cluster_rows = frame_rows(clusters[["cluster_id", "size", "score", "signals", "status", "parents"]])
    graph.write_rows("detect/merge_clusters", cluster_rows, run_id=run_id)
    decision_rows = frame_rows(members[["account_id", "cluster_id", "score", "decision", "reasons"]])
    graph.write_rows("detect/write_decisions", decision_rows, run_id=run_id)
    ended = graph.write_returning("detect/dissolve_clusters", run_id=run_id)[0]

    banlist = members.loc[decided, BANLIST_COLUMNS].sort_values(["decision", "score"], ascending=[True, False])
    result = DetectResult(
        run_id=run_id,
        communities=communities,
        accounts_scored=len(scored),
        bans=int((members["decision"] == "ban").sum()),
        new_bans=int(((members["decision"] == "ban") & (members["previous_decision"] != "ban")).sum()),
        reviews=int((members["decision"] == "review").sum()),
        respawns_flagged=int((members["respawn"] & decided).sum()),
        clusters=len(clusters),
        cluster_events={str(status): int(n) for status, n in clusters["status"].value_counts().items()},
        dissolved_clusters=int(ended["dissolved"]),
        absorbed_clusters=int(ended["absorbed"]),
    )
    return Detection(result=result, banlist=banlist.reset_index(drop=True), clusters=clusters[CLUSTER_COLUMNS])
