"""`python -m linkage`: the same command line as the `linkage` entry point."""

from linkage.cli import main

main()
