"""The detection stage: evidence weights, communities, scores, stable cluster ids, decisions with reasons."""

from __future__ import annotations

import json

import pandas as pd
from pydantic import BaseModel

from linkage.detect.campaigns import Campaigns, SignatureRule, respawns, signatures
from linkage.detect.clusters import assign_cluster_ids, decided_members
from linkage.detect.communities import CommunityResult, detect_communities
from linkage.detect.evidence import INCIDENCE_COLUMNS, SWITCH_COLUMNS, Evidence, OrgRule, weigh
from linkage.detect.reasons import account_reasons, cluster_rows, evidence_reasons
from linkage.detect.scoring import KINDS, Volume, best_evidence, score_accounts
from linkage.graph import Graph, frame_rows
from linkage.settings import Settings

BANNED_LINK_COLUMNS = ["account_id", "kind", "value", "value_accounts", "banned_share", "banned_cluster"]
BANLIST_COLUMNS = ["account_id", "decision", "score", "cluster_id", "reasons", "reason_records"]
# size: the whole community a cluster stands for (its bans, its reviews and the accounts around them with no decision)
CLUSTER_COLUMNS = ["cluster_id", "bans", "reviews", "size", "score", "signals", "first_seen_run", "status"]


class DetectResult(BaseModel):
    run_id: str
    communities: CommunityResult
    values_weighed: int
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


def _frame(graph: Graph, name: str, columns: list[str], **params: object) -> pd.DataFrame:
    frame = graph.frame(name, **params)
    return frame if not frame.empty else pd.DataFrame(columns=columns)


def read_incidence(graph: Graph) -> pd.DataFrame:
    """Every value at least two accounts use, one row per (value, account)."""
    return _frame(graph, "detect/value_incidence", INCIDENCE_COLUMNS)


def weigh_evidence(graph: Graph, settings: Settings, incidence: pd.DataFrame) -> Evidence:
    """Weigh every value at least two accounts use (``incidence``: ``read_incidence``) and write the
    weights on the values (for the projection)."""
    accounts = int(graph.read("detect/count_accounts")[0]["accounts"])
    seconds = int(settings.detect_sync_window_hours * 3600)
    windows = _frame(graph, "detect/signup_windows", ["window", "accounts"], window_seconds=seconds)
    window_counts = windows.set_index("window")["accounts"]
    switch_seconds = int(settings.detect_switch_window_hours * 3600)
    switches = _frame(graph, "detect/model_switches", SWITCH_COLUMNS, window_seconds=switch_seconds)
    habit_counts = _frame(graph, "detect/habit_counts", ["habit", "accounts"]).set_index("habit")["accounts"]
    org_rule = OrgRule(settings.detect_org_office_share, settings.detect_org_coverage)
    evidence = weigh(incidence, window_counts, accounts, settings.detect_significance_decades,
                     settings.detect_sync_window_hours, org_rule, switches, habit_counts,
                     pool_below=settings.score_min_infra_shared)  # fmt: skip
    columns = ["node", "accounts", "coherence", "org_share", "weight"]
    graph.write_rows("detect/set_value_weights", frame_rows(evidence.values[columns]))
    graph.write("detect/clear_inferred_orgs")
    graph.write_rows("detect/set_inferred_orgs", frame_rows(evidence.orgs))
    return evidence


def evidence_rows(scored: pd.DataFrame) -> list[dict[str, object]]:
    """Per account with any evidence: its kinds' strengths as two parallel lists, and the rest of its record."""
    shown = scored[scored["score"] > 0]
    strengths = shown[list(KINDS)].round(3)
    return [
        {"account_id": account, "score": score, "kinds": kinds, "community_size": size, "missed": why,
         "evidence_kinds": list(KINDS), "evidence_strengths": values}
        for account, score, kinds, size, why, values in zip(
            shown["account_id"], shown["score"].astype(float), shown["kinds"].astype(int),
            shown["community_size"].astype(int), shown["missed"], strengths.to_numpy().tolist(), strict=True,
        )
    ]  # fmt: skip


def detect(graph: Graph, settings: Settings, *, run_id: str, batch: str) -> Detection:
    """Run detection on the graph as it stands; the Run node ``run_id`` must exist."""
    incidence = read_incidence(graph)
    evidence = weigh_evidence(graph, settings, incidence)
    communities = detect_communities(graph, settings)
    features = graph.frame("detect/account_features")
    if features.empty:
        empty = DetectResult(run_id=run_id, communities=communities, values_weighed=len(evidence.values),
                             accounts_scored=0, bans=0, new_bans=0, reviews=0, respawns_flagged=0, clusters=0,
                             cluster_events={}, dissolved_clusters=0, absorbed_clusters=0)  # fmt: skip
        return Detection(result=empty, banlist=pd.DataFrame(columns=BANLIST_COLUMNS),
                         clusters=pd.DataFrame(columns=CLUSTER_COLUMNS))  # fmt: skip
    links = evidence.links.merge(evidence.values[["node", "accounts"]].rename(columns={"accounts": "value_accounts"}))
    best = best_evidence(links, features.set_index("account_id")["community"], settings)
    banned_links = _frame(graph, "detect/banned_links", BANNED_LINK_COLUMNS)
    typical = graph.read("detect/output_volume", min_requests=settings.score_min_requests)[0]
    volume = Volume(median=float(typical["median"] or 0.0), mad=float(typical["mad"] or 0.0))
    known = Campaigns.from_rows(graph.read("detect/read_campaigns"))
    new = features.loc[(features["first_batch"] == batch) & features["previous_decision"].ne("ban"), "account_id"]
    campaign_respawns = respawns(known, incidence, pd.Index(new))
    scored = score_accounts(features, best, banned_links, volume, batch, settings, campaign_respawns)

    previous = _frame(graph, "detect/read_clusters", ["cluster_id", "decided", "first_seen_run"])
    previous = previous.set_index("cluster_id")
    suspicious = set(scored.loc[scored["decision"] != "", "community"])

    def new_id() -> str:
        return f"C-{graph.write_returning('detect/next_cluster_number')[0]['number']:04d}"

    assigned = assign_cluster_ids(decided_members(scored), suspicious, previous["decided"], new_id)
    clusters = cluster_rows(scored, assigned, previous["first_seen_run"], run_id, settings)
    members = scored.merge(assigned[["community", "cluster_id"]], on="community")
    decided = members["decision"] != ""
    decided_accounts = members[decided]
    cluster_of = dict(zip(decided_accounts["account_id"], decided_accounts["cluster_id"], strict=True))
    shared_reasons = evidence_reasons(best[best["account_id"].isin(cluster_of)], cluster_of)
    records = {
        row["account_id"]: account_reasons(row, shared_reasons.get(row["account_id"], []), settings)
        for row in decided_accounts.to_dict("records")
    }
    found = [[r.model_dump() for r in records.get(a, [])] for a in members["account_id"]]
    members["reason_records"] = pd.Series(found, index=members.index, dtype=object)
    members["reasons"] = ["; ".join(r["sentence"] for r in reasons) for reasons in found]
    members["reason_json"] = [json.dumps(reasons) for reasons in found]

    graph.write("detect/clear_decisions")
    graph.write_rows("detect/write_evidence", evidence_rows(scored))
    cluster_frame = frame_rows(
        clusters[["cluster_id", "bans", "reviews", "size", "score", "signals", "status", "parents"]]
    )
    graph.write_rows("detect/merge_clusters", cluster_frame, run_id=run_id)
    decision_rows = frame_rows(members[["account_id", "cluster_id", "score", "decision", "reasons", "reason_json"]])
    graph.write_rows("detect/write_decisions", decision_rows, run_id=run_id)
    ended = graph.write_returning("detect/dissolve_clusters", run_id=run_id)[0]
    rule = SignatureRule(settings.score_campaign_member_share, settings.score_respawn_banned_share,
                         settings.score_campaign_habit_share)  # fmt: skip
    tonight = signatures(members.loc[members["decision"] == "ban", ["account_id", "cluster_id"]], incidence, rule)
    graph.write_rows("detect/merge_campaigns", tonight.rows(), run_id=run_id)

    banlist = members.loc[decided, BANLIST_COLUMNS].sort_values(["decision", "score"], ascending=[True, False])
    result = DetectResult(
        run_id=run_id,
        communities=communities,
        values_weighed=len(evidence.values),
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
