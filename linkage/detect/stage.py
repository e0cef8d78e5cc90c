"""The detection stage: evidence weights, communities, scores, stable cluster ids, decisions with reasons.

Two rounds around GDS: the values' weights are read, weighed and written (the projection needs them), communities
are found; then what decisions need is read (:func:`read_inputs`), decided in pure code
(:func:`linkage.detect.decide.decide`) and written in one place (:func:`write_decisions`).
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel

from linkage.detect.campaigns import Campaigns
from linkage.detect.collateral import COLLATERAL_COLUMNS
from linkage.detect.communities import CommunityResult, detect_communities
from linkage.detect.decide import BANNED_LINK_COLUMNS, PREVIOUS_CLUSTER_COLUMNS, Decisions, DetectionInputs, decide
from linkage.detect.evidence import INCIDENCE_COLUMNS, SWITCH_COLUMNS, Evidence, OrgRule, weigh
from linkage.detect.scoring import KINDS, REPORTED_COLUMNS, Volume
from linkage.graph import Graph, frame_rows
from linkage.settings import Settings
from linkage.share.import_ import mark_reported_values

BANLIST_COLUMNS = ["account_id", "decision", "score", "cluster_id", "reasons", "reason_records"]
# size: the whole community a cluster stands for (its bans, its reviews and the accounts around them with no decision)
# then what its ban would hit besides the farm (linkage/detect/collateral.py), and whether that held its bans back
CLUSTER_COLUMNS = ["cluster_id", "bans", "reviews", "size", "score", "signals", "first_seen_run", "status",
                   *COLLATERAL_COLUMNS, "held"]  # fmt: skip


class ClusterCollateral(BaseModel):
    """run.json's record of one cluster with bans (or held back from them): what its ban would hit."""

    cluster_id: str
    bans: int
    held: bool
    collateral: int
    collateral_cards: int
    collateral_ips: int
    collateral_subnets: int
    collateral_devices: int
    collateral_templates: int
    collateral_org: int
    collateral_traffic: float


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
    held_for_collateral: int  # clusters whose bans went to review: their collateral exceeds score_max_collateral
    partner_reviews: int  # accounts in review because a partner reported a value they use (one kind short of a ban)
    partner_hashes_matched: bool  # False: partner reports carry hashes, but no LINKAGE_SHARE_KEY to match them by
    collateral: list[ClusterCollateral]  # every cluster with bans tonight, and every one held back


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


def read_inputs(graph: Graph, evidence: Evidence, incidence: pd.DataFrame, settings: Settings, *, run_id: str,
                batch: str) -> DetectionInputs:  # fmt: skip
    """What :func:`linkage.detect.decide.decide` takes, read once evidence is weighed and communities written."""
    features = graph.frame("detect/account_features")
    links = evidence.links.merge(evidence.values[["node", "accounts"]].rename(columns={"accounts": "value_accounts"}))
    typical = graph.read("detect/output_volume", min_requests=settings.score_min_requests)[0]
    previous = _frame(graph, "detect/read_clusters", PREVIOUS_CLUSTER_COLUMNS).set_index("cluster_id")
    return DetectionInputs(
        batch=batch,
        run_id=run_id,
        features=features,
        links=links,
        incidence=incidence,
        banned_links=_frame(graph, "detect/banned_links", BANNED_LINK_COLUMNS),
        volume=Volume(median=float(typical["median"] or 0.0), mad=float(typical["mad"] or 0.0)),
        requests=_frame(graph, "detect/account_requests", ["account_id", "requests"]).set_index("account_id")[
            "requests"
        ],
        campaigns=Campaigns.from_rows(graph.read("detect/read_campaigns")),
        previous_clusters=previous,
        next_cluster_number=int(graph.read("detect/read_cluster_number")[0]["number"]),
        reported=_frame(graph, "detect/partner_reports", REPORTED_COLUMNS),
    )


def write_decisions(graph: Graph, decisions: Decisions, run_id: str) -> dict[str, int]:
    """Every write of tonight's decisions, in one place: evidence on the accounts, clusters and their events,
    decisions and reasons, the clusters no community continues, campaign signatures. Returns how many earlier
    clusters ended (dissolved, absorbed)."""
    graph.write("detect/clear_decisions")
    graph.write_rows("detect/write_evidence", evidence_rows(decisions.scored))
    graph.write("detect/advance_cluster_number", number=decisions.next_cluster_number)
    columns = ["cluster_id", "bans", "reviews", "size", "score", "signals", "status", "parents", *COLLATERAL_COLUMNS,
               "held"]  # fmt: skip
    graph.write_rows("detect/merge_clusters", frame_rows(decisions.clusters[columns]), run_id=run_id)
    written = decisions.members[["account_id", "cluster_id", "score", "decision", "reasons", "reason_json"]]
    graph.write_rows("detect/write_decisions", frame_rows(written), run_id=run_id)
    ended = graph.write_returning("detect/dissolve_clusters", run_id=run_id)[0]
    graph.write_rows("detect/merge_campaigns", decisions.campaigns.rows(), run_id=run_id)
    return {"dissolved": int(ended["dissolved"]), "absorbed": int(ended["absorbed"])}


def _assessed(clusters: pd.DataFrame) -> pd.DataFrame:
    """The clusters whose collateral was weighed: those with bans tonight and those it held back."""
    return clusters.loc[(clusters["bans"] > 0) | clusters["held"], ["cluster_id", "bans", "held", *COLLATERAL_COLUMNS]]


def detect(graph: Graph, settings: Settings, *, run_id: str, batch: str) -> Detection:
    """Run detection on the graph as it stands; the Run node ``run_id`` must exist. Mark the values partners
    reported that tonight brought, read, weigh and write the values' weights (what the projection needs), find
    communities in GDS, then read, decide and write."""
    hashes_matched = mark_reported_values(graph, settings)
    incidence = read_incidence(graph)
    evidence = weigh_evidence(graph, settings, incidence)
    communities = detect_communities(graph, settings)
    inputs = read_inputs(graph, evidence, incidence, settings, run_id=run_id, batch=batch)
    if inputs.features.empty:
        empty = DetectResult(run_id=run_id, communities=communities, values_weighed=len(evidence.values),
                             accounts_scored=0, bans=0, new_bans=0, reviews=0, respawns_flagged=0, clusters=0,
                             cluster_events={}, dissolved_clusters=0, absorbed_clusters=0, held_for_collateral=0,
                             partner_reviews=0, partner_hashes_matched=hashes_matched, collateral=[])  # fmt: skip
        return Detection(result=empty, banlist=pd.DataFrame(columns=BANLIST_COLUMNS),
                         clusters=pd.DataFrame(columns=CLUSTER_COLUMNS))  # fmt: skip
    decisions = decide(inputs, settings)
    ended = write_decisions(graph, decisions, run_id)

    members, clusters = decisions.members, decisions.clusters
    decided = members["decision"] != ""
    banlist = members.loc[decided, BANLIST_COLUMNS].sort_values(["decision", "score"], ascending=[True, False])
    result = DetectResult(
        run_id=run_id,
        communities=communities,
        values_weighed=len(evidence.values),
        accounts_scored=len(decisions.scored),
        bans=int((members["decision"] == "ban").sum()),
        new_bans=int(((members["decision"] == "ban") & (members["previous_decision"] != "ban")).sum()),
        reviews=int((members["decision"] == "review").sum()),
        respawns_flagged=int((members["respawn"] & decided).sum()),
        clusters=len(clusters),
        cluster_events={str(status): int(n) for status, n in clusters["status"].value_counts().items()},
        dissolved_clusters=ended["dissolved"],
        absorbed_clusters=ended["absorbed"],
        held_for_collateral=int(clusters["held"].sum()),
        partner_reviews=int((members["partner_lead"] & members["decision"].eq("review")).sum()),
        partner_hashes_matched=hashes_matched,
        collateral=[ClusterCollateral.model_validate(row) for row in _assessed(clusters).to_dict("records")],
    )
    return Detection(result=result, banlist=banlist.reset_index(drop=True), clusters=clusters[CLUSTER_COLUMNS])
