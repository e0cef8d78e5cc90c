"""Every Cypher statement of linkage, one ``.cypher`` file each, shared by the engine and the analysts."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import LiteralString, cast


@cache
def statement(name: str) -> LiteralString:
    """The text of ``cypher/<name>.cypher``. Values always travel as parameters, never in this text."""
    text = resources.files(__name__).joinpath(f"{name}.cypher").read_text(encoding="utf-8")
    return cast(LiteralString, text)


def schema_statements() -> list[LiteralString]:
    """The DDL of ``schema.cypher``, one statement per entry (comments stripped)."""
    body = "\n".join(line for line in statement("schema").splitlines() if not line.lstrip().startswith("//"))
    return [cast(LiteralString, part.strip()) for part in body.split(";") if part.strip()]


def saved_queries() -> list[str]:
    """Names of the analysts' saved queries (``cypher/queries/*.cypher``)."""
    folder = resources.files(__name__).joinpath("queries")
    return sorted(p.name.removesuffix(".cypher") for p in folder.iterdir() if p.name.endswith(".cypher"))
