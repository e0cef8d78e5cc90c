"""Analysts' saved queries: the `.cypher` files under `cypher/analyst/`, listed and run by name.

Each file starts with a comment that says what it shows and declares its parameters with their types
(``// Parameters: cluster_id (string), max_accounts (integer)`` or ``// Parameters: none``). A value given on the
command line is converted by that declaration, never guessed: ``-p account_id=12345`` stays the text "12345".
An ``// Example:`` line shows the command, and one ``// :param name => value;`` line per parameter is what Neo4j
Browser needs before the query (``linkage query show NAME`` prints both, ready to paste).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from cypher import SAVED_QUERIES, saved_queries, statement
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph
from linkage.settings import Settings

PARAMETERS_LINE = "Parameters:"
EXAMPLE_LINE = "Example:"
BROWSER_PARAM = ":param "
DECLARATION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(string|integer|float|boolean)\s*\)\s*$")
BOOLEANS = {"true": True, "false": False}


def _boolean(value: str) -> bool:
    if value.lower() not in BOOLEANS:
        raise ValueError(value)
    return BOOLEANS[value.lower()]


CONVERTERS: dict[str, Callable[[str], Any]] = {"string": str, "integer": int, "float": float, "boolean": _boolean}


class QueryError(LinkageError):
    exit_code = ExitCode.USAGE


class SavedQuery(BaseModel):
    name: str
    description: str
    parameters: dict[str, str]  # name -> declared type
    example: str | None = None  # the command line that runs it
    browser_params: list[str] = []  # Neo4j Browser's `:param name => value;` lines, one per parameter


def describe(name: str) -> SavedQuery:
    """A saved query's description and declared parameters, from its header comment."""
    header = []
    for line in statement(f"{SAVED_QUERIES}/{name}").splitlines():
        if not line.startswith("//"):
            break
        header.append(line.removeprefix("//").strip())
    marked = (PARAMETERS_LINE, EXAMPLE_LINE, BROWSER_PARAM)
    description = " ".join(line for line in header if not line.startswith(marked))
    example = next((line.removeprefix(EXAMPLE_LINE).strip() for line in header if line.startswith(EXAMPLE_LINE)), None)
    browser_params = [line for line in header if line.startswith(BROWSER_PARAM)]
    declared = next((line.removeprefix(PARAMETERS_LINE) for line in header if line.startswith(PARAMETERS_LINE)), None)
    if declared is None:
        raise QueryError(f"Saved query {name!r} declares no parameters (a `// {PARAMETERS_LINE}` header line).")
    parameters: dict[str, str] = {}
    for item in declared.split(","):
        if item.strip() in ("", "none"):
            continue
        match = DECLARATION.match(item)
        if match is None:
            raise QueryError(f"Saved query {name!r}: cannot read the parameter declaration {item.strip()!r}.")
        parameters[match.group(1)] = match.group(2)
    return SavedQuery(name=name, description=description, parameters=parameters, example=example,
                      browser_params=browser_params)  # fmt: skip


def list_queries() -> list[SavedQuery]:
    return [describe(name) for name in saved_queries()]


def typed_parameters(query: SavedQuery, raw_params: list[str]) -> dict[str, Any]:
    """``key=value`` items converted by the query's declaration; unknown, malformed and missing ones refused."""
    params: dict[str, Any] = {}
    for item in raw_params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise QueryError(f"Parameters are key=value, got {item!r}.")
        kind = query.parameters.get(key)
        if kind is None:
            known = ", ".join(query.parameters) or "none"
            raise QueryError(f"Query {query.name!r} takes no parameter {key!r} (it takes: {known}).")
        try:
            params[key] = CONVERTERS[kind](value)
        except ValueError:
            raise QueryError(
                f"Parameter {key!r} of query {query.name!r} is declared {kind}: {value!r} is not."
            ) from None
    missing = [key for key in query.parameters if key not in params]
    if missing:
        raise QueryError(f"Query {query.name!r} needs parameter(s): {', '.join(missing)} (--param key=value).")
    return params


def browser_text(name: str) -> str:
    """A saved query as Neo4j Browser takes it: its ``:param`` lines, then the statement (comments kept)."""
    if name not in saved_queries():
        raise QueryError(f"No saved query {name!r}; `linkage query list` shows them.")
    query = describe(name)
    return "\n".join([*query.browser_params, statement(f"{SAVED_QUERIES}/{name}")]).rstrip() + "\n"


def run_query(settings: Settings, name: str, raw_params: list[str]) -> list[dict[str, Any]]:
    """Run saved query ``name`` with ``key=value`` parameters, typed as the query declares them."""
    if name not in saved_queries():
        raise QueryError(f"No saved query {name!r}; `linkage query list` shows them.")
    params = typed_parameters(describe(name), raw_params)
    with Graph(settings) as graph:
        return graph.read(f"{SAVED_QUERIES}/{name}", **params)
