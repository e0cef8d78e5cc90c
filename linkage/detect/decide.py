"""Detection's decisions from frames: scores, decisions, cluster ids, reasons and tonight's campaign signatures,
with no I/O.

:func:`linkage.detect.stage.read_inputs` reads what they need once communities are written, :func:`decide` makes
them, and :func:`linkage.detect.stage.write_decisions` writes them all in one place: a decision can be tested, or
made again, from frames without a database.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

import pandas as pd

from linkage.detect.campaigns import Campaigns, SignatureRule, respawns, signatures
from linkage.detect.clusters import assign_cluster_ids, decided_members
from linkage.detect.collateral import COLLATERAL_COLUMNS, collateral, hold_collateral
from linkage.detect.reasons import account_reasons, cluster_rows, evidence_reasons
from linkage.detect.scoring import (
    REPORTED_COLUMNS,
    Volume,
    best_evidence,
    join_banned_networks,
    join_partner_reports,
    score_accounts,
)
from linkage.settings import Thresholds

BANNED_LINK_COLUMNS = ["account_id", "kind", "value", "value_accounts", "banned_share", "banned_cluster"]
PREVIOUS_CLUSTER_COLUMNS = ["cluster_id", "decided", "first_seen_run"]


@dataclass(frozen=True)
class DetectionInputs:
    """What tonight's decisions are made from, as the graph holds it once evidence is weighed and communities are
    written."""

    batch: str  # tonight's batch id: its new accounts may be respawns
    run_id: str
    features: pd.DataFrame  # one row per account in a community (cypher/detect/account_features.cypher)
    links: pd.DataFrame  # each account's weighed values (Evidence.links) with the accounts using each (value_accounts)
    incidence: pd.DataFrame  # every account's use of a value at least two accounts use (evidence.INCIDENCE_COLUMNS)
    banned_links: pd.DataFrame  # values of banned networks and who uses them (BANNED_LINK_COLUMNS)
    volume: Volume  # the population's output volume
    requests: pd.Series  # tonight's requests of every account that sent any, by account id (collateral's traffic)
    campaigns: Campaigns  # banned campaigns' signatures from earlier nights
    previous_clusters: pd.DataFrame  # the clusters still alive (PREVIOUS_CLUSTER_COLUMNS), indexed by cluster_id
    next_cluster_number: int  # the first number a new cluster may take (numbers are never reused)
    # accounts that use a value a partner reported (REPORTED_COLUMNS): leads, never evidence (join_partner_reports)
    reported: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPORTED_COLUMNS))


@dataclass(frozen=True)
class Decisions:
    scored: pd.DataFrame  # one row per community member: strengths, score, decision, missed (score_accounts)
    members: pd.DataFrame  # members of tonight's clusters with cluster_id, reasons, reason_records, reason_json
    clusters: pd.DataFrame  # one row per cluster (reasons.cluster_rows) with its parents and its collateral
    campaigns: Campaigns  # tonight's signature of every cluster with bans
    next_cluster_number: int  # the first number tonight's new clusters left unused


def decide(inputs: DetectionInputs, thresholds: Thresholds) -> Decisions:
    """Score every community member, decide, give each suspicious community a stable cluster id (new ones numbered
    from ``inputs.next_cluster_number``), and write each decision's reasons."""
    features = inputs.features
    best = best_evidence(inputs.links, features.set_index("account_id")["community"], thresholds)
    new = features.loc[(features["first_batch"] == inputs.batch) & features["previous_decision"].ne("ban")]
    campaign_respawns = respawns(inputs.campaigns, inputs.incidence, pd.Index(new["account_id"]))
    scored = score_accounts(features, best, inputs.banned_links, inputs.volume, inputs.batch, thresholds,
                            campaign_respawns)  # fmt: skip
    rule = SignatureRule.of(thresholds)
    banned = scored.loc[scored["decision"] == "ban", ["account_id", "community"]]
    tonight = signatures(banned.rename(columns={"community": "cluster_id"}), inputs.incidence, rule)
    open_ = scored["decision"].ne("ban") & scored["community"].isin(banned["community"])
    open_ = pd.Index(scored.loc[open_, "account_id"])
    # tonight's networks' members matched as their respawns would be tomorrow, sharing their banned accounts' values
    matches = respawns(tonight, inputs.incidence, open_, partners=pd.Index(banned["account_id"]))
    scored = join_banned_networks(scored, matches, thresholds)
    scored = join_partner_reports(scored, inputs.reported, thresholds)
    every_ban = pd.Index(scored.loc[scored["decision"].eq("ban") | scored["banned_in_batch"], "account_id"])
    hit = collateral(scored.loc[scored["decision"] == "ban", ["account_id", "community", "kinds"]], every_ban, best,
                     inputs.incidence, inputs.requests, thresholds.score_min_kinds)  # fmt: skip
    scored = hold_collateral(scored, hit, thresholds)
    held = set(scored.loc[scored["held"].notna(), "community"])
    tonight = tonight.without(held)

    previous = inputs.previous_clusters
    suspicious = set(scored.loc[scored["decision"] != "", "community"])
    numbers = itertools.count(inputs.next_cluster_number)
    assigned = assign_cluster_ids(decided_members(scored), suspicious, previous["decided"],
                                  lambda: f"C-{next(numbers):04d}")  # fmt: skip
    clusters = cluster_rows(scored, assigned, previous["first_seen_run"], inputs.run_id, thresholds)
    clusters = clusters.join(hit, on="community").fillna({column: 0 for column in COLLATERAL_COLUMNS})
    clusters = clusters.astype({column: float if column == "collateral_traffic" else int
                                for column in COLLATERAL_COLUMNS})  # fmt: skip
    clusters["held"] = clusters["community"].isin(held)
    members = scored.merge(assigned[["community", "cluster_id"]], on="community")
    decided = members[members["decision"] != ""]
    cluster_of = dict(zip(decided["account_id"], decided["cluster_id"], strict=True))
    shared_reasons = evidence_reasons(best[best["account_id"].isin(cluster_of)], cluster_of)
    records = {
        row["account_id"]: account_reasons(row, shared_reasons.get(row["account_id"], []), thresholds)
        for row in decided.to_dict("records")
    }
    found = [[r.model_dump() for r in records.get(a, [])] for a in members["account_id"]]
    members["reason_records"] = pd.Series(found, index=members.index, dtype=object)
    members["reasons"] = ["; ".join(r["sentence"] for r in reasons) for reasons in found]
    members["reason_json"] = [json.dumps(reasons) for reasons in found]

    cluster_of_community = dict(zip(assigned["community"], assigned["cluster_id"], strict=True))
    return Decisions(scored, members, clusters, tonight.renamed(cluster_of_community), next(numbers))
