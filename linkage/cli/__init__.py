"""The `linkage` command line (Typer): thin commands over the library's functions."""

from linkage.cli.app import app, main

__all__ = ["app", "main"]
