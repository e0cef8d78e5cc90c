"""One word for each kind of evidence and reason, wherever a person reads it: the report's chart, its ban table
(shown beside each decision and found by its search) and the reasons' records (``kind``, the machine name)."""

from __future__ import annotations

INFRASTRUCTURE = ("payment", "network", "device", "email")  # what a network of accounts buys
VALUE_KINDS = (*INFRASTRUCTURE, "template")  # the kinds whose reasons cite a value an account shares

# a reason record's kind -> what the report calls it; the reasons' sentences name a shared value by the same word
# (linkage/detect/reasons.py: value_name), but for a network, which they call an IP or a subnet
EVIDENCE_LABELS = {
    "payment": "payment method",
    "network": "network",
    "device": "device",
    "email": "disposable e-mail domain",
    "template": "prompt template family",
    "harvest": "harvest",
    "respawn": "respawn",
    "banned_infrastructure": "banned infrastructure",
    "banned_network": "banned network",
    "network_signature": "banned network's signature",
    "partner_report": "partner's report",
    "similar_prompts": "near-duplicate prompts",
    "chain_of_thought": "step-by-step prompts",
    "burst": "sign-up burst",
    "collateral": "held for collateral",
}


# a value's link in the graph -> the kind of evidence it is (a subnet is reached through an account's IPs)
LINK_KINDS = {
    "PAID_WITH": "payment",
    "CONNECTED_FROM": "network",
    "IN_SUBNET": "network",
    "USED_DEVICE": "device",
    "EMAIL_AT": "email",
    "USES_TEMPLATE": "template",
}


def evidence_labels(records: list[dict[str, object]]) -> list[str]:
    """The labels of a decision's reason records, once each, in the records' order (its score is no evidence)."""
    kinds = dict.fromkeys(str(record["kind"]) for record in records)
    return [EVIDENCE_LABELS[kind] for kind in kinds if kind in EVIDENCE_LABELS]
