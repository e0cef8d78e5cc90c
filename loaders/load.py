"""Load one night's batch folder: validate every file first, then write; a file that fails writes nothing.

Phase 1 reads each file once, in chunks: structural errors stop the load before anything is written, bad rows
go to ``rejects/<file>.csv``, clean rows are spooled to Parquet (sessions in 16 partitions by account); a file
with more bad rows than the reject limit stops it too. Phase 2 writes the spooled rows to Neo4j: the distinct IPs
and devices of the sessions once, then their links, aggregated per account and IP (and device) one partition at a
time. Memory stays bounded by the chunk size, the distinct IPs and devices, and a sixteenth of the sessions file.

The batch is recorded as loaded (a ``Batch`` node named by its identity, :mod:`loaders.identity`) only once every
write has committed: a load cut short (the database killed, the machine down) is simply loaded again, and every
write is keyed, so the second time completes what the first began; a batch recorded as loaded is not written again.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from linkage.files import output_errors, temporary
from linkage.graph import Graph, WriteCounts
from linkage.settings import Settings
from linkage.spreadsheet import LINE_END
from loaders import bulk, contract, write
from loaders.contract import FileSpec
from loaders.identity import BatchIdentity, identify
from loaders.privacy import hash_key
from loaders.progress import Progress, stage
from loaders.read import InvalidBatch, columns_of, find_file, iter_chunks
from loaders.spool import SESSION_PARTITIONS, Spool, aggregate_sessions
from loaders.times import TimeWindow
from loaders.validate import VALIDATORS, Checked, Context, FileState


class FileSummary(BaseModel):
    file: str
    path: str
    rows_read: int
    rows_rejected: int
    rows_written: int
    rejects: str | None


class LoadResult(BaseModel):
    batch: str  # the identity: <folder name>@<digest of the files>
    identity: BatchIdentity
    already_loaded: bool  # the same files were loaded before: nothing was written
    imported: bool = False  # written through Neo4j's batch importer (a first load into an empty local database)
    files: list[FileSummary]
    nodes_created: int
    relationships_created: int
    properties_set: int
    seconds: float

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)


def check_structure(batch_dir: Path) -> dict[str, Path]:
    """Every file present, readable, with its required columns; raises :class:`InvalidBatch` otherwise."""
    if not batch_dir.is_dir():
        raise InvalidBatch(f"{batch_dir}: not a folder.")
    found: dict[str, Path] = {}
    for spec in contract.SPECS:
        path = _checked_file(batch_dir, spec)
        if path is None and spec.required_file:
            raise InvalidBatch(f"{batch_dir}: the required file `{spec.name}` is missing (.csv, .parquet, .jsonl…).")
        if path is not None:
            found[spec.name] = path
    return found


def _checked_file(batch_dir: Path, spec: FileSpec) -> Path | None:
    """The batch's file of ``spec`` with its required columns, or None when the batch has none."""
    path = find_file(batch_dir, spec)
    if path is None:
        return None
    present = columns_of(path)
    missing = [c for c in spec.required if c not in present]
    if missing:
        raise InvalidBatch(f"{path}: missing required column(s): {', '.join(missing)}.")
    twice = [c for c in spec.columns if present.count(c) > 1]
    if twice:
        raise InvalidBatch(f"{path}: column(s) named more than once: {', '.join(twice)}.")
    if spec is contract.ALLOWLIST and not set(spec.optional) & set(present):
        raise InvalidBatch(f"{path}: needs one of the columns account_id, org_id, ip, cidr.")
    return path


def _validate_file(
    spec: FileSpec, path: Path, spool: Spool, ctx: Context, chunk_rows: int, rejects_dir: Path, progress: Progress
) -> FileSummary:
    state = FileState()
    read = rejected = 0
    rejects_path = rejects_dir / f"{spec.name}.csv"
    partial = temporary(rejects_path)  # moved into place once the file is checked: a rejects file is whole
    with output_errors(rejects_path):
        rejects_path.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)  # left by a run killed half-way
    progress.start(f"check {path.name}", None)
    try:
        for chunk in iter_chunks(path, spec, chunk_rows):
            checked: Checked = VALIDATORS[spec.name](chunk.frame, state, ctx)
            read += len(chunk.frame)
            rejected += len(checked.rejects)
            spool.add(checked.clean)
            if len(checked.rejects):
                with output_errors(rejects_path):
                    rejects_dir.mkdir(parents=True, exist_ok=True)
                    # cells escaped for spreadsheets by validation; rows ended as in every CSV linkage writes
                    checked.rejects.to_csv(partial, mode="a", header=not partial.exists(), index=False,
                                           lineterminator=LINE_END)  # fmt: skip
            progress.advance(len(chunk.frame))
        if rejected:
            with output_errors(rejects_path):
                partial.replace(rejects_path)
    finally:
        partial.unlink(missing_ok=True)
    spool.close()
    progress.finish()
    return FileSummary(file=spec.name, path=str(path), rows_read=read, rows_rejected=rejected, rows_written=0,
                       rejects=str(rejects_path) if rejected else None)  # fmt: skip


def _check_reject_rate(summary: FileSummary, limit: float) -> None:
    if summary.rows_read == 0:
        return
    rate = summary.rows_rejected / summary.rows_read
    if rate > limit:
        raise InvalidBatch(
            f"{summary.path}: {summary.rows_rejected:,} of {summary.rows_read:,} rows rejected ({rate:.1%}, limit "
            f"{limit:.1%}); nothing was written. See {summary.rejects}."
        )


def _write_file(graph: Graph, name: str, spool: Spool, batch: str, progress: Progress) -> WriteCounts:
    chunk_rows = graph.settings.write_batch_size * 10
    counts = WriteCounts()
    writers = {
        "accounts": write.write_accounts,
        "payments": write.write_payments,
        "prompt_similarity": write.write_similarity,
        "bans": write.write_bans,
        "allowlist": write.write_allowlist,
    }
    with stage(progress, f"write {name}", spool.rows) as advance:
        if name == "sessions":
            ips = spool.distinct(["ip", "version", "subnet"])
            devices = spool.distinct(["device_id"])["device_id"]
            counts.merge(write.write_session_values(graph, ips, devices, batch))
            counts.merge(write.flag_allowlisted_ips(graph, ips["ip"], batch))
            for partition in spool.partitions():
                counts.merge(write.write_session_links(graph, *aggregate_sessions(partition), batch, lambda _: None))
                advance(len(partition))
        elif name in writers:
            for frame in spool.frames(chunk_rows):
                counts.merge(writers[name](graph, frame, batch, advance))
    return counts


# the order writes happen in: accounts first, allowlist before sessions (CIDR rules flag the new IPs)
WRITE_ORDER = ("accounts", "payments", "allowlist", "sessions", "prompt_similarity", "bans")


def load_batch(
    graph: Graph,
    settings: Settings,
    batch_dir: Path,
    *,
    max_reject_rate: float | None = None,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
    initial: bool | None = False,
    work_dir: Path | None = None,
) -> LoadResult:
    """Validate every file of ``batch_dir``, then write it; the batch is named by its identity (folder name and
    content). ``max_reject_rate``: the share of a file's rows that may be bad (default ``LINKAGE_MAX_REJECT_RATE``).
    ``initial``: the first load into an empty local database, through Neo4j's batch importer (:mod:`loaders.bulk`);
    ``None``: through the importer when it is worth it (:func:`loaders.bulk.worth_importing`), else through Cypher.
    ``work_dir`` keeps the spooled clean rows after the load (the nightly run's similarity stage reads the accepted
    prompts there, :func:`accepted_prompts`); without it they go with a temporary folder."""
    if work_dir is not None:
        return _load(graph, settings, batch_dir, work_dir, max_reject_rate, rejects_dir, progress, initial)
    with tempfile.TemporaryDirectory(prefix="linkage-load-") as folder:
        return _load(graph, settings, batch_dir, Path(folder), max_reject_rate, rejects_dir, progress, initial)


def accepted_prompts(work_dir: Path, chunk_rows: int) -> Callable[[], Iterator[pd.DataFrame]]:
    """The prompts a load in ``work_dir`` accepted, as a re-startable stream of frames (account_id, ts, prompt,
    model, output_tokens); nothing when the batch had no prompts file or every row was rejected."""
    spool = Spool(work_dir, contract.PROMPTS)
    return lambda: spool.frames(chunk_rows)


def check_prompts(settings: Settings, batch_dir: Path, work_dir: Path, rejects_dir: Path | None = None) -> FileSummary:
    """Validate the prompts file of ``batch_dir`` alone, as a load would, spooling its accepted rows to
    ``work_dir`` (for :func:`accepted_prompts`); nothing is written to the graph."""
    if not batch_dir.is_dir():
        raise InvalidBatch(f"{batch_dir}: not a folder.")
    path = _checked_file(batch_dir, contract.PROMPTS)
    spool = Spool(work_dir, contract.PROMPTS)
    if path is None:
        return FileSummary(file="prompts", path="", rows_read=0, rows_rejected=0, rows_written=0, rejects=None)
    rows = max(settings.write_batch_size * 10, 50_000)
    return _validate_file(contract.PROMPTS, path, spool, _context(settings), rows,
                          rejects_dir or Path("rejects") / batch_dir.name, Progress())  # fmt: skip


def _context(settings: Settings) -> Context:
    return Context(hash_key(settings), TimeWindow(settings.earliest_time, settings.latest_time))


def init_schema(settings: Settings) -> int:
    """`linkage init`: create every constraint and index (IF NOT EXISTS); returns how many statements ran."""
    with Graph(settings) as graph:
        return graph.apply_schema()


def _load(
    graph: Graph,
    settings: Settings,
    batch_dir: Path,
    folder: Path,
    max_reject_rate: float | None,
    rejects_dir: Path | None,
    progress: Progress | None,
    initial: bool | None,
) -> LoadResult:
    started = time.perf_counter()
    progress = progress or Progress()
    files = check_structure(batch_dir)
    identity = identify(batch_dir, files)
    batch = identity.batch
    if initial:
        bulk.check_initial(graph)
    ctx = _context(settings)
    limit = settings.max_reject_rate if max_reject_rate is None else max_reject_rate
    rejects_dir = rejects_dir or Path("rejects") / batch
    chunk_rows = max(settings.write_batch_size * 10, 50_000)
    summaries: dict[str, FileSummary] = {}
    spools = {
        spec.name: Spool(folder, spec, SESSION_PARTITIONS if spec is contract.SESSIONS else 1)
        for spec in contract.SPECS
        if spec.name in files
    }
    for spec in contract.SPECS:
        if spec.name in files:
            summary = _validate_file(spec, files[spec.name], spools[spec.name], ctx, chunk_rows, rejects_dir,
                                     progress)  # fmt: skip
            _check_reject_rate(summary, limit)
            summaries[spec.name] = summary
    already_loaded = bool(graph.read("load/read_batch", batch=batch))
    if initial is None:
        initial = not already_loaded and bulk.worth_importing(graph, sum(spools[n].rows for n in bulk.IMPORTED
                                                                          if n in spools))  # fmt: skip
    counts = WriteCounts()
    if not already_loaded:
        counts = _write_batch(graph, spools, summaries, identity, folder / "import" if initial else None, progress)
    ordered = [summaries[spec.name] for spec in contract.SPECS if spec.name in summaries]
    return LoadResult(
        batch=batch,
        identity=identity,
        already_loaded=already_loaded,
        imported=initial and not already_loaded,
        files=ordered,
        nodes_created=counts.nodes_created,
        relationships_created=counts.relationships_created,
        properties_set=counts.properties_set,
        seconds=round(time.perf_counter() - started, 3),
    )


def _write_batch(
    graph: Graph,
    spools: dict[str, Spool],
    summaries: dict[str, FileSummary],
    identity: BatchIdentity,
    import_dir: Path | None,
    progress: Progress,
) -> WriteCounts:
    """Write every spooled file (the first three through the batch importer when ``import_dir`` is given), then
    record the batch as loaded (only then: a load cut short is loaded again)."""
    batch = identity.batch
    initial = import_dir is not None
    counts = WriteCounts()
    if import_dir is not None:
        imported = {name: spools[name] for name in bulk.IMPORTED if name in spools}
        counts.merge(bulk.import_initial(graph, imported, batch, import_dir, progress))
    for name in (name for name in WRITE_ORDER if name in spools):
        if not initial or name not in bulk.IMPORTED:
            counts.merge(_write_file(graph, name, spools[name], batch, progress))
        elif name == "sessions":  # imported: only the allowlist's CIDR rules are left to apply to its IPs
            counts.merge(write.flag_allowlisted_ips(graph, spools[name].distinct(["ip"])["ip"], batch))
        summaries[name].rows_written = spools[name].rows
    files = [f"{entry.file}\t{entry.name}\t{entry.bytes}\t{entry.sha256}" for entry in identity.files]
    graph.write("load/record_batch", batch=batch, name=identity.name, digest=identity.digest, files=files)
    return counts
