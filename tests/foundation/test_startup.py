"""Start-up: the commands a designer types most often load no plotting or cluster library.

Each command runs in a fresh interpreter (as a user's ``balance`` call does), which then lists the
heavy top-level packages it imported. Wall time is measured by the command in docs/performance.md,
not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "dask", "distributed", "plotly", "jinja2")

PROBE = """
import json, sys
from balance.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print("HEAVY=" + json.dumps(heavy))
""" % (HEAVY,)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["plugins"],
        ["plugins", "--format", "json"],
        ["build", "check", "melee_dg + power_attack"],
    ],
    ids=["help", "plugins", "plugins-json", "build-check"],
)
def test_command_imports_neither_matplotlib_nor_dask(argv):
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120)
    line = [x for x in result.stdout.splitlines() if x.startswith("HEAVY=")]
    assert line, result.stderr
    assert json.loads(line[-1].removeprefix("HEAVY=")) == []


def test_probe_sees_an_import():
    """The probe itself works: a command that draws would show matplotlib."""
    code = PROBE.replace("main(sys.argv[1:])", "import balance_plugins.reports.plots as p; p._pyplot()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "matplotlib" in result.stdout, result.stderr
