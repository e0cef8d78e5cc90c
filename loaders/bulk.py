"""A first load into an empty local database through neo4j-admin's importer instead of Cypher.

Cypher ``MERGE`` in managed transactions writes 20-35k relationships a second on two cores, because every row
pays for two index seeks, locks and a transaction's commit work. ``neo4j-admin database import full`` writes the
store files directly, so a first load of months of history (or a benchmark's million accounts) takes a fraction of
that time. The importer only creates a new store, which is why this path only serves an empty local database;
later nights go through Cypher as usual.

The accounts, payments and sessions files become CSV files with typed headers, holding what the Cypher statements
of :mod:`loaders.write` would have written (the same nodes, relationships and properties, checked by a test that
loads one batch both ways and compares the graphs). The small files (allowlist, prompt similarity, bans) are then
written through Cypher by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

import localdb
from linkage.errors import LinkageError
from linkage.graph import Graph, WriteCounts
from loaders.progress import Progress, stage
from loaders.spool import SESSION_KEYS, Spool

IMPORTED = ("accounts", "payments", "sessions")  # the files the importer writes; the others go through Cypher
Advance = Callable[[int], None]


class InitialLoadRefused(LinkageError):
    """An initial load was asked for where it cannot run (a server, or a database that holds data)."""


def check_initial(graph: Graph) -> None:
    """Refuse an initial load unless the database is the local one and holds no node."""
    if not graph.settings.uses_local_db:
        raise InitialLoadRefused(
            "--initial needs the local database; NEO4J_URI points at a server (load without --initial, or run "
            "neo4j-admin database import on the server)."
        )
    nodes = graph.read("read_node_count")[0]["nodes"]
    if nodes:
        raise InitialLoadRefused(
            f"--initial loads only into an empty database; this one holds {nodes:,} nodes (load without --initial, "
            "or empty it with `linkage db reset`)."
        )


def _datetime(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """Timestamps (UTC) as the importer's ISO-8601 text, truncated to the millisecond like the Cypher path's epoch
    milliseconds."""
    if isinstance(values, pd.Series):
        values = pa.array(values.dt.tz_convert(None).to_numpy(), from_pandas=True)  # UTC, NaT as null
    millis = pc.floor_temporal(values.cast(pa.timestamp("ns", "UTC")), unit="millisecond")
    return pc.strftime(millis.cast(pa.timestamp("ms", "UTC")), format="%Y-%m-%dT%H:%M:%SZ")


class _CsvFile:
    """One import file, written in parts: its header names the typed columns (``name:type``, ``:START_ID(…)``)."""

    def __init__(self, path: Path, header: dict[str, str]) -> None:
        self.path, self.header = path, header
        self.writer: pa_csv.CSVWriter | None = None
        self.schema: pa.Schema | None = None
        self.rows = self.properties = 0

    def add(self, columns: dict[str, pa.Array | pa.ChunkedArray | pd.Series | list[str]]) -> None:
        table = pa.table({self.header[name]: values for name, values in columns.items()})
        if not len(table):
            return
        # a column with no value in this part has Arrow type null: text, like the same column in other parts
        table = table.cast(
            pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema])
        )
        if self.writer is None:
            self.writer, self.schema = pa_csv.CSVWriter(self.path, table.schema), table.schema
        self.writer.write_table(table.cast(self.schema))
        self.rows += len(table)
        keys = [name for name in columns if not self.header[name].startswith(":")]
        self.properties += sum(len(table) - table.column(self.header[name]).null_count for name in keys)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class _ImportFiles:
    """The CSV files of one import, by label or relationship type."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.nodes: list[tuple[str, _CsvFile]] = []
        self.relationships: list[tuple[str, _CsvFile]] = []

    def node_file(self, label: str, name: str, header: dict[str, str]) -> _CsvFile:
        file = _CsvFile(self.folder / f"{name}.csv", header)
        self.nodes.append((label, file))
        return file

    def relationship_file(self, kind: str, header: dict[str, str]) -> _CsvFile:
        file = _CsvFile(self.folder / f"{kind}.csv", header)
        self.relationships.append((kind, file))
        return file

    def close(self) -> localdb.ImportFiles:
        for _, file in [*self.nodes, *self.relationships]:
            file.close()
        return localdb.ImportFiles(
            nodes=[(label, file.path) for label, file in self.nodes if file.rows],
            relationships=[(kind, file.path) for kind, file in self.relationships if file.rows],
        )

    def counts(self) -> WriteCounts:
        nodes = [file for _, file in self.nodes]
        relationships = [file for _, file in self.relationships]
        return WriteCounts(
            nodes_created=sum(f.rows for f in nodes),
            relationships_created=sum(f.rows for f in relationships),
            properties_set=sum(f.properties for f in [*nodes, *relationships]),
        )


def _accounts(files: _ImportFiles, frames: Iterable[pd.DataFrame], batch: str, advance: Advance) -> None:
    """Accounts with what ``merge_accounts`` sets, and their e-mail domain and org links."""
    accounts = files.node_file("Account", "accounts", {
        "account_id": "account_id:ID(Account)", "first_batch": "first_batch", "last_batch": "last_batch",
        "created_at": "created_at:datetime", "email_hash": "email_hash", "country": "country", "org_id": "org_id",
    })  # fmt: skip
    email_at = files.relationship_file(
        "EMAIL_AT", {"account_id": ":START_ID(Account)", "email_domain": ":END_ID(EmailDomain)"}
    )
    member_of = files.relationship_file("MEMBER_OF", {"account_id": ":START_ID(Account)", "org_id": ":END_ID(Org)"})
    for frame in frames:
        batch_column = pa.array([batch] * len(frame), pa.string())
        accounts.add({
            "account_id": frame["account_id"], "first_batch": batch_column, "last_batch": batch_column,
            "created_at": _datetime(frame["created_at"]), "email_hash": frame["email_hash"],
            "country": frame["country"], "org_id": frame["org_id"],
        })  # fmt: skip
        for file, end in ((email_at, "email_domain"), (member_of, "org_id")):
            links = frame.dropna(subset=[end])
            file.add({"account_id": links["account_id"], end: links[end]})
        advance(len(frame))


def _distinct_values(files: _ImportFiles, spool: Spool, label: str, header: dict[str, str]) -> None:
    """Nodes of ``label`` for the distinct values of some columns of a file (written once each)."""
    values = spool.distinct(list(header)).sort_values(next(iter(header)))
    files.node_file(label, label.lower(), header).add({name: values[name] for name in header})


def _payments(files: _ImportFiles, spool: Spool, advance: Advance) -> None:
    """Payment methods (each column's last value given for the card, like ``merge_payment_methods``) and the
    PAID_WITH links with their earliest sighting."""
    table = spool.table()
    methods = table.group_by("fingerprint", use_threads=False).aggregate(
        [("method_type", "last"), ("card_country", "last")]
    )
    files.node_file("PaymentMethod", "payment_methods", {
        "fingerprint": "fingerprint:ID(PaymentMethod)", "method_type_last": "method_type",
        "card_country_last": "card_country",
    }).add({name: methods[name] for name in ("fingerprint", "method_type_last", "card_country_last")})  # fmt: skip
    links = table.group_by(["account_id", "fingerprint"]).aggregate([("first_seen", "min")])
    files.relationship_file("PAID_WITH", {
        "account_id": ":START_ID(Account)", "fingerprint": ":END_ID(PaymentMethod)",
        "first_seen": "first_seen:datetime",
    }).add({
        "account_id": links["account_id"], "fingerprint": links["fingerprint"],
        "first_seen": _datetime(links["first_seen_min"]),
    })  # fmt: skip
    advance(table.num_rows)


SEEN = {
    "first_seen": "first_seen:datetime",
    "last_seen": "last_seen:datetime",
    "count": "count:long",
    "batches": "batches:string[]",
}


def _sessions(files: _ImportFiles, spool: Spool, batch: str, advance: Advance) -> None:
    """IPs, subnets and devices once each, then CONNECTED_FROM and USED_DEVICE aggregated per partition like
    ``merge_connected_from`` and ``merge_used_device``."""
    ips = spool.distinct(["ip", "version", "subnet"]).sort_values("ip")
    files.node_file("IP", "ips", {"ip": "address:ID(IP)", "version": "version:long"}).add(
        {"ip": ips["ip"], "version": ips["version"].astype("int64")}
    )
    files.node_file("Subnet", "subnets", {"subnet": "cidr:ID(Subnet)"}).add({"subnet": sorted(ips["subnet"].unique())})
    files.relationship_file("IN_SUBNET", {"ip": ":START_ID(IP)", "subnet": ":END_ID(Subnet)"}).add(
        {"ip": ips["ip"], "subnet": ips["subnet"]}
    )
    _distinct_values(files, spool, "Device", {"device_id": "device_id:ID(Device)"})
    connected = files.relationship_file(
        "CONNECTED_FROM", {"account_id": ":START_ID(Account)", "ip": ":END_ID(IP)", **SEEN}
    )
    used = files.relationship_file(
        "USED_DEVICE", {"account_id": ":START_ID(Account)", "device_id": ":END_ID(Device)", **SEEN}
    )
    for table in spool.tables():  # aggregated in Arrow (multi-threaded), as aggregate_sessions does in pandas
        for file, keys in ((connected, SESSION_KEYS["ip"]), (used, SESSION_KEYS["device"])):
            links = (
                table.select([*keys, "ts"])
                .drop_null()
                .group_by(keys)
                .aggregate([("ts", "min"), ("ts", "max"), ("ts", "count")])
            )
            file.add({
                "account_id": links["account_id"], keys[1]: links[keys[1]], "first_seen": _datetime(links["ts_min"]),
                "last_seen": _datetime(links["ts_max"]), "count": links["ts_count"],
                "batches": pa.array([batch] * len(links), pa.string()),
            })  # fmt: skip
        advance(table.num_rows)


def _unlisted_accounts(files: _ImportFiles, spools: dict[str, Spool], batch: str) -> None:
    """Accounts that payments or sessions name but the accounts file does not (``merge_account_ids``)."""
    listed = spools["accounts"].distinct(["account_id"])["account_id"] if "accounts" in spools else pd.Series([])
    named = pd.concat([spools[name].distinct(["account_id"])["account_id"] for name in ("payments", "sessions")
                       if name in spools]).drop_duplicates()  # fmt: skip
    unlisted = sorted(named[~named.isin(listed)])
    batch_column = pa.array([batch] * len(unlisted), pa.string())
    files.node_file("Account", "unlisted_accounts", {
        "account_id": "account_id:ID(Account)", "first_batch": "first_batch", "last_batch": "last_batch",
    }).add({"account_id": unlisted, "first_batch": batch_column, "last_batch": batch_column})  # fmt: skip


def import_initial(graph: Graph, spools: dict[str, Spool], batch: str, folder: Path, progress: Progress) -> WriteCounts:
    """Write the accounts, payments and sessions of ``spools`` as import files, replace the (empty) local store with
    them, and create the schema again; returns what was written."""
    files = _ImportFiles(folder)
    rows = sum(spools[name].rows for name in IMPORTED if name in spools)
    with stage(progress, "write import files", rows) as advance:
        if "accounts" in spools:
            _accounts(files, spools["accounts"].frames(graph.settings.write_batch_size * 10), batch, advance)
            _distinct_values(files, spools["accounts"], "EmailDomain", {
                "email_domain": "domain:ID(EmailDomain)", "disposable": "disposable:boolean",
            })  # fmt: skip
            _distinct_values(files, spools["accounts"], "Org", {"org_id": "org_id:ID(Org)"})
        _unlisted_accounts(files, spools, batch)
        if "payments" in spools:
            _payments(files, spools["payments"], advance)
        if "sessions" in spools:
            _sessions(files, spools["sessions"], batch, advance)
        import_files = files.close()
    config = graph.settings.localdb
    with stage(progress, "stop the database", None):
        localdb.stop(config)
    try:
        with stage(progress, "neo4j-admin import", None):
            localdb.bulk_import(config, import_files, folder)
    finally:
        with stage(progress, "start the database", None):
            localdb.start(config)
    graph.reconnect()
    with stage(progress, "create the schema", None):
        graph.apply_schema()
    return files.counts()
