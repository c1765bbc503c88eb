"""Stage 2 in this process: ``confirm_top`` confirms exactly that many pairs, and a stage 2
interrupted after its solos and pair records, then resumed, ends as an uninterrupted run does (the
resume reads the stored solos back rather than failing or mixing figures).

It runs in this process (one worker) so that every step of stage 2 is seen by the test; the
subprocess kill tests in test_resume_after_kill.py prove the same for a real kill."""

from __future__ import annotations

import pytest

from balance.cli.main import main
from balance_plugins.stages import stage2
from balance_plugins.store.store import MsgpackStore
from tests.stages.tiny import assert_same_results, read_table, write_tiny


class Interrupted(Exception):
    pass


def test_resume_after_the_pairs_reuses_the_stored_solos(tmp_path, monkeypatch):
    config = write_tiny(tmp_path / "tiny.toml", seed=13)
    args = ["--workers", "1", "--no-reports"]
    assert main(["run", str(config), "--out", str(tmp_path / "whole"), *args]) == 0

    def interrupt(self, state, start, stop):
        raise Interrupted

    with monkeypatch.context() as m:
        m.setattr(stage2.ConfirmTask, "compute", interrupt)
        # a plugin's exception ends the run with one line and exit code 1
        assert main(["run", str(config), "--out", str(tmp_path / "cut"), *args]) == 1

    cut = MsgpackStore().open(tmp_path / "cut")
    assert cut.has_table("stage2", "solos") and cut.has_table("stage2", "confirm_solos")
    assert not cut.has_table("stage2", "confirmed")
    solos = read_table(tmp_path / "cut", "stage2", "solos")
    assert main(["run", "--resume", str(tmp_path / "cut"), *args]) == 0
    assert read_table(tmp_path / "cut", "stage2", "solos") == solos
    assert_same_results(tmp_path / "whole", tmp_path / "cut")


@pytest.mark.parametrize("top", [0, 1])
def test_confirm_top_confirms_exactly_that_many_pairs(tmp_path, top):
    text = write_tiny(tmp_path / "tiny.toml", seed=13).read_text().replace("confirm_top = 5", f"confirm_top = {top}")
    (tmp_path / "tiny.toml").write_text(text)
    assert main(["run", str(tmp_path / "tiny.toml"), "--out", str(tmp_path / "run"), "--workers", "1", "--no-reports"]) == 0

    run = MsgpackStore().open(tmp_path / "run")
    if top == 0:
        assert not run.has_table("stage2", "confirmed") and not run.has_table("stage2", "confirm_solos")
    else:
        assert read_table(tmp_path / "run", "stage2", "confirmed")["rank"] == [1]
