"""The README and `--help` stay in step: every command has help text and a place in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.main import get_command

from cypher import saved_queries
from linkage.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text()


def _commands(group: typer.Typer, prefix: str = "linkage") -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    command = get_command(group)
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        path = f"{prefix} {name}"
        if hasattr(sub, "commands"):
            for sub_name, leaf in sub.commands.items():
                found[f"{path} {sub_name}"] = leaf.help
        else:
            found[path] = sub.help
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    commands = _commands(app)
    assert len(commands) >= 8
    for path, help_text in commands.items():
        assert help_text, f"{path} has no help text"
        assert f"`{path}" in README or f"{path} " in README, f"README does not mention {path}"


def test_every_saved_query_is_in_the_readme() -> None:
    for name in saved_queries():
        assert f"`{name}`" in README, f"README does not list saved query {name}"


def test_every_guarantee_names_a_test_that_exists() -> None:
    section = README.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    defined = {
        match
        for path in Path(__file__).parent.glob("test_*.py")
        for match in re.findall(r"^def (test_\w+)\(", path.read_text(), flags=re.MULTILINE)
    }
    assert len(named) >= 30
    assert named <= defined, f"the README names tests that do not exist: {sorted(named - defined)}"
