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


class C(R):
    def __init__(self, name, stage, cost=None, shares=None, uses=()):
        super().__init__(name, stage, uses)
        if cost is not None:
            self.cost = cost
        if shares is not None:
            self.shares = shares


def test_plan_spreads_what_reporters_share_by_their_declared_cost():
    """Groups (same ``shares``, default the stage) stay whole; the costliest goes first to the
    emptiest lane, so a light group joins the page's lane when the other lane is the longer."""
    s1 = C("s1", "stage1", cost=10)
    page = C("page", "stage1", cost=2, uses=("heavy", "light"))
    heavy = C("heavy", "stage2", cost=13)
    light = C("light", "stage2", cost=1, shares="screening")
    light2 = C("light2", "stage2", cost=0.5, shares="screening")
    order = [heavy, light, s1, light2, page]
    assert plan(order, 2) == [[light, s1, light2, page], [heavy]]
    # by stage alone both stage-2 groups would go to the other lane: 13.5 against 12
    heavy.cost = 9
    assert plan(order, 2) == [[s1, page], [heavy, light, light2]]
    assert plan(order, 3) == [[s1, page], [heavy], [light, light2]]
    # no declared cost counts 1; an unusable one too
    a, b, c = C("a", "stage1"), C("b", "stage2", cost="lots"), C("c", "stage2", cost=float("nan"), shares="c")
    assert plan([a, b, c], 2) == [[a, c], [b]]


def test_the_built_in_reporters_balance_the_default_run_over_two_lanes(synthetic_run):
    """The page's lane takes stage 2's screening pass (the pairing report and the top 1,000, which
    the page's table reads too); the enhancement tiers, synergy and pair costs write beside it."""
    from balance.report_lanes import cost
    from balance.reporting import select_reporters

    session = open_session(synthetic_run / "config.toml")
    lanes = plan(select_reporters(session, None), 2)
    names = [[r.name for r in lane] for lane in lanes]
    assert names == [
        ["fair_costs", "findings", "stage1_cost_analysis", "stage1_enhancement_saturation", "stage1_pruning_report",
         "stage2_pairing_report", "top_1000_pairs", "html"],
        ["enhancement_ranking", "enhancement_saturation", "pair_cost_analysis", "synergy_analysis"]]
    here, there = (sum(map(cost, lane)) for lane in lanes)
    assert abs(here - there) < 1.0


def test_a_shared_pass_gives_each_reporter_what_its_own_pass_gives(synthetic_run):
    """Synergy's and pair costs' aggregators fed in one pass (and their medians in one more) give
    the same results, to the last bit, as each on passes of its own; the second reporter reads
    nothing more."""
    import pickle

    import numpy as np

    from balance.reporting import ReportContext
    from balance_plugins.reports import shared_pass

    session = open_session(synthetic_run / "config.toml")
    run = session.plugins.component("balance_stores", session.config.store).open(synthetic_run)
    names = ["pair_cost_analysis", "synergy_analysis"]

    def ctx(lane):
        c = ReportContext(session, run, synthetic_run, synthetic_run / "unused")
        c.lane[:] = lane
        return c

    alone = {}
    for name in names:
        shared_pass._CACHE.clear()
        c = ctx([])
        alone[name] = shared_pass.results(c, name)
        assert len(c.readers) == 1
    shared_pass._CACHE.clear()
    c = ctx(names)
    together = {name: shared_pass.results(c, name) for name in names}
    assert len(c.readers) == 1  # one reader, two passes, for both
    for name in names:
        (ra, ma, sa), (rt, mt, st) = alone[name], together[name]
        assert sorted(ra) == sorted(rt) and sa == st == 0
        assert ra["count"] > 100
        for k in ra:
            assert pickle.dumps(ra[k]) == pickle.dumps(rt[k]), (name, k)
        assert len(ma) == len(mt) == 1 and np.array_equal(ma[0], mt[0], equal_nan=True)
    # handed out once: asked again, the part is read again
    assert shared_pass.results(c, "synergy_analysis")[0]["count"] == alone["synergy_analysis"][0]["count"]
    assert len(c.readers) == 2


def test_the_screening_pass_is_read_once_for_its_three_readers(synthetic_run):
    from balance.aggregates import Count
    from balance.reporting import ReportContext
    from balance_plugins.reports import pair_screening, top_1000_pairs
    from balance_plugins.reports.stream import TopBy, column_key

    session = open_session(synthetic_run / "config.toml")
    run = session.plugins.component("balance_stores", session.config.store).open(synthetic_run)
    c = ReportContext(session, run, synthetic_run, synthetic_run / "unused")
    pair_screening._CACHE.clear()
    top, count, _, skipped = top_1000_pairs.screening_top(c)
    scr = pair_screening.screening(c)
    assert len(c.readers) == 1
    reader = run.stage_reader("stage2")
    own = reader.aggregate({"top": TopBy(pair_screening.LIST, column_key("overall"), ("overall",),
                                         pair_screening.LIST_COLUMNS), "count": Count(),
                            "best": TopBy(pair_screening.BEST, column_key("overall"), ("overall",),
                                          reader.schema.names)})
    assert count == own["count"] == scr.count > 100 and skipped == 0
    assert sorted(top) == sorted(own["top"]) and all((top[k] == own["top"][k]).all() for k in top)
    assert all((scr.best[k] == own["best"][k]).all() for k in own["best"])
