"""Small hand-made graphs in the agreed model, for tests of the stages that read the graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from linkage.graph import Graph

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

CREATE_ACCOUNTS = """
UNWIND $rows AS row
MERGE (a:Account {account_id: row.id})
SET a.created_at = row.created_at, a.org_id = row.org, a.first_batch = row.batch, a.last_batch = row.batch,
    a.prompt_requests = row.requests, a.prompt_cot_share = row.cot, a.prompt_template_concentration = row.conc,
    a.prompt_output_tokens = row.requests * 900, a.allowlisted = row.allowlisted, a.banned = row.banned
FOREACH (_ IN CASE WHEN row.org IS NULL THEN [] ELSE [1] END |
  MERGE (o:Org {org_id: row.org}) MERGE (a)-[:MEMBER_OF]->(o))
WITH a, row
MERGE (d:EmailDomain {domain: row.domain})
SET d.disposable = row.disposable
MERGE (a)-[:EMAIL_AT]->(d)
"""

LINK = {
    "card": "MATCH (a:Account {account_id: row.id}) MERGE (v:PaymentMethod {fingerprint: row.value}) "
    "MERGE (a)-[:PAID_WITH]->(v)",
    "ip": "MATCH (a:Account {account_id: row.id}) MERGE (v:IP {address: row.value}) "
    "MERGE (s:Subnet {cidr: row.subnet}) MERGE (v)-[:IN_SUBNET]->(s) MERGE (a)-[r:CONNECTED_FROM]->(v) "
    "SET r.count = 3",
    "device": "MATCH (a:Account {account_id: row.id}) MERGE (v:Device {device_id: row.value}) "
    "MERGE (a)-[:USED_DEVICE]->(v)",
    "template": "MATCH (a:Account {account_id: row.id}) MERGE (v:TemplateFamily {family_id: row.value}) "
    "MERGE (a)-[r:USES_TEMPLATE]->(v) SET r.share = 0.9",
}


def add_accounts(
    graph: Graph,
    prefix: str,
    count: int,
    *,
    org: str | None = None,
    domain: str = "gmail.com",
    disposable: bool = False,
    cot: float = 0.05,
    concentration: float = 0.1,
    spread_hours: float = 24 * 60,
    batch: str = "night1",
    allowlisted: bool = False,
    banned: bool = False,
) -> list[str]:
    ids = [f"{prefix}-{i:03d}" for i in range(count)]
    rows = [
        {
            "id": account_id,
            "created_at": T0 + timedelta(hours=spread_hours * i / max(count, 1)),
            "org": org,
            "batch": batch,
            "requests": 40,
            "cot": cot,
            "conc": concentration,
            "domain": domain,
            "disposable": disposable,
            "allowlisted": allowlisted,
            "banned": banned,
        }
        for i, account_id in enumerate(ids)
    ]
    graph.gds.run_cypher("UNWIND $rows AS row " + CREATE_ACCOUNTS.replace("UNWIND $rows AS row", ""), {"rows": rows})
    return ids


def link(graph: Graph, kind: str, pairs: list[dict[str, Any]]) -> None:
    """``pairs``: dicts with ``id`` (account) and ``value`` (and ``subnet`` for IPs)."""
    graph.gds.run_cypher("UNWIND $rows AS row " + LINK[kind], {"rows": pairs})


def share(graph: Graph, kind: str, ids: list[str], values: list[str], subnet: str = "198.51.100.0/24") -> None:
    """Spread ``values`` round-robin over ``ids``: each value shared by len(ids)/len(values) accounts."""
    link(graph, kind, [{"id": a, "value": values[i % len(values)], "subnet": subnet} for i, a in enumerate(ids)])


def add_bystanders(graph: Graph, count: int = 300) -> list[str]:
    """Independent accounts that share nothing: the population a value's sharing is measured against (in a graph
    of a few dozen accounts, every shared value is common and nothing is surprising)."""
    return add_accounts(graph, "bystander", count)
