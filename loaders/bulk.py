"""A first load into an empty local database through Neo4j's batch importer instead of Cypher.

Cypher ``MERGE`` in managed transactions writes 12-35k relationships a second on two cores, because every row
pays for two index seeks, locks and a transaction's commit work. Neo4j's batch importer writes the store files
directly, so a first load of months of history (or a benchmark's million accounts) takes a fraction of that time.
The importer only creates a new store, which is why this path only serves an empty local database; later nights go
through Cypher as usual.

The accounts, payments and sessions files become typed column files (``localdb``'s ``ColumnImport.java`` reads
them): every node gets its actual id here, so relationships name their ends by number, and times travel as epoch
milliseconds. neo4j-admin's CSV importer would parse every datetime from text and map every string id through a
hash table: on the benchmark's batch that took it 95 s against 31-41 s for the same graph from columns. What is
written is what the Cypher statements of :mod:`loaders.write` would write (the same nodes, relationships and
properties, checked by a test that loads one batch both ways and compares the graphs). The small files
(allowlist, prompt similarity, bans) are then written through Cypher by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import localdb
from linkage.errors import LinkageError
from linkage.graph import Graph, WriteCounts
from loaders.addresses import routable
from loaders.progress import Progress, stage
from loaders.spool import Spool
from loaders.times import ABSENT, epoch_millis

IMPORTED = ("accounts", "payments", "sessions")  # the files the importer writes; the others go through Cypher
ARRAY_SEPARATOR = "\x1f"  # between the items of a string[] value; no batch name holds it
CHUNK_ROWS = 200_000  # accounts per part of the import
Advance = Callable[[int], None]


class InitialLoadRefused(LinkageError):
    """An initial load was asked for where it cannot run (a server, or a database that holds data)."""


def worth_importing(graph: Graph, rows: int) -> bool:
    """Whether a batch of ``rows`` accounts, payments and sessions rows goes through the importer on its own: the
    database is the local one, it is empty, and the batch is large enough (``LINKAGE_IMPORT_MIN_ROWS``) to repay
    stopping and starting it."""
    settings = graph.settings
    return settings.uses_local_db and rows >= settings.import_min_rows and not _nodes(graph)


def _nodes(graph: Graph) -> int:
    return int(graph.read("load/read_node_count")[0]["nodes"])


def check_initial(graph: Graph) -> None:
    """Refuse an initial load unless the database is the local one and holds no node."""
    if not graph.settings.uses_local_db:
        raise InitialLoadRefused(
            "--initial needs the local database; NEO4J_URI points at a server (load without --initial, or run "
            "neo4j-admin database import on the server)."
        )
    nodes = _nodes(graph)
    if nodes:
        raise InitialLoadRefused(
            f"--initial loads only into an empty database; this one holds {nodes:,} nodes (load without --initial, "
            "or empty it with `linkage db reset`)."
        )


Values: TypeAlias = pa.Array | pa.ChunkedArray | np.ndarray


class _ColumnFiles:
    """The column files of one import and their manifest (the format ``ColumnImport.java`` documents): each
    :meth:`add` writes one part, a file of nodes of one label or relationships of one type."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.lines: list[str] = []
        self.counts = WriteCounts()

    def add(self, kind: str, name: str, columns: dict[str, Values]) -> None:
        """``kind``: ``nodes`` or ``relationships``; ``columns``: ``:id`` (or ``:start`` and ``:end``) as node ids,
        then the properties by key, their type taken from the Arrow type."""
        rows = len(next(iter(columns.values())))
        if not rows:
            return
        part = f"part{len(self.lines)}"
        self.lines.append(f"part\t{kind}\t{name}\t{rows}")
        for number, (key, values) in enumerate(columns.items()):
            file = f"{part}.{number}"
            column_kind, present = self._write(self.folder / file, values)
            self.lines.append(f"column\t{key}\t{column_kind}\t{file}")
            if not key.startswith(":"):
                self.counts.properties_set += present
        if kind == "nodes":
            self.counts.nodes_created += rows
        else:
            self.counts.relationships_created += rows

    @staticmethod
    def _write(path: Path, values: Values) -> tuple[str, int]:
        """Write one column; return its kind and how many rows hold a value."""
        if isinstance(values, np.ndarray):
            values.astype(np.int64).tofile(path)
            return "long", len(values)
        array = _combined(values)
        present = len(array) - array.null_count
        if pa.types.is_timestamp(array.type):
            epoch_millis(array).tofile(path)
            return "datetime", present
        if pa.types.is_integer(array.type):
            pc.fill_null(array.cast(pa.int64()), ABSENT).to_numpy().tofile(path)
            return "long", present
        if pa.types.is_boolean(array.type):
            pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(np.uint8).tofile(path)
            return "boolean", len(array)
        kind = "string"
        if pa.types.is_list(array.type):
            array, kind = pc.binary_join(array, ARRAY_SEPARATOR), "string[]"
        _write_strings(path, array.cast(pa.large_string()))
        return kind, present

    def close(self) -> Path:
        manifest = self.folder / "manifest.tsv"
        manifest.write_text("\n".join(self.lines) + "\n", encoding="utf-8")
        return manifest


def _write_strings(path: Path, array: pa.LargeStringArray) -> None:
    """UTF-8 bytes, int64 offsets into them, and (when a row is null) a byte per row saying which are."""
    _, offsets_buffer, data = array.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int64)[array.offset : array.offset + len(array) + 1]
    (offsets - offsets[0]).tofile(f"{path}.offsets")
    with Path(f"{path}.data").open("wb") as out:
        if data is not None:
            out.write(memoryview(data)[offsets[0] : offsets[-1]])
    if array.null_count:
        array.is_valid().to_numpy(zero_copy_only=False).astype(np.uint8).tofile(f"{path}.valid")


class _NodeIds:
    """Actual node ids: each label's keys take the next block of ids, in the order its nodes are written."""

    def __init__(self) -> None:
        self.next = 0
        self.blocks: dict[str, tuple[pa.Array, int]] = {}

    def assign(self, label: str, keys: pa.Array | pa.ChunkedArray) -> np.ndarray:
        base = self.next
        self.blocks[label] = (_strings(keys), base)
        self.next += len(keys)
        return np.arange(base, self.next, dtype=np.int64)

    def base(self, label: str) -> int:
        """The id of the label's first node (its nodes take the ids that follow, in order)."""
        return self.blocks[label][1]

    def of(self, label: str, keys: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """The ids of ``keys`` (each written already: every key comes from the same spools)."""
        written, base = self.blocks[label]
        positions = pc.index_in(_strings(keys), value_set=written)
        if positions.null_count:
            raise LinkageError(f"import: a relationship names a {label} that was not written (a bug)")
        ids: np.ndarray = positions.to_numpy().astype(np.int64) + base
        return ids


def _combined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return _combined(values).cast(pa.string())


def _repeated(value: str, rows: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), rows)


def _batches(batch: str, rows: int) -> pa.Array:
    """``[batch]`` on every row (a string[] property)."""
    return pa.ListArray.from_arrays(pa.array(np.arange(rows + 1, dtype=np.int32)), _repeated(batch, rows))


def _distinct(spool: Spool, columns: list[str]) -> pa.Table:
    return pa.Table.from_pandas(spool.distinct(columns), preserve_index=False)


def _accounts(
    files: _ColumnFiles, ids: _NodeIds, accounts: Spool, named_by: list[pa.Array], batch: str, advance: Advance
) -> None:
    """Accounts with what ``merge_accounts`` sets, then those that only ``named_by`` (the account ids of the
    payments and sessions rows) name (``merge_account_ids``); their e-mail domains and orgs, linked."""
    listed = _strings(accounts.column("account_id"))
    named = pc.unique(pa.chunked_array(named_by, pa.string()))
    unlisted = named.filter(pc.invert(pc.is_in(named, value_set=listed)))
    account_ids = ids.assign("Account", pa.chunked_array([listed, unlisted], pa.string()))
    domains = _distinct(accounts, ["email_domain", "disposable"])
    files.add("nodes", "EmailDomain", {
        ":id": ids.assign("EmailDomain", domains["email_domain"]), "domain": domains["email_domain"],
        "disposable": domains["disposable"],
    })  # fmt: skip
    orgs = _distinct(accounts, ["org_id"])["org_id"]
    files.add("nodes", "Org", {":id": ids.assign("Org", orgs), "org_id": orgs})
    written = 0
    for table in accounts.batches(CHUNK_ROWS):
        chunk_ids = account_ids[written : written + table.num_rows]
        batch_column = _repeated(batch, table.num_rows)
        files.add("nodes", "Account", {
            ":id": chunk_ids, "account_id": table["account_id"], "first_batch": batch_column,
            "last_batch": batch_column, "created_at": table["created_at"], "email_hash": table["email_hash"],
            "country": table["country"], "org_id": table["org_id"],
        })  # fmt: skip
        for kind, end, label in (("EMAIL_AT", "email_domain", "EmailDomain"), ("MEMBER_OF", "org_id", "Org")):
            linked = pc.is_valid(table[end]).to_numpy(zero_copy_only=False)
            ends = ids.of(label, table[end].filter(linked))
            files.add("relationships", kind, {":start": chunk_ids[linked], ":end": ends})
        written += table.num_rows
        advance(table.num_rows)
    batch_column = _repeated(batch, len(unlisted))
    files.add("nodes", "Account", {
        ":id": account_ids[written:], "account_id": unlisted, "first_batch": batch_column, "last_batch": batch_column,
    })  # fmt: skip


def _payments(files: _ColumnFiles, ids: _NodeIds, spool: Spool, advance: Advance) -> None:
    """Payment methods (each column's last value given for the card, like ``merge_payment_methods``) and the
    PAID_WITH links with their earliest sighting."""
    table = spool.table()
    methods = (
        table.group_by("fingerprint", use_threads=False)
        .aggregate([("method_type", "last"), ("card_country", "last")])
        .sort_by("fingerprint")
    )
    files.add("nodes", "PaymentMethod", {
        ":id": ids.assign("PaymentMethod", methods["fingerprint"]), "fingerprint": methods["fingerprint"],
        "method_type": methods["method_type_last"], "card_country": methods["card_country_last"],
    })  # fmt: skip
    links = table.group_by(["account_id", "fingerprint"]).aggregate([("first_seen", "min")])
    files.add("relationships", "PAID_WITH", {
        ":start": ids.of("Account", links["account_id"]), ":end": ids.of("PaymentMethod", links["fingerprint"]),
        "first_seen": links["first_seen_min"],
    })  # fmt: skip
    advance(table.num_rows)


def _routable(addresses: pa.Array) -> pa.Array:
    """Which addresses (or networks) route on the internet, as ``merge_ips`` marks them."""
    return pa.array(routable(addresses.to_pandas()))


def _first_rows(codes: pa.Array) -> np.ndarray:
    """For each code of a dictionary encoding, the row it first appears on."""
    first: np.ndarray = np.unique(codes.to_numpy(zero_copy_only=False), return_index=True)[1]
    return first


def _sessions(
    files: _ColumnFiles, ids: _NodeIds, spool: Spool, account_ids: pa.Array, batch: str, advance: Advance
) -> None:
    """IPs, subnets and devices once each (numbered as they first appear), then CONNECTED_FROM and USED_DEVICE
    aggregated per partition like ``merge_connected_from`` and ``merge_used_device``.

    Every row's ends become node ids first, for the whole file (one hash table per label rather than one per
    partition), so the links are grouped on integers."""
    ips = pc.dictionary_encode(_strings(spool.column("ip")))
    first = _first_rows(ips.indices)
    ip_ids = ids.assign("IP", ips.dictionary)
    files.add("nodes", "IP", {
        ":id": ip_ids, "address": ips.dictionary, "version": spool.column("version").take(first),
        "routable": _routable(ips.dictionary),
    })  # fmt: skip
    subnet_of_ip = spool.column("subnet").take(first)
    subnets = pc.unique(subnet_of_ip)
    files.add(
        "nodes", "Subnet", {":id": ids.assign("Subnet", subnets), "cidr": subnets, "routable": _routable(subnets)}
    )
    files.add("relationships", "IN_SUBNET", {":start": ip_ids, ":end": ids.of("Subnet", subnet_of_ip)})
    devices = pc.dictionary_encode(_strings(spool.column("device_id")))  # a missing device stays null
    files.add("nodes", "Device", {":id": ids.assign("Device", devices.dictionary), "device_id": devices.dictionary})
    ends = pa.table({
        "account": ids.of("Account", account_ids),
        "ip": pc.add(ids.base("IP"), ips.indices.cast(pa.int64())),
        "device": pc.add(ids.base("Device"), devices.indices.cast(pa.int64())),
        "ts": spool.column("ts"),
    })  # fmt: skip
    start = 0
    for rows in spool.partition_rows():  # every row of an account is in one partition: its links are complete
        partition = ends.slice(start, rows)
        for kind, end in (("CONNECTED_FROM", "ip"), ("USED_DEVICE", "device")):
            links = (
                partition.select(["account", end, "ts"])
                .drop_null()
                .group_by(["account", end])
                .aggregate([("ts", "min"), ("ts", "max"), ("ts", "count")])
            )
            files.add("relationships", kind, {
                ":start": links["account"], ":end": links[end], "first_seen": links["ts_min"],
                "last_seen": links["ts_max"], "count": links["ts_count"], "batches": _batches(batch, links.num_rows),
            })  # fmt: skip
        start += rows
        advance(rows)


def write_columns(spools: dict[str, Spool], batch: str, folder: Path, advance: Advance) -> tuple[Path, WriteCounts]:
    """The column files of the accounts, payments and sessions of ``spools``: their manifest and what they hold."""
    files, ids = _ColumnFiles(folder), _NodeIds()
    # the account ids of every payments and sessions row, read once: they name unlisted accounts and link sessions
    named_by = {
        name: _strings(spools[name].column("account_id")) for name in ("payments", "sessions") if name in spools
    }
    _accounts(files, ids, spools["accounts"], list(named_by.values()), batch, advance)
    if "payments" in spools:
        _payments(files, ids, spools["payments"], advance)
    if "sessions" in spools:
        _sessions(files, ids, spools["sessions"], named_by["sessions"], batch, advance)
    return files.close(), files.counts


def import_initial(graph: Graph, spools: dict[str, Spool], batch: str, folder: Path, progress: Progress) -> WriteCounts:
    """Write the accounts, payments and sessions of ``spools`` as column files, replace the (empty) local store
    with them, and create the schema again; returns what was written."""
    rows = sum(spools[name].rows for name in IMPORTED if name in spools)
    with stage(progress, "write import files", rows) as advance:
        manifest, counts = write_columns(spools, batch, folder, advance)
    try:
        localdb.import_store(graph.settings.localdb, manifest, lambda label: stage(progress, label, None))
    finally:  # also after a failed import, which leaves the database empty, as it was
        graph.reconnect()
        with stage(progress, "create the schema", None):
            graph.apply_schema()
    return counts
