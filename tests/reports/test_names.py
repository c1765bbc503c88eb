"""Names are never truncated: not in report tables, not in `balance simulate`'s title (markup escaped)."""

from __future__ import annotations

from balance.cli.main import main
from tests.reports.helpers import tables


def test_no_table_cell_is_cut(run_and_reports):
    run, reports = run_and_reports
    pages = sorted(reports.rglob("*.md"))
    assert pages
    for page in pages:
        for _, rows in tables(page.read_text()):
            assert not any("…" in cell for row in rows for cell in row), page


def test_simulate_title_shows_limits_in_brackets(capsys):
    assert main(["simulate", "ranged [careful]", "--runs", "2", "--scenario", "Boss"]) == 0
    assert "ranged [careful]" in capsys.readouterr().out
