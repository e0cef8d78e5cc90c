"""`linkage browser`: the real Neo4j Browser (the ``org.neo4j.client:neo4j-browser`` web application, fetched from
Maven Central with the local database's jars) served on 127.0.0.1 and pre-set to connect to the database.

Neo4j Browser is a static web application that talks Bolt over a WebSocket, which Neo4j's Bolt port accepts
beside plain Bolt; the embedded database serves no HTTP, so this serves the files. The page opens at
``/browser/?connectURL=bolt://USER@HOST:PORT``: the user name travels in the address, never a password. With
authentication on, the Browser asks for the password (the local database's is in a file only its owner can
read, named on the command line); with it off, the Browser connects at once ("No authentication"). ``/``
answers the Browser's discovery request with the Bolt address too.
"""

from __future__ import annotations

import json
import threading
import zipfile
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import BaseModel

import localdb
from linkage.errors import LinkageError
from linkage.settings import Settings

HOST = "127.0.0.1"
JAR_PATTERN = "org.neo4j.client.neo4j-browser-*.jar"


class BrowserUnavailable(LinkageError):
    pass


class BrowserInfo(BaseModel):
    url: str  # the page to open: Neo4j Browser, pre-set to the database
    bolt: str  # the database the Browser connects to
    user: str
    password_hint: str | None  # where the password is when authentication is on (never the password itself)
    version: str  # Neo4j Browser's version


def browser_files(settings: Settings) -> tuple[Path, str]:
    """The Browser's web files, unpacked once from its jar beside the local database's jars; and its version."""
    config = settings.localdb
    if settings.uses_local_db:
        localdb.start(config)  # builds the jars folder first when needed (never under a running database)
    else:
        localdb.ensure_built(config)
    jars = sorted(config.lib_dir.glob(JAR_PATTERN))
    if not jars:
        raise BrowserUnavailable(
            f"No Neo4j Browser jar in {config.lib_dir}: the local database was built before it was added. "
            "Stop it (`linkage db stop`) and run `linkage browser` again: the next start rebuilds its jars."
        )
    version = jars[-1].name.removeprefix("org.neo4j.client.neo4j-browser-").removesuffix(".jar")
    root = config.root / "localdb" / f"browser-{version}"
    if not (root / "browser" / "index.html").exists():
        tmp = root.with_name(root.name + ".tmp")
        with zipfile.ZipFile(jars[-1]) as jar:
            jar.extractall(tmp, [name for name in jar.namelist() if name.startswith("browser/")])
        tmp.replace(root)
    return root, version


def browser_info(settings: Settings, port: int, version: str) -> BrowserInfo:
    """Where the page is and what it connects to; the password hint names a file or a variable, never a secret."""
    parts = urlsplit(settings.uri)
    user = settings.neo4j_user if not settings.uses_local_db else "neo4j"
    bolt = f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}"
    connect = f"{parts.scheme}://{quote(user, safe='')}@{parts.hostname}:{parts.port or 7687}"
    hint = None
    if settings.auth() is not None:
        hint = (
            f"the file {settings.localdb.password_file}"
            if settings.uses_local_db
            else "NEO4J_PASSWORD_FILE or NEO4J_PASSWORD"
        )
    method = "NATIVE" if hint else "NO_AUTH"  # the connect form opens on the right authentication type
    url = f"http://{HOST}:{port}/browser/?connectURL={quote(connect, safe='')}&preselectAuthMethod={method}"
    return BrowserInfo(url=url, bolt=bolt, user=user, password_hint=hint, version=version)


class _Server(ThreadingHTTPServer):
    discovery = b"{}"  # the Browser's discovery answer: where Bolt is
    start = "/browser/"  # the page, pre-set to connect


class _Handler(SimpleHTTPRequestHandler):
    """The Browser's files; ``/`` answers discovery (JSON) or redirects to the page."""

    server: _Server

    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/":
            super().do_GET()
        elif "application/json" in self.headers.get("Accept", ""):
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.server.discovery)))
            self.end_headers()
            self.wfile.write(self.server.discovery)
        else:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self.server.start)
            self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the page is the user's own."""


class BrowserServer:
    """Neo4j Browser served on 127.0.0.1 in a background thread (``port`` 0: any free port)."""

    def __init__(self, settings: Settings, port: int = 0) -> None:
        root, version = browser_files(settings)
        try:
            self.httpd = _Server((HOST, port), partial(_Handler, directory=str(root)))
        except OSError as exc:  # taken (a real Neo4j's Browser on 7474), or not ours to bind
            raise BrowserUnavailable(
                f"Cannot serve Neo4j Browser on {HOST}:{port} ({exc.strerror or exc}): give another --port, or none "
                "for any free one."
            ) from None
        bound = int(self.httpd.server_address[1])
        self.info = browser_info(settings, bound, version)
        self.httpd.discovery = json.dumps({"bolt_direct": self.info.bolt, "neo4j_edition": "community"}).encode()
        self.httpd.start = self.info.url.removeprefix(f"http://{HOST}:{bound}")
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="neo4j-browser", daemon=True)

    def __enter__(self) -> BrowserServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait(self) -> None:
        """Serve until interrupted (Ctrl-C)."""
        self.thread.join()
