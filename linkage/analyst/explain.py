"""`linkage explain ACCOUNT_ID`: the evidence behind one account, as trust & safety or an analyst reads it."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from linkage.analyst.known import require_account, require_known
from linkage.detect.reasons import Reason, value_name
from linkage.graph import Graph
from linkage.settings import Settings
from linkage.vocabulary import LINK_KINDS


class SharedValue(BaseModel):
    kind: str  # in words: "payment method", "subnet", "disposable e-mail domain"…
    value: str | None
    accounts: int | None  # accounts that use it
    weight: float | None  # its evidence weight tonight (None: not evidence, e.g. a popular e-mail domain)
    shared_in_cluster: int  # other members of this account's cluster that use it (a subnet: through their IPs)
    example: str | None = None  # a template family's or segment's redacted example
    reversed: int  # other accounts that use it whose ban an appeal reversed (its use may be as innocent as theirs)


def link_name(link: str, disposable: bool, value: str | None = None) -> str:
    """A link's value in the reasons' words (:func:`linkage.detect.reasons.value_name`); an e-mail domain is
    evidence, and called disposable, only when it is on the list; an org is no evidence."""
    if link == "MEMBER_OF":
        return "org"
    if link == "EMAIL_AT" and not disposable:
        return "e-mail domain"
    if link == "IN_SUBNET":
        return "subnet"
    return value_name(LINK_KINDS[link], value or "")


class Explanation(BaseModel):
    account_id: str
    decision: str | None
    score: float | None  # only beside a decision: a score alone decides nothing
    reasons: list[Reason]  # tonight's decision's, as the ban list has them (none without a decision)
    cluster_id: str | None
    cluster_size: int | None  # its whole community
    cluster_bans: int
    cluster_reviews: int
    cluster_status: str | None
    cluster_signals: str | None
    created_at: str | None
    banned_in_batch: bool
    allowlisted: bool
    decided_run: str | None
    prompt_requests: int | None
    cot_share: float | None
    template_concentration: float | None
    output_tokens: int | None
    similar_accounts: int
    max_similarity: float | None
    kinds: int
    evidence: dict[str, float]  # strength of each kind of evidence tonight, strongest first
    community_size: int | None
    inferred_org: str | None  # its own e-mail domain, standing for an org it has no org id of
    reversed: bool  # an appeal reversed its ban: allowlisted since
    collateral: dict[str, Any] | None  # what its cluster's ban would hit besides the farm (clusters.csv's columns)
    why_not: str | None  # for an account without a ban: each condition a ban needs that it misses, by how much
    shared: list[SharedValue]  # what its reasons cite first, then by weight, then by members of its cluster


class ClusterExplanation(BaseModel):
    """One cluster as trust & safety weighs its ban (``analyst/explain_cluster``): the collateral is blank for a
    cluster that had no ban to weigh."""

    cluster_id: str
    status: str | None
    size: int | None
    bans: int
    reviews: int
    score: float | None
    signals: str | None
    first_seen_run: str | None
    last_seen_run: str | None
    held: bool  # its collateral exceeded LINKAGE_SCORE_MAX_COLLATERAL: its bans went to review
    collateral: int | None  # accounts outside the ban that share its values, ...
    collateral_cards: int | None  # ... through each kind of value
    collateral_ips: int | None
    collateral_subnets: int | None
    collateral_devices: int | None
    collateral_templates: int | None
    collateral_org: int | None  # ... of them an org's
    collateral_traffic: float | None  # their share of tonight's requests
    reversed: list[str]  # its accounts whose ban an appeal reversed


def explain_cluster(settings: Settings, cluster_id: str) -> ClusterExplanation:
    with Graph(settings) as graph:
        require_known(graph, "cluster_id", cluster_id)
        return ClusterExplanation.model_validate(graph.read("analyst/explain_cluster", cluster_id=cluster_id)[0])


def explain(settings: Settings, account_id: str) -> Explanation:
    with Graph(settings) as graph:
        require_account(graph, account_id)
        row: dict[str, Any] = graph.read("analyst/explain_account", account_id=account_id)[0]
    decided = row["decision"] is not None
    # an account that had a decision on an earlier night keeps its records in the graph: only a decision's are shown
    records = row.pop("reason_records")
    reasons = [Reason(**record) for record in json.loads(records)] if decided and records else []
    shared = [
        SharedValue(kind=link_name(item["signal"], item["disposable"], item["value"]), value=item["value"],
                    accounts=item["accounts"], weight=item["weight"], shared_in_cluster=item["shared_in_cluster"],
                    example=item["example"], reversed=item["reversed"])
        for item in row.pop("shared")
    ]  # fmt: skip
    cited = {reason.value for reason in reasons if reason.value is not None}
    shared.sort(key=lambda s: (s.value not in cited, -(s.weight or 0.0), -s.shared_in_cluster, s.value or ""))
    created = row.pop("created_at")
    strengths = zip(row.pop("evidence_kinds"), row.pop("evidence_strengths"), strict=True)
    evidence = dict(sorted(((k, float(v)) for k, v in strengths if v > 0), key=lambda kv: -kv[1]))
    missed = row.pop("missed")
    why_not = None if row["decision"] == "ban" else _why_not(row, missed, shared)
    return Explanation(**{**row, "score": row["score"] if decided else None}, reasons=reasons,
                       created_at=_to_the_second(created), evidence=evidence, why_not=why_not,
                       shared=shared)  # fmt: skip


def _to_the_second(moment: Any) -> str | None:
    """A Neo4j DateTime as ISO 8601 to the second (the graph keeps nanoseconds; nobody signs off on them)."""
    return None if moment is None else moment.to_native().replace(microsecond=0).isoformat()


def _through(shared: list[SharedValue]) -> str:
    """The value that ties an account to its cluster's community most (the one most other members share), with its
    weight: for an account with no decision, why it is there at all."""
    linking = max((s for s in shared if s.shared_in_cluster), default=None,
                  key=lambda s: (s.shared_in_cluster, s.weight or 0.0))  # fmt: skip
    if linking is None:
        return ""
    weight = f"weight {linking.weight:.3f}" if linking.weight else "no evidence weight"
    return f" through {linking.kind} {linking.value} (shared with {linking.shared_in_cluster:,} of them; {weight})"


def _why_not(row: dict[str, Any], missed: str | None, shared: list[SharedValue]) -> str:
    """What a ban would need that this account lacks (nothing was recorded tonight: it had no evidence at all)."""
    if row["reversed"]:
        return "its ban was reversed on appeal (`linkage actions`): allowlisted, never banned again"
    if row["allowlisted"]:
        return "allowlisted: never banned"
    if row["banned_in_batch"]:
        return "already banned in a batch"
    found = missed or "no evidence tonight: it shares no corroborated value with a community of accounts"
    if row["decision"] is None and (row["cluster_bans"] or row["cluster_reviews"]):
        # a community holds the innocent accounts around a farm too: being in it is no decision
        found = (
            f"no decision of its own in the community of cluster {row['cluster_id']} ({row['cluster_bans']:,} "
            f"banned, {row['cluster_reviews']:,} in review, {row['cluster_size']:,} accounts in all)"
            f"{_through(shared)}: {found}"
        )
    if row.get("inferred_org"):
        found += (f"; one customer without an org id: its own e-mail domain {row['inferred_org']} stands for an org "
                  "(most of its accounts share one card or one address), and what that org uses as a whole weighs "
                  "nothing between its accounts")  # fmt: skip
    return found
