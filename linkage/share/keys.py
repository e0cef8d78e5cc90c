"""The key partners agree on for what leaves as a keyed hash: never the internal hash key, never a raw value."""

from __future__ import annotations

from linkage.errors import ExitCode, LinkageError
from linkage.settings import Settings
from loaders.privacy import email_hashes, hash_key

DEMO_SHARE_KEY = "linkage-demo-share-key-NOT-SECRET"


class ShareKeyError(LinkageError):
    """No share key, or the internal hash key given as one."""

    exit_code = ExitCode.USAGE


def share_key(settings: Settings) -> bytes:
    """LINKAGE_SHARE_KEY, else (demo mode only) a public demo key. The internal hash key is refused: a partner who
    holds it could test e-mail addresses against the graph's hashes."""
    if settings.share_key is not None and settings.share_key.get_secret_value():
        key = settings.share_key.get_secret_value().encode()
    elif settings.demo:
        key = DEMO_SHARE_KEY.encode()
    else:
        raise ShareKeyError(
            "Payment methods and template families are shared only as keyed hashes: set LINKAGE_SHARE_KEY to the "
            "key your partners agree on (or LINKAGE_DEMO=1 for synthetic data)."
        )
    internal = settings.hash_key is not None or settings.hash_key_file is not None
    if internal and key == hash_key(settings):
        raise ShareKeyError("LINKAGE_SHARE_KEY must differ from LINKAGE_HASH_KEY, which never leaves linkage.")
    return key


def keyed(values: list[str], key: bytes) -> list[str]:
    """The HMAC-SHA256 of each value under ``key`` (the loaders' keyed hash, under the share key)."""
    return [digest for digest in email_hashes(values, key) if digest is not None]
