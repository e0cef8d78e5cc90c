"""Build, start, stop and inspect the local Neo4j + GDS process.

The launcher (``LocalDb.java`` beside this file) is compiled by Maven, which also copies the Neo4j and
GDS jars from Maven Central into ``<home>/localdb/lib`` once; later starts reuse them. The Java process
writes ``<home>/localdb.ready.json`` only after ``gds.version()`` answered, so a start waits for that
file rather than guessing from an open port.

The database asks for a password: the first start generates one into ``<home>/localdb/password`` (mode 0600),
which only the user running linkage can read; the launcher hands it to Neo4j before Bolt opens. Its heap and page
cache are sized from the machine's memory unless set (``memory.py``); ``<home>/localdb.memory.json`` records what
the running database was started with.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from localdb.memory import Memory, choose

JVM_OPENS = [
    f"--add-opens=java.base/{package}=ALL-UNNAMED"
    for package in (
        "java.lang",
        "java.lang.invoke",
        "java.nio",
        "java.io",
        "sun.nio.ch",
        "java.util.stream",
    )
]
MIN_JAVA = 17


class LocalDbError(RuntimeError):
    """An expected failure of the local database: its message is meant for the user."""


@dataclass(frozen=True)
class LocalDbConfig:
    home: Path
    port: int = 7687
    heap: str | None = None  # None: sized from the machine's memory (localdb/memory.py)
    pagecache: str | None = None
    start_timeout: float = 180.0

    @cached_property
    def memory(self) -> Memory:
        """The heap and page cache a start gives the database."""
        return choose(self.heap, self.pagecache)

    @property
    def root(self) -> Path:
        return self.home.resolve()

    @property
    def lib_dir(self) -> Path:
        return self.root / "localdb" / "lib"

    @property
    def launcher_jar(self) -> Path:
        return self.root / "localdb" / "build" / "linkage-localdb.jar"

    @property
    def classpath(self) -> str:
        """The launcher's classes (LocalDb, ColumnImport), then every jar it was built with."""
        return f"{self.launcher_jar}:{self.lib_dir}/*"

    @property
    def stamp_file(self) -> Path:
        return self.root / "localdb" / "build.stamp"

    @property
    def class_archive(self) -> Path:
        return self.root / "localdb" / "classes.jsa"

    @property
    def ready_file(self) -> Path:
        return self.root / "localdb.ready.json"

    @property
    def pid_file(self) -> Path:
        return self.root / "localdb.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "localdb.log"

    @property
    def memory_file(self) -> Path:
        """The memory the running database was started with (the settings may have changed since)."""
        return self.root / "localdb.memory.json"

    @property
    def password_file(self) -> Path:
        return self.root / "localdb" / "password"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class LocalDbState:
    running: bool
    uri: str
    pid: int | None
    memory: Memory | None  # what it was started with; None when stopped or started by an older linkage


def _source_dir() -> Path:
    return Path(str(resources.files("localdb")))


def _source_digest() -> str:
    """A digest of the pom and the launcher source: a change to either rebuilds the jars folder."""
    digest = hashlib.sha256()
    src = _source_dir()
    for path in sorted([src / "pom.xml", *src.glob("src/**/*.java")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not candidate or not Path(candidate).exists():
        raise LocalDbError(f"Java {MIN_JAVA}+ is required for the local database: no java found on PATH or JAVA_HOME.")
    out = subprocess.run([candidate, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)', out)
    if not match or int(match.group(1)) < MIN_JAVA:
        raise LocalDbError(f"Java {MIN_JAVA}+ is required for the local database; {candidate} reports: {out.strip()}")
    return candidate


def ensure_built(config: LocalDbConfig) -> None:
    """Compile the launcher and gather its jars under the state folder, unless already done for this source."""
    digest = _source_digest()
    if config.stamp_file.exists() and config.stamp_file.read_text() == digest and config.launcher_jar.exists():
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalDbError("Maven (mvn) is required once, to fetch Neo4j and GDS from Maven Central: install it.")
    build_dir = config.launcher_jar.parent
    shutil.rmtree(config.lib_dir, ignore_errors=True)
    config.lib_dir.mkdir(parents=True, exist_ok=True)
    log = config.root / "localdb-build.log"
    command = [
        mvn, "-B", "-q", "-f", str(_source_dir() / "pom.xml"),
        f"-Dlinkage.build.dir={build_dir}",
        "package", "dependency:copy-dependencies",
        f"-DoutputDirectory={config.lib_dir}", "-Dmdep.prependGroupId=true", "-DincludeScope=runtime",
    ]  # fmt: skip
    with log.open("w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise LocalDbError(f"Building the local database failed (mvn exit {result.returncode}); see {log}")
    config.class_archive.unlink(missing_ok=True)  # it holds the classes of the jars just replaced
    config.stamp_file.write_text(digest)


def _class_archive_options(config: LocalDbConfig) -> list[str]:
    """Class data sharing: the first start writes the classes it loaded to an archive when it stops, and later
    starts map them from it instead of loading and verifying some 16,000 classes again (a start took 8.0-8.4 s
    against 13.5 s without it). A stale or foreign archive is ignored by the JVM with a warning in the log."""
    if config.class_archive.exists():
        return [f"-XX:SharedArchiveFile={config.class_archive}"]
    return [f"-XX:ArchiveClassesAtExit={config.class_archive}"]


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host still exists (one of another user counts: it cannot be signalled)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap our own child if it exited, so it does not linger as a zombie
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(config: LocalDbConfig) -> int | None:
    try:
        pid = int(config.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def _ready_info(config: LocalDbConfig) -> dict[str, object]:
    try:
        info = json.loads(config.ready_file.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return info if isinstance(info, dict) else {}


def _ready(config: LocalDbConfig, pid: int) -> bool:
    return bool(_ready_info(config).get("pid") == pid)


def _ensure_password(config: LocalDbConfig) -> None:
    """Generate the database password at the first start: a file of the user's own (0600), never printed."""
    config.password_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(config.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        config.password_file.chmod(0o600)  # also when an older copy was readable by others
        return
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(24) + "\n")


def password(config: LocalDbConfig) -> str | None:
    """The local database's password (None before its first start with authentication)."""
    try:
        return config.password_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:  # the launcher reads it as UTF-8 too, and would fail to start
        raise LocalDbError(
            f"The local database's password file {config.password_file} is not UTF-8 text ({exc.reason} at byte "
            f"{exc.start}): write the password there as UTF-8 text."
        ) from None


def state(config: LocalDbConfig) -> LocalDbState:
    pid = _read_pid(config)
    if pid is None or not _ready(config, pid):
        return LocalDbState(running=False, uri=config.uri, pid=None, memory=None)
    return LocalDbState(running=True, uri=config.uri, pid=pid, memory=_started_memory(config, pid))


def _started_memory(config: LocalDbConfig, pid: int) -> Memory | None:
    """The memory the database of ``pid`` was started with, from the record its start wrote."""
    try:
        record = json.loads(config.memory_file.read_text())
        return Memory(**record["memory"]) if record["pid"] == pid else None
    except (OSError, ValueError, TypeError, KeyError):  # no record, or not one this linkage writes
        return None


@contextlib.contextmanager
def _lock(config: LocalDbConfig) -> Iterator[None]:
    """Serialise start and stop between processes sharing one state folder."""
    config.root.mkdir(parents=True, exist_ok=True)
    with (config.root / "localdb.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _log_tail(log: Path, lines: int = 15) -> str:
    """The last lines of a log, without the JVM's class-data sharing warnings (they bury the error)."""
    try:
        text = [line for line in log.read_text(errors="replace").splitlines() if "][cds]" not in line]
    except FileNotFoundError:
        return ""
    return "\n".join(text[-lines:])


def start(config: LocalDbConfig) -> LocalDbState:
    """Start the local database unless it already runs; return once it answers ``gds.version()``. A server that
    an older linkage started without authentication is restarted with it."""
    with _lock(config):
        return _start(config)


def _start(config: LocalDbConfig) -> LocalDbState:
    current = state(config)
    if current.running and _ready_info(config).get("auth") is True:
        return current
    stale = _read_pid(config)
    if stale is not None:
        _terminate(stale, timeout=60)
    ensure_built(config)
    _ensure_password(config)
    password(config)  # one line if it cannot be read, rather than the launcher's stack trace in its log
    (config.root / "neo4j").mkdir(mode=0o700, exist_ok=True)
    (config.root / "neo4j").chmod(0o700)  # the store: the user's own
    config.ready_file.unlink(missing_ok=True)
    memory = config.memory
    command = [
        _java_executable(), f"-Xms{memory.heap}", f"-Xmx{memory.heap}", "-XX:+UseG1GC",
        *_class_archive_options(config), *JVM_OPENS, "-Dio.netty.tryReflectionSetAccessible=true",
        "-cp", config.classpath,
        "linkage.localdb.LocalDb", str(config.root), str(config.port), memory.pagecache,
    ]  # fmt: skip
    archiving = not config.class_archive.exists()
    pid = _spawn(command, config.log_file)
    config.pid_file.write_text(str(pid))
    config.memory_file.write_text(json.dumps({"pid": pid, "memory": asdict(memory)}))
    deadline = time.monotonic() + config.start_timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            config.pid_file.unlink(missing_ok=True)
            if archiving:  # the archive a failed start wrote holds a handful of classes: later starts would map it
                config.class_archive.unlink(missing_ok=True)
            raise LocalDbError(
                f"The local database exited during start; log: {config.log_file}\n" + _log_tail(config.log_file)
            )
        if _ready(config, pid):
            return state(config)
        time.sleep(0.25)
    _terminate(pid, timeout=30)
    raise LocalDbError(f"The local database did not answer within {config.start_timeout:.0f}s; log: {config.log_file}")


def _spawn(command: list[str], log_file: Path) -> int:
    """Start ``command`` detached in its own session, output to ``log_file``; return its pid.

    ``posix_spawn`` rather than ``Popen``: the server outlives this process by design, and a ``Popen``
    object dropped while its child runs warns about a leaked process.
    """
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log_file), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    return os.posix_spawn(command[0], command, dict(os.environ), file_actions=actions, setsid=True)


def _terminate(pid: int, timeout: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.2)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def bulk_import(config: LocalDbConfig, manifest: Path) -> None:
    """Replace the local database's store with the column files of ``manifest``, written by Neo4j's batch importer
    (``ColumnImport.java`` documents the files).

    The importer writes a store directly, without transactions (far faster than Cypher), and only while the
    database is stopped: stop it first, start it afterwards. It creates no constraints. Its output goes to
    ``<home>/localdb-import.log``.
    """
    if state(config).running:
        raise LocalDbError("The local database must be stopped for an import.")
    ensure_built(config)
    command = [
        _java_executable(), f"-Xmx{config.memory.heap}", *JVM_OPENS, "-cp", config.classpath,
        "linkage.localdb.ColumnImport", str(config.root / "neo4j"), str(manifest), config.memory.pagecache,
    ]  # fmt: skip
    log = config.root / "localdb-import.log"
    with log.open("w") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise LocalDbError(f"The import failed (exit code {done.returncode}); log: {log}\n" + _log_tail(log))


def import_store(
    config: LocalDbConfig,
    manifest: Path,
    step: Callable[[str], AbstractContextManager[object]] = lambda _: nullcontext(),
) -> None:
    """Stop the local database, replace its store with the column files of ``manifest`` (:func:`bulk_import`)
    and start it again, also after a failed import, which leaves it empty, as it was. ``step`` wraps each of the
    three steps (the loaders show them as progress stages)."""
    with _lock(config):  # no other process starts the database while its store is being replaced
        with step("stop the database"):
            _stop(config, timeout=60.0)
        try:
            with step("neo4j import"):
                bulk_import(config, manifest)
        finally:
            with step("start the database"):
                _start(config)


def stop(config: LocalDbConfig, timeout: float = 60.0) -> bool:
    """Shut the local database down cleanly (SIGTERM runs Neo4j's shutdown); return whether it was running."""
    with _lock(config):
        return _stop(config, timeout)


def _stop(config: LocalDbConfig, timeout: float) -> bool:
    pid = _read_pid(config)
    if pid is None:
        config.pid_file.unlink(missing_ok=True)
        return False
    _terminate(pid, timeout)
    config.pid_file.unlink(missing_ok=True)
    config.ready_file.unlink(missing_ok=True)
    config.memory_file.unlink(missing_ok=True)
    return True
