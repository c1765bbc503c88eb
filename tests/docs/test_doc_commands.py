"""Every command the documentation shows is run, and ends with the exit code the doc states.

Each doc's commands run in order (later ones may read what earlier ones wrote, e.g. a run
directory) in a fresh temporary folder holding a copy of ``examples/``, with the example d20
rule plugin installed on PYTHONPATH (as ``pip install ./examples/d20_rules`` would)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.docs.doc_commands import commands, sh_blocks
from tests.examples.conftest import pip_install_target

DOCS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
RUNNABLE = [d for d in DOCS if commands(d)]


@pytest.fixture(scope="module")
def doc_env(tmp_path_factory):
    site = tmp_path_factory.mktemp("docsite") / "site"
    pip_install_target(REPO / "examples" / "d20_rules", site)
    bin_dir = str(Path(sys.executable).parent)  # the venv's `balance` script
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "PYTHONPATH": str(site),
            "COLUMNS": "120"}


def test_sh_blocks_hold_only_balance_commands():
    """A command a reader sees in a ```sh block is either run here or visibly marked not-run."""
    for doc in DOCS:
        for block in sh_blocks(doc):
            if block.not_run:
                continue
            for n, raw in block.lines:
                text = raw.strip()
                assert not text or text.startswith(("#", "balance ")), f"{doc.name}:{n}: {text!r} is not a balance command"


def test_docs_show_commands():
    names = {d.name for d in RUNNABLE}
    for name in ("getting-started.md", "concepts.md", "vitality-rules.md", "writing-a-rule-plugin.md",
                 "writing-a-reporter.md", "cli.md"):
        assert name in names, f"docs/{name} shows no runnable command"


def test_no_doc_runs_the_full_default_job():
    """The embedded default takes minutes: docs run the small example configs instead."""
    from balance.cli.main import build_parser

    for doc in RUNNABLE:
        for c in commands(doc):
            argv = shlex.split(c.text)[1:]
            if argv[:1] != ["run"]:
                continue
            args = build_parser().parse_args(argv)
            if args.command == "run" and not args.resume and args.stage != "2":
                assert args.config and "default.toml" not in args.config, f"{doc.name}:{c.line}: {c.text}"


@pytest.mark.parametrize("doc", RUNNABLE, ids=[d.name for d in RUNNABLE])
def test_doc_commands_run(doc, doc_env, tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    for c in commands(doc):
        result = subprocess.run(["bash", "-c", c.text], cwd=tmp_path, env=doc_env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == c.exit_code, (
            f"{c.doc}:{c.line}: `{c.text}` exited {result.returncode}, the doc says {c.exit_code}\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
