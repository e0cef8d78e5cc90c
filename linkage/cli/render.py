"""How results reach the user: JSON on stdout for scripts, Rich tables for people, messages on stderr.

Every value from the data (ids, reasons, values, query rows, titles and messages that carry them) reaches the
terminal as plain text (:func:`shown`): never read as Rich markup (an id ``[/]`` or ``[link=…]`` prints as it is)
or emoji codes, and with its control characters written out (``\\x1b``, ``\\n``…) instead of sent to the
terminal, so no value can move the cursor, clear the screen or open a hyperlink."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from pydantic import BaseModel

    from linkage.analyst.browser import BrowserInfo
    from linkage.analyst.picture import Picture

# columns that name something (as any *_id or *_run does): never wrapped, and an integer among them is no count
ID_FIELDS = {"community", "component", "value", "family_id", "account", "cluster", "batch"}
# C0 and C1 control characters and DEL, written out as Python writes them: a line feed as \n, ESC as \x1b
CONTROLS = {code: repr(chr(code))[1:-1] for code in [*range(0x20), *range(0x7F, 0xA0)]}
LINE_BREAK = ord("\n")
stderr = Console(stderr=True)
stdout = Console()


def shown(value: object, *, lines: bool = False) -> Text:
    """A value as the terminal may show it: plain text (no markup, no emoji codes), control characters written
    out (with ``lines``, line feeds kept: a message of several lines)."""
    table = {code: text for code, text in CONTROLS.items() if code != LINE_BREAK} if lines else CONTROLS
    return Text(str(value).translate(table))


def print_json(data: BaseModel | Mapping[str, Any] | Sequence[Any]) -> None:
    """Only JSON goes to stdout, so ``linkage … --json | jq`` always parses."""
    payload = data.model_dump(mode="json") if hasattr(data, "model_dump") else data
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def print_table(title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    """Rows as a table whose ids and headers are never cut; when it cannot fit the terminal so, each row as a
    record of its own (field and value on a line) instead."""
    names = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    cells = [[shown(_cell(row.get(name), name)) for name in names] for row in rows]
    if _fits(names, cells):
        table = Table(title=shown(title), title_justify="left")
        for name in names:
            whole = _names(name)  # an id cut in two is read as two ids
            table.add_column(shown(name), overflow="fold", no_wrap=whole, min_width=None if whole else len(name))
        for row_cells in cells:
            table.add_row(*row_cells)
        stdout.print(table)
        return
    for number, row_cells in enumerate(cells, start=1):
        record = Table(title=shown(f"{title} ({number:,} of {len(rows):,})"), title_justify="left", show_header=False)
        record.add_column(no_wrap=True)
        record.add_column(overflow="fold")
        for name, cell in zip(names, row_cells, strict=True):
            record.add_row(shown(name), cell)
        stdout.print(record)


def _fits(names: Sequence[str], cells: list[list[Text]]) -> bool:
    """Whether a table of these cells fits the terminal with every id whole and every header on one line: each
    column at least its header (an id column its longest id), plus the borders."""
    needed = 1
    for index, name in enumerate(names):
        longest = max((row[index].cell_len for row in cells), default=0) if _names(name) else 0
        needed += max(len(name), longest) + 3
    return needed <= stdout.width


def _names(name: str) -> bool:
    """Whether a column names something (:data:`ID_FIELDS`) rather than counts or says it."""
    return name.endswith(("id", "_run")) or name in ID_FIELDS


def print_fields(title: str, data: BaseModel | Mapping[str, Any]) -> None:
    """A two-column table of one object's fields."""
    fields = data.model_dump(mode="json") if hasattr(data, "model_dump") else dict(data)
    table = Table(title=shown(title), title_justify="left")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in fields.items():
        table.add_row(shown(key), shown(_cell(value, key)))
    stdout.print(table)


def print_lines(title: str, lines: Sequence[str]) -> None:
    """Numbered lines under a title (sentences one reads in order: reasons), each wrapped under its own start;
    nothing when there are none."""
    if lines:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for number, line in enumerate(lines, start=1):
            grid.add_row(f"{number}.", shown(line))
        stdout.print(shown(title), style="italic")
        stdout.print(grid)


def say(message: str) -> None:
    """A line for people on stderr (a message that may carry values from the data or paths)."""
    stderr.print(shown(message), soft_wrap=True)


def error(message: str) -> None:
    stderr.print(Text.assemble(("error:", "bold red"), " ", shown(message, lines=True)), soft_wrap=True)


def _cell(value: Any, name: str = "") -> str:
    """A value as a person reads it: yes/no for booleans, ids as they are (``3311``, never ``3,311``), counts
    with thousands separators, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and _names(name):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_cell(item, name) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {_cell(item, key)}" for key, item in value.items())
    return str(value)


def picture_drawn(picture: Picture) -> None:
    notice = f"; {picture.notice}" if picture.notice else ""
    say(
        f"{picture.title} drawn in {picture.path}: {picture.accounts:,} accounts, {picture.values:,} shared values"
        f"{notice}"
    )


def browser_ready(info: BrowserInfo) -> None:
    """The Browser's address on stdout (for scripts), how to log in on stderr: a user and where the password is."""
    stdout.print(info.url, highlight=False, soft_wrap=True)
    login = f"log in as {info.user} with the password in {info.password_hint}" if info.password_hint else "no login"
    stderr.print(f"Neo4j Browser {info.version} for {info.bolt} ({login}). Ctrl-C stops it.", highlight=False)
