"""Writing a validated batch: nodes before the relationships that join them, keys sorted, UNWIND batches.

Relationships from accounts to shared values (IPs, devices, cards) go out through ``LINKAGE_WRITE_WORKERS``
concurrent writers. Each account belongs to exactly one writer, so the only nodes two writers both lock are the
shared values, and every writer sends its rows sorted by that value: all writers take those locks in one global
order, which cannot deadlock (two writers in account order deadlocked on IPs within seconds). The driver's managed
transactions retry whatever is transient all the same.
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


def _write_links(
    graph: Graph, statement: str, frame: pd.DataFrame, end: str, batch: str, advance: Advance
) -> WriteCounts:
    """Account-to-value relationship rows, split by account among the concurrent writers, each sorted by ``end``."""
    workers = min(graph.settings.write_workers, max(1, len(frame) // graph.settings.write_batch_size))
    if workers == 1:
        return _write(graph, statement, frame.sort_values([end, "account_id"]), batch, advance)
    owner = pd.util.hash_pandas_object(frame["account_id"], index=False).to_numpy() % workers
    parts = [frame[owner == w].sort_values([end, "account_id"]) for w in range(workers)]
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
    return _write(graph, "merge_accounts", frame.sort_values("account_id"), batch, advance)


def write_payments(graph: Graph, frame: pd.DataFrame, batch: str, advance: Advance) -> WriteCounts:
    methods = frame.drop_duplicates("fingerprint", keep="last").sort_values("fingerprint")
    counts = _write(graph, "merge_payment_methods", methods[["fingerprint", "method_type", "card_country"]], batch,
                    lambda _: None)  # fmt: skip
    counts.merge(ensure_accounts(graph, frame["account_id"], batch))
    links = frame.groupby(["account_id", "fingerprint"], as_index=False).agg(first_seen=("first_seen", "min"))
    counts.merge(_write_links(graph, "merge_paid_with", links, "fingerprint", batch, advance))
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
    counts.merge(_write_links(graph, "merge_connected_from", ip_links, "ip", batch, advance))
    counts.merge(_write_links(graph, "merge_used_device", device_links, "device_id", batch, lambda _: None))
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
