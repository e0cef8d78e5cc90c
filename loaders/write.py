"""Writing a validated batch in UNWIND batches: nodes (accounts, and each e-mail domain, org, card, IP and device
once) before the relationships that join them.

Relationship rows are sorted by the shared value they point to, so writers that load batches at the same time
take the locks on shared nodes (an IP, a card) in one global order; the driver's managed transactions retry
whatever is transient all the same.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import pandas as pd

from linkage.graph import Graph, WriteCounts, frame_rows
from loaders.addresses import routable
from loaders.times import epoch_millis

Advance = Callable[[int], None]


def _epoch_millis(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as epoch milliseconds, which the statements turn back into datetimes: packing a datetime object
    per value in the driver halved write throughput (37k against 20k relationships/s on the same rows)."""
    columns = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    millis = {c: pd.Series(pd.array(epoch_millis(frame[c]), dtype="Int64"), index=frame.index).mask(frame[c].isna())
              for c in columns}  # fmt: skip
    return frame.assign(**millis) if millis else frame


def _write(graph: Graph, statement: str, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    frame = _epoch_millis(frame)
    counts = WriteCounts()
    size = graph.settings.write_batch_size
    for start in range(0, len(frame), size):
        part = frame.iloc[start : start + size]
        counts.merge(graph.write_rows(statement, frame_rows(part), batch=batch))
        advance(len(part))
    return counts


def _write_links(
    graph: Graph, statement: str, frame: pd.DataFrame, end: str, batch: str, advance: Advance
) -> WriteCounts:
    """Relationships from accounts to the shared value in column ``end``, sorted by that value."""
    return _write(graph, statement, frame.sort_values([end, "account_id"]), batch, advance)


def ensure_accounts(graph: Graph, ids: pd.Series, batch: str) -> WriteCounts:
    """Create the accounts a file refers to but no accounts file listed, before their relationships."""
    unique = pd.DataFrame({"account_id": sorted(ids.unique())})
    return _write(graph, "load/merge_account_ids", unique, batch, lambda _: None)


def write_accounts(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    """Accounts, then their e-mail domains and orgs (each value once), then the links between them."""
    counts = _write(graph, "load/merge_accounts", frame.sort_values("account_id"), batch, advance)
    domains = frame.dropna(subset=["email_domain"]).drop_duplicates("email_domain", keep="last")
    counts.merge(_write(graph, "load/merge_email_domains", domains.sort_values("email_domain"), batch, lambda _: None))
    orgs = pd.DataFrame({"org_id": sorted(frame["org_id"].dropna().unique())})
    counts.merge(_write(graph, "load/merge_orgs", orgs, batch, lambda _: None))
    for statement, end in (("load/merge_email_at", "email_domain"), ("load/merge_member_of", "org_id")):
        links = frame.dropna(subset=[end])[["account_id", end]]
        counts.merge(_write_links(graph, statement, links, end, batch, lambda _: None))
    return counts


def write_payments(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    # each column's last value given (merge_payment_methods keeps earlier chunks' values where a column is empty)
    methods = frame.groupby("fingerprint", as_index=False, sort=True)[["method_type", "card_country"]].last()
    counts = _write(graph, "load/merge_payment_methods", methods, batch, lambda _: None)
    counts.merge(ensure_accounts(graph, frame["account_id"], batch))
    links = frame.groupby(["account_id", "fingerprint"], as_index=False).agg(first_seen=("first_seen", "min"))
    counts.merge(_write_links(graph, "load/merge_paid_with", links, "fingerprint", batch, advance))
    return counts


def write_session_values(graph: Graph, ips: pd.DataFrame, devices: pd.Series, batch: str) -> WriteCounts:
    """The IPs (with their subnets, both marked routable or not) and devices of a whole sessions file, each written
    once."""
    marked = ips.assign(routable=routable(ips["ip"]), subnet_routable=routable(ips["subnet"]))
    counts = _write(graph, "load/merge_ips", marked.sort_values("ip"), batch, lambda _: None)
    counts.merge(
        _write(graph, "load/merge_devices", pd.DataFrame({"device_id": sorted(devices)}), batch, lambda _: None)
    )
    return counts


def write_session_links(
    graph: Graph, ip_links: pd.DataFrame, device_links: pd.DataFrame, batch: str, advance: Advance
) -> WriteCounts:
    """CONNECTED_FROM and USED_DEVICE of some accounts' sessions; their IPs and devices already exist."""
    counts = ensure_accounts(graph, pd.concat([ip_links["account_id"], device_links["account_id"]]), batch)
    counts.merge(_write_links(graph, "load/merge_connected_from", ip_links, "ip", batch, advance))
    counts.merge(_write_links(graph, "load/merge_used_device", device_links, "device_id", batch, lambda _: None))
    return counts


def write_similarity(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    edges = frame.drop_duplicates(["account_a", "account_b"], keep="last").sort_values(["account_a", "account_b"])
    return _write(graph, "load/merge_batch_similar_prompts", edges, batch, advance)


def write_bans(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    return _write(graph, "load/set_bans", frame.sort_values("account_id"), batch, advance)


def write_allowlist(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    return _write(graph, "load/merge_allow_rules", frame.drop_duplicates("rule").sort_values("rule"), batch, advance)


def flag_allowlisted_ips(graph: Graph, ips: pd.Series, batch: str) -> WriteCounts:
    """Mark this batch's IPs that fall inside any allowlisted CIDR (rules of this or earlier batches)."""
    networks = [ipaddress.ip_network(row["cidr"]) for row in graph.read("load/read_allow_cidrs")]
    if not networks or ips.empty:
        return WriteCounts()
    inside = [ip for ip in ips.unique() if any(ipaddress.ip_address(ip) in net for net in networks)]
    return _write(graph, "load/set_ips_allowlisted", pd.DataFrame({"ip": sorted(inside)}), batch, lambda _: None)
