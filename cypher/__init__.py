"""Every Cypher statement of linkage, one ``.cypher`` file each, shared by the engine and the analysts.

The folders mirror the code: ``load/``, ``similarity/``, ``detect/``, ``nightly/``, ``graph/`` (the bottom layer's
housekeeping) and ``analyst/`` (the saved queries), beside ``schema.cypher``. A statement is named by its path
without the suffix: ``statement("detect/value_incidence")``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path
from typing import LiteralString, cast

SAVED_QUERIES = "analyst"


@cache
def statement(name: str | Path) -> LiteralString:
    """The text of ``cypher/<name>.cypher``, or of a ``.cypher`` file elsewhere (benchmarks and tests keep their
    own). Values always travel as parameters, never in this text."""
    source = name if isinstance(name, Path) else resources.files(__name__).joinpath(f"{name}.cypher")
    return cast(LiteralString, source.read_text(encoding="utf-8"))


def schema_statements() -> list[LiteralString]:
    """The DDL of ``schema.cypher``, one statement per entry (comments stripped)."""
    body = "\n".join(line for line in statement("schema").splitlines() if not line.lstrip().startswith("//"))
    return [cast(LiteralString, part.strip()) for part in body.split(";") if part.strip()]


SCHEMA_TARGET = re.compile(r"FOR\s*(?:\(\w*:(\w+)\)|\(\)-\[\w*:(\w+)\]-\(\))")


def schema_groups() -> list[list[LiteralString]]:
    """:func:`schema_statements` grouped by the label or relationship type each is on (in file order within a
    group): two schema changes on one label must not run at once, or they deadlock."""
    groups: defaultdict[str, list[LiteralString]] = defaultdict(list)
    for ddl in schema_statements():
        target = SCHEMA_TARGET.search(ddl)
        groups[next(name for name in target.groups() if name) if target else ddl].append(ddl)
    return list(groups.values())


def saved_queries() -> list[str]:
    """Names of the analysts' saved queries (``cypher/analyst/*.cypher``)."""
    folder = resources.files(__name__).joinpath(SAVED_QUERIES)
    return sorted(p.name.removesuffix(".cypher") for p in folder.iterdir() if p.name.endswith(".cypher"))
