"""Analysts' saved queries: the `.cypher` files under `cypher/analyst/`, listed and run by name (or an analyst's
own `.cypher` file, by path).

Each file starts with a comment that says what it shows and declares its parameters with their types
(``// Parameters: cluster_id (string), max_accounts (integer)`` or ``// Parameters: none``). A value given on the
command line is converted by that declaration, never guessed: ``-p account_id=12345`` stays the text "12345".
An ``// Example:`` line shows the command, and one ``// :param name => value;`` line per parameter is what Neo4j
Browser needs before the query (``linkage query show NAME`` prints both, ready to paste).

A query only reads the graph, and is checked twice before anything runs (it then runs in a read transaction, where
Neo4j refuses any write that got this far):

- its text (:func:`clause_refusals`), outside strings, comments and quoted names: no command (``SHOW …``,
  ``TERMINATE …``, administration: users, roles, databases, privileges; schema: indexes, constraints), no ``USE``,
  no ``LOAD CSV`` (which reads files and URLs: the hash key, raw exports), no ``CALL { } IN TRANSACTIONS`` and no
  ``CALL`` of a procedure outside :data:`PROCEDURES`. Some commands have no plan that says what they do (``SHOW
  USERS`` is one operator, ``AdministrationCommand``, run on the system database; ``START DATABASE`` cannot be
  EXPLAINed at all on Community), so they are refused by their words;
- its plan (``EXPLAIN``, which runs nothing; :func:`plan_refusals`): every operator must be one that only reads
  (:data:`READ_OPERATORS`, an allowlist: an operator it does not know is refused), a procedure call must be of
  :data:`PROCEDURES`, and no function outside Cypher's own namespaces (``gds.graph.project`` builds projections
  from a read query).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cypher import SAVED_QUERIES, saved_queries, statement
from linkage.analyst.known import ACCOUNT_PARAMETERS, KNOWN, require_known
from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph, GraphRefused
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


# procedures a query may call: they describe the schema, and read nothing else
PROCEDURES = frozenset({"db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
                        "db.schema.nodeTypeProperties", "db.schema.relTypeProperties"})  # fmt: skip
# Cypher's own namespaced functions (duration.between, point.distance…); any other namespace is a plugin's
FUNCTION_NAMESPACES = frozenset({"date", "datetime", "duration", "localdatetime", "localtime", "point", "time",
                                 "vector"})  # fmt: skip
# The operators of Neo4j 5's Cypher planner that only read: the Cypher manual's "Summary of operators" less the
# updating ones, LoadCSV, the SHOW and TERMINATE commands, schema and administration commands, the transactions of
# CALL { } IN TRANSACTIONS, FOREACH, and MERGE's helpers (locks, assertions, ExhaustiveLimit). ProcedureCall is
# here for the procedures of PROCEDURES only.
READ_OPERATORS = frozenset({
    "AllNodesScan", "Anti", "AntiSemiApply", "Apply", "Argument", "ArgumentTracker", "CacheProperties",
    "CartesianProduct", "DirectedAllRelationshipsScan", "DirectedRelationshipByElementIdSeek",
    "DirectedRelationshipByIdSeek", "DirectedRelationshipIndexContainsScan", "DirectedRelationshipIndexEndsWithScan",
    "DirectedRelationshipIndexScan", "DirectedRelationshipIndexSeek", "DirectedRelationshipIndexSeekByRange",
    "DirectedRelationshipTypeScan", "DirectedUnionRelationshipTypesScan", "Distinct", "Eager", "EagerAggregation",
    "EmptyResult", "EmptyRow", "Expand(All)", "Expand(Into)", "Filter", "IntersectionNodeByLabelsScan",
    "LetAntiSemiApply", "LetSelectOrAntiSemiApply", "LetSelectOrSemiApply", "LetSemiApply", "Limit",
    "MultiNodeIndexSeek",
    "NodeByElementIdSeek", "NodeByIdSeek", "NodeByLabelScan", "NodeCountFromCountStore", "NodeHashJoin",
    "NodeIndexContainsScan", "NodeIndexEndsWithScan", "NodeIndexScan", "NodeIndexSeek", "NodeIndexSeekByRange",
    "NodeLeftOuterHashJoin", "NodeRightOuterHashJoin", "NodeUniqueIndexSeek", "NodeUniqueIndexSeekByRange",
    "NullifyMetadata", "Optional", "OptionalExpand(All)", "OptionalExpand(Into)", "OrderedAggregation",
    "OrderedDistinct", "PartialSort", "PartialTop", "ProcedureCall", "ProduceResults", "ProjectEndpoints",
    "Projection", "RelationshipCountFromCountStore", "Repeat(Trail)", "RollUpApply", "SelectOrAntiSemiApply",
    "SelectOrSemiApply", "SemiApply", "ShortestPath", "Skip", "Sort", "StatefulShortestPath(All)",
    "StatefulShortestPath(Into)", "SubtractionNodeByLabelsScan", "Top", "TriadicBuild", "TriadicFilter",
    "TriadicSelection", "UndirectedAllRelationshipsScan", "UndirectedRelationshipByElementIdSeek",
    "UndirectedRelationshipByIdSeek", "UndirectedRelationshipIndexContainsScan",
    "UndirectedRelationshipIndexEndsWithScan", "UndirectedRelationshipIndexScan", "UndirectedRelationshipIndexSeek",
    "UndirectedRelationshipIndexSeekByRange", "UndirectedRelationshipTypeScan", "UndirectedUnionRelationshipTypesScan",
    "Union", "UnionNodeByLabelsScan", "Unwind", "ValueHashJoin", "VarLengthExpand(All)", "VarLengthExpand(Into)",
    "VarLengthExpand(Pruning)", "VarLengthExpand(Pruning,BFS)",
})  # fmt: skip
# operators that write, named as such when refused (the allowlist refuses them anyway)
WRITING_OPERATORS = ("Create", "Merge", "LockingMerge", "Delete", "DetachDelete", "Set", "Remove", "Foreach")
NAMESPACED_CALL = re.compile(r"(?<![\w.$`])((?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*)\s*\(")

# A statement's tokens: comments and strings (dropped), quoted names, words, any other character. A line comment
# ends at any line break (Cypher's ends at CR or LF): where the two might disagree, more text counts as code.
TOKEN = re.compile(r"""
    (?P<comment> //[^\n\r\x0b\x0c\x85\u2028\u2029]* | /\*.*?\*/ )
  | (?P<string> '(?:[^'\\]|\\.)*' | "(?:[^"\\]|\\.)*" )
  | (?P<name> `(?:[^`]|``)*` )
  | (?P<word> [A-Za-z_][A-Za-z0-9_]* )
  | (?P<other> \S )
""", re.VERBOSE | re.DOTALL)  # fmt: skip
# words that begin a command, never a read: SHOW …, TERMINATE TRANSACTIONS, USE, administration and schema
COMMAND_WORDS = frozenset({"SHOW", "TERMINATE", "USE", "GRANT", "DENY", "REVOKE", "ALTER", "RENAME", "DROP",
                           "ENABLE", "DEALLOCATE", "REALLOCATE", "DRYRUN"})  # fmt: skip
# what CREATE is followed by in a schema or administration command (in a write, by a pattern)
CREATED_OBJECTS = frozenset({"INDEX", "CONSTRAINT", "USER", "ROLE", "DATABASE", "COMPOSITE", "ALIAS", "SERVER", "OR",
                             "RANGE", "TEXT", "POINT", "LOOKUP", "FULLTEXT", "VECTOR", "BTREE"})  # fmt: skip
PROPERTY_MARKS = frozenset({".", ":", "$"})  # before a word: a property, a label or a parameter, never a keyword


class QueryError(LinkageError):
    exit_code = ExitCode.USAGE


class QueryRefused(LinkageError):
    """A query that would do more than read the graph; refused before it runs (exit 1)."""


class SavedQuery(BaseModel):
    name: str
    description: str
    parameters: dict[str, str]  # name -> declared type
    example: str | None = None  # the command line that runs it
    browser_params: list[str] = []  # Neo4j Browser's `:param name => value;` lines, one per parameter

    @property
    def summary(self) -> str:
        """What it shows, in its description's first clause (up to the first colon or full stop)."""
        return re.split(r"[.:](?:\s|$)", self.description, maxsplit=1)[0]


def describe(source: str | Path) -> SavedQuery:
    """A saved query's description and declared parameters, from its header comment (``source``: a saved query's
    name, its path under cypher/, or a .cypher file)."""
    if isinstance(source, str) and "/" not in source:
        source = f"{SAVED_QUERIES}/{source}"
    name = source.stem if isinstance(source, Path) else source.rpartition("/")[2]
    header = []
    for line in statement(source).splitlines():
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


def _tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, text)`` of each token of a statement outside comments and strings (kind: name, word, other)."""
    found = ((match.lastgroup or "", match.group()) for match in TOKEN.finditer(text))
    return [(kind, token) for kind, token in found if kind not in ("comment", "string")]


def _procedure(tokens: list[tuple[str, str]]) -> str:
    """The dotted name at the head of ``tokens`` (after CALL), quoted parts unquoted."""
    parts: list[str] = []
    for kind, text in tokens:
        if kind in ("word", "name"):
            parts.append(text[1:-1].replace("``", "`") if kind == "name" else text)
        elif text != ".":
            break
    return ".".join(parts)


def clause_refusals(text: str) -> list[str]:
    """The clauses of a statement that are no read of the graph, by their words (see the module's docstring)."""
    tokens = _tokens(text)
    found: list[str] = []
    for at, (kind, token) in enumerate(tokens):
        before = tokens[at - 1][1] if at else ""
        after = [word.upper() for _, word in tokens[at + 1 : at + 5]]
        if kind != "word" or before in PROPERTY_MARKS or after[:1] == [":"]:
            continue
        word = token.upper()
        if word in COMMAND_WORDS:
            found.append(word)
        elif word == "LOAD" and after[:1] == ["CSV"]:
            found.append("LOAD CSV")
        elif word in ("START", "STOP") and after[:1] == ["DATABASE"]:
            found.append(f"{word} DATABASE")
        elif word == "CREATE" and after[:1] and after[0] in CREATED_OBJECTS:
            found.append(f"CREATE {after[0]}")
        elif word == "IN" and before == "}" and "TRANSACTIONS" in after:  # IN [n] [CONCURRENT] TRANSACTIONS
            found.append("CALL { } IN TRANSACTIONS")
        elif word == "CALL" and after[:1] and after[0] not in ("{", "("):
            procedure = _procedure(tokens[at + 1 :])
            if procedure not in PROCEDURES:
                found.append(f"the procedure {procedure}")
    return list(dict.fromkeys(found))


def _operators(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("children", []):
        yield from _operators(child)


def plan_refusals(plan: dict[str, Any]) -> list[str]:
    """What in a plan goes beyond reading the graph: any operator outside :data:`READ_OPERATORS` (writes, LOAD CSV,
    commands), procedures outside :data:`PROCEDURES`, functions of a plugin's namespace; a plan with no operator
    at all (nothing says what the statement does) is refused too."""
    if not plan:
        return ["a statement Neo4j gives no plan for"]
    found: list[str] = []
    for operator in _operators(plan):
        kind = str(operator.get("operatorType", "")).partition("@")[0]
        details = str(operator.get("args", {}).get("Details", ""))
        if kind == "LoadCSV":
            found.append("LOAD CSV")
        elif kind.startswith(WRITING_OPERATORS):
            found.append(f"a write ({kind})")
        elif kind == "ProcedureCall":
            procedure = details.partition("(")[0].strip()
            if procedure not in PROCEDURES:
                found.append(f"the procedure {procedure}")
        elif kind not in READ_OPERATORS:
            found.append(f"the operator {kind} (not a read of the graph)")
        found.extend(f"the function {function}" for function in NAMESPACED_CALL.findall(details)
                     if function.partition(".")[0] not in FUNCTION_NAMESPACES and kind != "ProcedureCall")  # fmt: skip
    return list(dict.fromkeys(found))


def _source(name: str) -> str | Path:
    """A saved query's name under cypher/analyst/, or the path of an analyst's own .cypher file."""
    if name.endswith(".cypher"):
        path = Path(name)
        try:
            statement(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{name}: cannot be read as a UTF-8 .cypher file ({exc.__class__.__name__}).") from None
        return path
    if name not in saved_queries():
        raise QueryError(f"No saved query {name!r}; `linkage query list` shows them.")
    return f"{SAVED_QUERIES}/{name}"


def run_query(settings: Settings, name: str, raw_params: list[str]) -> list[dict[str, Any]]:
    """Run saved query ``name`` (or a .cypher file) read-only, with ``key=value`` parameters typed as the query
    declares them; refused before it runs when its words or its plan do more than read (:func:`clause_refusals`,
    :func:`plan_refusals`)."""
    source = _source(name)
    params = typed_parameters(describe(source), raw_params)
    _refuse(name, clause_refusals(statement(source)))
    try:
        with Graph(settings) as graph:
            _refuse(name, plan_refusals(graph.plan(source, **params)))
            rows = graph.read(source, **params)
            if not rows:  # an id that names nothing is said as such, not as "no rows"
                for parameter in sorted({*KNOWN, *ACCOUNT_PARAMETERS} & params.keys()):
                    require_known(graph, parameter, str(params[parameter]))
            return rows
    except GraphRefused as exc:  # Neo4j's own refusal: a write in the read transaction, a syntax error…
        raise QueryRefused(f"Query {name!r} was refused: {exc}") from None


def _refuse(name: str, refused: list[str]) -> None:
    if refused:
        raise QueryRefused(f"Query {name!r} is refused before it runs: it uses {', '.join(refused)} "
                           f"(a query may only read the graph).")  # fmt: skip
