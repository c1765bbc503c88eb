"""Reporters of different stages write side by side in forked processes (balance.report_lanes):
the same files as one after another, a renderer (``uses``) sees the other lane's files, and a
failing or dying reporter is reported once while the others still write."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from balance.errors import BalanceError, PluginError
from balance.report_lanes import plan
from balance.reporting import WRITTEN_INDEX, write_reports
from balance.session import open_session
from tests.conftest import run_balance

#: Reporters of both stages and the page that renders five of them: enough to exercise the lanes
#: (stage-2 lane forked, stage-1 lane and the page here) at a fraction of the whole set's cost.
SUBSET = ["enhancement_ranking", "enhancement_saturation", "synergy_analysis", "stage2_pairing_report",
          "findings", "fair_costs", "stage1_pruning_report", "html"]


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_side_by_side_writes_the_same_bytes_as_one_after_another(synthetic_run, tmp_path):
    session = open_session(synthetic_run / "config.toml")
    one = write_reports(session, synthetic_run, tmp_path / "one", only=SUBSET, workers=1)
    two = write_reports(session, synthetic_run, tmp_path / "two", only=SUBSET, workers=2)
    a, b = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert sorted(a) == sorted(b) and len(a) > 20
    assert [n for n in a if a[n] != b[n]] == []
    # the same list, in reporter order, whichever lane wrote each file
    assert [p.relative_to(tmp_path / "one") for p in one] == [p.relative_to(tmp_path / "two") for p in two]


PLUGIN = textwrap.dedent('''
    import os
    from pathlib import Path
    from balance.hookspecs import hookimpl

    class Pid:
        def __init__(self, name, stage, uses=(), fail=None):
            self.name, self.stage, self.fail = name, stage, fail
            if uses:
                self.uses = uses

        def write(self, ctx):
            if self.fail == "raise":
                raise RuntimeError("no numbers today")
            if self.fail == "die":
                os._exit(9)
            rendered = "".join(Path(p).read_text() for n in getattr(self, "uses", ())
                               for p in ctx.written.get(n, []))
            path = ctx.out_dir / self.stage / f"{self.name}.txt"
            path.write_text(f"{self.name} pid {os.getpid()}\\n{rendered}")
            return [path]

    class Blas:
        def __init__(self, name, stage):
            self.name, self.stage = name, stage

        def write(self, ctx):
            from threadpoolctl import threadpool_info
            path = ctx.out_dir / self.stage / f"{self.name}.txt"
            path.write_text(" ".join(str(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"))
            return [path]

    class Early:
        """A page that does its own work (a flag file) before it asks for the other lane's files."""
        name, stage, uses = "early_page", "stage1", ("waiter",)

        def write(self, ctx):
            (ctx.out_dir / "stage1" / "early.flag").write_text("here")
            path = ctx.out_dir / "stage1" / "early_page.txt"
            path.write_text("".join(Path(p).read_text() for p in ctx.written["waiter"]))
            return [path]

    class Waiter:
        """A stage-2 reporter that finishes only once the page has started (or gives up)."""
        name, stage = "waiter", "stage2"

        def write(self, ctx):
            import time
            flag, deadline = ctx.out_dir / "stage1" / "early.flag", time.monotonic() + 30
            while not flag.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            path = ctx.out_dir / "stage2" / "waiter.txt"
            path.write_text(f"the page had started: {flag.exists()}")
            return [path]

    @hookimpl
    def balance_reporters():
        return [Pid("pid_one", "stage1"), Pid("pid_two", "stage2"),
                Pid("pid_page", "stage1", uses=("pid_two", "pid_one")),
                Pid("boom", "stage2", fail="raise"), Pid("boom_page", "stage1", uses=("boom",)),
                Pid("gone", "stage2", fail="die"), Blas("blas_one", "stage1"), Blas("blas_two", "stage2"),
                Early(), Waiter()]
    ''')


@pytest.fixture
def pid_session(synthetic_run, tmp_path):
    plugin = tmp_path / "pid_reporters.py"
    plugin.write_text(PLUGIN)
    return plugin, open_session(synthetic_run / "config.toml", load=(str(plugin),))


def pid_of(folder: Path, name: str, stage: str) -> int:
    return int((folder / stage / f"{name}.txt").read_text().split("\n")[0].split()[-1])


def test_other_stages_write_in_another_process_and_the_page_sees_their_files(synthetic_run, pid_session, tmp_path):
    _, session = pid_session
    only = ["pid_page", "pid_two", "pid_one"]
    out = tmp_path / "two"
    write_reports(session, synthetic_run, out, only=only, workers=2)
    assert pid_of(out, "pid_one", "stage1") == os.getpid() == pid_of(out, "pid_page", "stage1")
    assert pid_of(out, "pid_two", "stage2") != os.getpid()
    page = (out / "stage1" / "pid_page.txt").read_text()
    assert page.split("\n", 1)[1] == (out / "stage2" / "pid_two.txt").read_text() + (
        out / "stage1" / "pid_one.txt").read_text()
    assert json.loads((out / WRITTEN_INDEX).read_text()) == {
        "pid_one": ["stage1/pid_one.txt"], "pid_page": ["stage1/pid_page.txt"], "pid_two": ["stage2/pid_two.txt"]}
    write_reports(session, synthetic_run, tmp_path / "one", only=only, workers=1)
    assert pid_of(tmp_path / "one", "pid_two", "stage2") == os.getpid()


def test_the_page_does_its_own_work_while_the_other_lane_writes(synthetic_run, pid_session, tmp_path):
    """A renderer waits for another lane's files only when it asks for them: what it does before
    runs beside that lane (the stage-2 reporter here finishes only once the page has started)."""
    _, session = pid_session
    out = tmp_path / "out"
    write_reports(session, synthetic_run, out, only=["waiter", "pid_one", "early_page"], workers=2)
    assert (out / "stage1" / "early_page.txt").read_text() == "the page had started: True"


def test_a_failing_reporter_is_raised_once_after_the_others_wrote(synthetic_run, pid_session, tmp_path):
    _, session = pid_session
    out = tmp_path / "out"
    # boom fails first in the stage-2 lane; pid_two after it still writes; boom_page renders boom: not run
    with pytest.raises(PluginError, match="boom.write: RuntimeError: no numbers today"):
        write_reports(session, synthetic_run, out, only=["boom", "pid_two", "boom_page", "pid_page", "pid_one"],
                      workers=2)
    assert sorted(p.name for p in out.rglob("*.txt")) == ["pid_one.txt", "pid_page.txt", "pid_two.txt"]
    index = json.loads((out / WRITTEN_INDEX).read_text())
    assert sorted(index) == ["pid_one", "pid_page", "pid_two"]


def test_a_lane_that_dies_is_named_and_the_rest_is_written(synthetic_run, pid_session, tmp_path):
    _, session = pid_session
    out = tmp_path / "out"
    with pytest.raises(BalanceError, match=r"reporter gone ended before it was written \(exit code 9\)"):
        write_reports(session, synthetic_run, out, only=["pid_one", "pid_two", "gone"], workers=2)
    assert sorted(p.name for p in out.rglob("*.txt")) == ["pid_one.txt", "pid_two.txt"]


def test_the_command_prints_one_error_line(real_run, pid_session, tmp_path):
    plugin, _ = pid_session
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(tmp_path / "out"),
                      "--plugin", str(plugin), "--only", "boom,pid_two,boom_page,pid_one", "--workers", "2")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("reports: 2 files in ")  # pid_two and pid_one; not boom_page
    assert lines[1:] == ["plugin pid_reporters failed in reporter boom.write: RuntimeError: no numbers today"]
    assert (tmp_path / "out" / "stage2" / "pid_two.txt").is_file()


def test_reporters_use_one_blas_thread_in_every_lane(synthetic_run, pid_session, tmp_path):
    """numpy's BLAS threads would spin against the other lane's process: one thread while reports
    are written, in both lanes, and the caller's setting is back afterwards."""
    from threadpoolctl import threadpool_info

    _, session = pid_session
    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    write_reports(session, synthetic_run, tmp_path, only=["blas_one", "blas_two"], workers=2)
    assert before and [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before
    for name, stage in (("blas_one", "stage1"), ("blas_two", "stage2")):
        assert set((tmp_path / stage / f"{name}.txt").read_text().split()) == {"1"}


class R:
    def __init__(self, name, stage, uses=()):
        self.name, self.stage, self.uses = name, stage, uses

    def __repr__(self):
        return self.name


def test_plan_keeps_each_stage_in_one_lane_and_renderers_at_home():
    s1a, s1b, s2a, s2b, s3 = R("s1a", "stage1"), R("s1b", "stage1"), R("s2a", "stage2"), R("s2b", "stage2"), R(
        "s3", "stage3")
    page = R("page", "stage1", uses=("s2a",))
    order = [s2a, s1a, page, s2b, s3, s1b]
    assert plan(order, 1) == [order]
    assert plan(order, 2) == [[s1a, page, s1b], [s2a, s2b, s3]]
    assert plan(order, 3) == [[s1a, page, s1b], [s2a, s2b], [s3]]
    assert plan(order, 8) == plan(order, 3)
    # no renderer: the first stage stays here
    assert plan([s2a, s1a, s2b], 2) == [[s2a, s2b], [s1a]]
    # one stage: nothing to run side by side
    assert plan([s1a, page, s1b], 2) == [[s1a, page, s1b]]


def _plan_in(queue):
    queue.put([[r.name for r in lane] for lane in plan([R("a", "stage1"), R("b", "stage2")], 2)])


def test_a_daemonic_process_writes_in_one_lane():
    """A pool worker (daemonic) may not start processes: its reports run one after another."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_plan_in, args=(queue,), daemon=True)
    proc.start()
    assert queue.get(timeout=60) == [["a", "b"]]
    proc.join()
    assert [[r.name for r in lane] for lane in plan([R("a", "stage1"), R("b", "stage2")], 2)] == [["a"], ["b"]]
