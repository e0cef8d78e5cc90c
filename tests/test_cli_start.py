"""The command line answers `--help`, `--version` and a usage error without loading the pipeline's libraries: each
command imports what it uses (how long that takes is measured in bench/cli_start.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
HEAVY = ("pandas", "numpy", "neo4j", "graphdatascience", "numba", "scipy", "pyarrow", "pydantic_settings")
LOADED = """
import json, sys
from linkage.cli.app import main
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["linkage", *args]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in heavy)), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["explain", "--help"], ["run", "--help"], ["nope"]])
def test_help_version_and_usage_errors_load_none_of_the_heavy_libraries(args: list[str]) -> None:
    command = [sys.executable, "-c", LOADED, json.dumps(args), json.dumps(HEAVY)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, check=False)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], loaded
    assert done.stdout or "Usage" in done.stderr  # it did answer
