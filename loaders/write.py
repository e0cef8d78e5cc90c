"""Writing a validated batch: nodes before the relationships that join them, keys sorted, UNWIND batches.

Accounts and their relationships to shared values (e-mail domains, orgs, cards, IPs, devices) go out through
``LINKAGE_WRITE_WORKERS`` concurrent writers; the shared values themselves are written first, once each. Each
account belongs to exactly one writer, so the only nodes two writers both lock are the shared values, and every
writer sends its rows sorted by that value: all writers take those locks in one global order, which cannot
deadlock (two writers in account order deadlocked on IPs within seconds). The driver's managed transactions retry
whatever is transient all the same.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from linkage.graph import Graph, WriteCounts, frame_rows

Advance = Callable[[int], None]


def _write(graph: Graph, statement: str, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    counts = WriteCounts()
    size = graph.settings.write_batch_size
    for start in range(0, len(frame), size):
        part = frame.iloc[start : start + size]
        counts.merge(graph.write_rows(statement, frame_rows(part), batch=batch))
        advance(len(part))
    return counts


def _write_by_account(
    graph: Graph, statement: str, frame: pd.DataFrame, batch: str, advance: Advance, end: str | None = None
) -> WriteCounts:
    """Rows of accounts (or of their relationships to the shared value in column ``end``), split by account among
    the concurrent writers, each writer's rows sorted by ``end``."""
    order = [end, "account_id"] if end else ["account_id"]
    workers = min(graph.settings.write_workers, max(1, len(frame) // graph.settings.write_batch_size))
    if workers == 1:
        return _write(graph, statement, frame.sort_values(order), batch, advance)
    owner = pd.util.hash_pandas_object(frame["account_id"], index=False).to_numpy() % workers
    parts = [frame[owner == w].sort_values(order) for w in range(workers)]
    lock = threading.Lock()

    def locked_advance(rows: int) -> None:
        with lock:
            advance(rows)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkage-write") as pool:
        results = list(pool.map(lambda part: _write(graph, statement, part, batch, locked_advance), parts))
    counts = WriteCounts()
    for result in results:
        counts.merge(result)
    return counts


def ensure_accounts(graph: Graph, ids: pd.Series, batch: str) -> WriteCounts:
    """Create the accounts a file refers to but no accounts file listed, before their relationships."""
    unique = pd.DataFrame({"account_id": sorted(ids.unique())})
    return _write(graph, "merge_account_ids", unique, batch, lambda _: None)


def write_accounts(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    """Accounts, then their e-mail domains and orgs (each value once), then the links between them."""
    counts = _write_by_account(graph, "merge_accounts", frame, batch, advance)
    domains = frame.dropna(subset=["email_domain"]).drop_duplicates("email_domain", keep="last")
    counts.merge(_write(graph, "merge_email_domains", domains.sort_values("email_domain"), batch, lambda _: None))
    orgs = pd.DataFrame({"org_id": sorted(frame["org_id"].dropna().unique())})
    counts.merge(_write(graph, "merge_orgs", orgs, batch, lambda _: None))
    for statement, end in (("merge_email_at", "email_domain"), ("merge_member_of", "org_id")):
        links = frame.dropna(subset=[end])[["account_id", end]]
        counts.merge(_write_by_account(graph, statement, links, batch, lambda _: None, end))
    return counts


def write_payments(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    methods = frame.drop_duplicates("fingerprint", keep="last").sort_values("fingerprint")
    counts = _write(graph, "merge_payment_methods", methods[["fingerprint", "method_type", "card_country"]], batch,
                    lambda _: None)  # fmt: skip
    counts.merge(ensure_accounts(graph, frame["account_id"], batch))
    links = frame.groupby(["account_id", "fingerprint"], as_index=False).agg(first_seen=("first_seen", "min"))
    counts.merge(_write_by_account(graph, "merge_paid_with", links, batch, advance, "fingerprint"))
    return counts


def write_session_values(graph: Graph, ips: pd.DataFrame, devices: pd.Series, batch: str) -> WriteCounts:
    """The IPs (with their subnets) and devices of a whole sessions file, each written once."""
    counts = _write(graph, "merge_ips", ips.sort_values("ip"), batch, lambda _: None)
    counts.merge(_write(graph, "merge_devices", pd.DataFrame({"device_id": sorted(devices)}), batch, lambda _: None))
    return counts


def write_session_links(
    graph: Graph, ip_links: pd.DataFrame, device_links: pd.DataFrame, batch: str, advance: Advance
) -> WriteCounts:
    """CONNECTED_FROM and USED_DEVICE of some accounts' sessions; their IPs and devices already exist."""
    counts = ensure_accounts(graph, pd.concat([ip_links["account_id"], device_links["account_id"]]), batch)
    counts.merge(_write_by_account(graph, "merge_connected_from", ip_links, batch, advance, "ip"))
    counts.merge(_write_by_account(graph, "merge_used_device", device_links, batch, lambda _: None, "device_id"))
    return counts


def write_similarity(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    edges = frame.drop_duplicates(["account_a", "account_b"], keep="last").sort_values(["account_a", "account_b"])
    return _write(graph, "merge_batch_similar_prompts", edges, batch, advance)


def write_bans(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    return _write(graph, "set_bans", frame.sort_values("account_id"), batch, advance)


def write_allowlist(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    return _write(graph, "merge_allow_rules", frame.drop_duplicates("rule").sort_values("rule"), batch, advance)


def flag_allowlisted_ips(graph: Graph, ips: pd.Series, batch: str) -> WriteCounts:
    """Mark this batch's IPs that fall inside any allowlisted CIDR (rules of this or earlier batches)."""
    networks = [ipaddress.ip_network(row["cidr"]) for row in graph.read("read_allow_cidrs")]
    if not networks or ips.empty:
        return WriteCounts()
    inside = [ip for ip in ips.unique() if any(ipaddress.ip_address(ip) in net for net in networks)]
    return _write(graph, "set_ips_allowlisted", pd.DataFrame({"ip": sorted(inside)}), batch, lambda _: None)
