"""A batch's identity: its folder's name plus a digest of what its files hold.

A scheduler exports every night to a folder of the same name (``export/``): a name alone would make the second
night "the batch already counted", and its sessions would be skipped. The identity is ``<name>@<digest>``, where the
digest is the SHA-256 of the batch's manifest (each file's kind and the SHA-256 of its bytes): the same files load
once, new content under a used name is a new batch. Files the contract does not name play no part.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel

DIGEST_CHARS = 12  # of the manifest's hex digest, in the batch's name: 48 bits tell a night's exports apart


class ManifestEntry(BaseModel):
    file: str  # the kind of file (accounts, sessions…)
    name: str  # its name in the folder
    bytes: int
    sha256: str


class BatchIdentity(BaseModel):
    batch: str  # <name>@<first DIGEST_CHARS of digest>: what the graph records (first_batch, batches…)
    name: str
    digest: str
    files: list[ManifestEntry]


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def identify(batch_dir: Path, files: dict[str, Path]) -> BatchIdentity:
    """The identity of the batch in ``batch_dir`` whose files (by kind) are ``files``."""
    entries = [
        ManifestEntry(file=kind, name=path.name, bytes=path.stat().st_size, sha256=_file_digest(path))
        for kind, path in files.items()
    ]
    manifest = "".join(f"{entry.file}\t{entry.sha256}\n" for entry in sorted(entries, key=lambda e: e.file))
    digest = hashlib.sha256(manifest.encode()).hexdigest()
    name = batch_dir.resolve().name
    return BatchIdentity(batch=f"{name}@{digest[:DIGEST_CHARS]}", name=name, digest=digest, files=entries)
