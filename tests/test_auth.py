"""The local database is locked down: a password of the user's own, no LOAD CSV of local files, Bolt on loopback
only; a state folder made before it asked for a password keeps its data and gets one."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
from pathlib import Path

import neo4j
import pytest
from neo4j.exceptions import AuthError, ClientError
from typer.testing import CliRunner

import localdb
from linkage.cli import app
from linkage.graph import Graph
from linkage.settings import Settings
from localdb.server import JVM_OPENS, _java_executable

pytestmark = pytest.mark.db

LEGACY = Path(__file__).parent / "legacy" / "StoreWithoutAuth.java"


def _connects(uri: str, auth: tuple[str, str] | None) -> bool:
    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        try:
            driver.verify_connectivity()
        except AuthError:
            return False
    return True


def test_only_the_generated_password_opens_the_database(database: Settings) -> None:
    config = database.localdb
    secret = localdb.password(config)
    assert secret is not None and len(secret) >= 32
    assert stat.S_IMODE(config.password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((config.root / "neo4j").stat().st_mode) == 0o700
    assert not _connects(config.uri, None)
    assert not _connects(config.uri, ("neo4j", "neo4j"))  # the default password is gone
    assert not _connects(config.uri, ("neo4j", secret + "x"))
    assert _connects(config.uri, ("neo4j", secret))


def test_load_csv_cannot_read_local_files(graph: Graph, tmp_path: Path) -> None:
    exported = tmp_path / "accounts.csv"
    exported.write_text("account_id,email\na1,alice@example.org\n")
    with graph.driver.session() as session, pytest.raises(ClientError, match="allow_csv_import_from_file_urls"):
        session.run("LOAD CSV FROM $url AS row RETURN row", url=exported.as_uri()).consume()


def test_bolt_listens_on_loopback_only(database: Settings) -> None:
    """Every listening socket on the database's port is bound to 127.0.0.1 (from the kernel's socket table)."""
    port = f"{database.localdb_port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local.endswith(f":{port}"):  # 0A: LISTEN
                listening.append(local.split(":")[0])
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1 (little-endian), also as ::ffff:127.0.0.1
    assert listening and set(listening) <= loopback  # nothing on 0.0.0.0, ::, or another address


def test_a_server_password_comes_from_the_environment_and_a_wrong_one_is_one_line(
    database: Settings, test_env: dict[str, str]
) -> None:
    secret = localdb.password(database.localdb)
    assert secret is not None
    remote = {**test_env, "NEO4J_URI": database.localdb.uri, "NEO4J_PASSWORD_FILE": str(database.localdb.password_file)}
    result = CliRunner().invoke(app, ["db", "status", "--json"], env=remote)
    assert result.exit_code == 0 and json.loads(result.stdout)["running"] is True, result.output
    wrong = {**test_env, "NEO4J_URI": database.localdb.uri, "NEO4J_PASSWORD": "not-" + secret}
    result = CliRunner().invoke(app, ["load", "examples/batch"], env=wrong)
    assert result.exit_code == 4, result.output
    assert "refused the credentials (NEO4J_USER with NEO4J_PASSWORD or NEO4J_PASSWORD_FILE)" in result.stderr
    assert secret not in result.output and "Traceback" not in result.output


def test_a_password_file_that_is_not_utf8_is_one_line_naming_it(
    database: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    """NEO4J_PASSWORD_FILE is a setting: exit 2. The local database's own password file: exit 4 (the database cannot
    be opened until it is fixed). Neither shows the file's bytes."""
    latin1 = tmp_path / "password"
    latin1.write_bytes("geheimnisvoll-ä\n".encode("latin-1"))
    remote = {**test_env, "NEO4J_URI": database.localdb.uri, "NEO4J_PASSWORD_FILE": str(latin1)}
    result = CliRunner().invoke(app, ["db", "status"], env=remote)
    assert result.exit_code == 2, result.output
    assert f"NEO4J_PASSWORD_FILE {latin1} is not UTF-8 text" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output and "geheimnis" not in result.output

    own = database.localdb.password_file
    saved = own.read_bytes()
    try:
        own.write_bytes(b"\xff" + saved)
        result = CliRunner().invoke(app, ["db", "status"], env=test_env)
    finally:
        own.write_bytes(saved)
    assert result.exit_code == 4, result.output
    assert f"The local database's password file {own} is not UTF-8 text" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output and saved.decode().strip() not in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_state_folder_from_before_authentication_keeps_its_data_and_gets_a_password(
    database: Settings, tmp_path: Path
) -> None:
    """A store created by Neo4j with its defaults (no authentication), as linkage's launcher did before: the first
    start generates a password, Neo4j takes it before Bolt opens, and the data is there."""
    built = database.localdb
    old = localdb.LocalDbConfig(home=tmp_path / "old-home", port=_free_port(), heap="512m", pagecache="128m")
    (old.root / "localdb").mkdir(parents=True)
    for shared in ("lib", "build", "build.stamp", "classes.jsa"):  # the suite's build, not a second Maven build
        (old.root / "localdb" / shared).symlink_to(built.root / "localdb" / shared)
    command = [_java_executable(), "-Xmx512m", *JVM_OPENS, "-cp", f"{built.lib_dir}/*", str(LEGACY), str(old.root)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not old.password_file.exists()

    localdb.start(old)
    try:
        secret = localdb.password(old)
        assert secret is not None and stat.S_IMODE(old.password_file.stat().st_mode) == 0o600
        assert not _connects(old.uri, None) and not _connects(old.uri, ("neo4j", "neo4j"))
        with neo4j.GraphDatabase.driver(old.uri, auth=("neo4j", secret)) as driver:
            records, _, _ = driver.execute_query("MATCH (n:Legacy) RETURN n.name AS name")
        assert [record["name"] for record in records] == ["kept"]
    finally:
        localdb.stop(old)
