"""`python -m linkage`: the same command line as the `linkage` entry point."""

from linkage.cli import app

app(prog_name="linkage")
