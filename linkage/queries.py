"""Analysts' saved queries: the `.cypher` files under `cypher/queries/`, listed and run by name."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from cypher import saved_queries, statement
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph
from linkage.settings import Settings

PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(LinkageError):
    exit_code = ExitCode.USAGE


class SavedQuery(BaseModel):
    name: str
    description: str
    parameters: list[str]


def describe(name: str) -> SavedQuery:
    text = statement(f"queries/{name}")
    header = [line.lstrip("/ ").strip() for line in text.splitlines() if line.startswith("//")]
    description = " ".join(header).split("Parameters:")[0].strip()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
    return SavedQuery(name=name, description=description, parameters=sorted(set(PARAMETER.findall(body))))


def list_queries() -> list[SavedQuery]:
    return [describe(name) for name in saved_queries()]


def _typed(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def run_query(settings: Settings, name: str, raw_params: list[str]) -> list[dict[str, Any]]:
    """Run saved query ``name`` with ``key=value`` parameters (numbers are passed as numbers)."""
    if name not in saved_queries():
        raise QueryError(f"No saved query {name!r}; `linkage query list` shows them.")
    params: dict[str, Any] = {}
    for item in raw_params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise QueryError(f"Parameters are key=value, got {item!r}.")
        params[key] = _typed(value)
    missing = set(describe(name).parameters) - set(params)
    if missing:
        raise QueryError(f"Query {name!r} needs parameter(s): {', '.join(sorted(missing))} (--param key=value).")
    with Graph(settings) as graph:
        return graph.read(f"queries/{name}", **params)
