"""The local database: Neo4j Community + open-source GDS, assembled from Maven Central and run from a small launcher."""

from localdb.memory import Memory
from localdb.server import (
    LocalDbConfig,
    LocalDbError,
    LocalDbState,
    bulk_import,
    ensure_built,
    import_store,
    password,
    pid_alive,
    start,
    state,
    stop,
)

__all__ = [
    "LocalDbConfig",
    "LocalDbError",
    "LocalDbState",
    "Memory",
    "bulk_import",
    "ensure_built",
    "import_store",
    "password",
    "pid_alive",
    "start",
    "state",
    "stop",
]
