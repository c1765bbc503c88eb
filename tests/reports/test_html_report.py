"""report.html on a real small run: written by `balance report --only html` (a real process),
then opened from disk in headless Chromium and checked after its scripts ran (the DOM, not the
source): findings present, the same rows as top_1000_pairs.md, a header click sorts, a filter
hides rows, the charts drew, nothing was fetched, and a screenshot is not blank.

Where no browser is installed the browser test skips, naming what is missing; with CI set it
fails instead (.ci/run installs chromium and chromium-driver)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.browser.chromium import chromium, draw_charts, find_browser, in_ci
from tests.conftest import run_balance
from tests.reports.conftest import write_all

MAX_BYTES = 10 * 2**20


@pytest.fixture(scope="module")
def pages(real_run, tmp_path_factory):
    """(report.html, folder of the markdown reports it mirrors)."""
    out = tmp_path_factory.mktemp("html") / "reports"
    res = run_balance("report", "--result-dir", str(real_run), "--output-dir", str(out), "--only", "html")
    assert res.returncode == 0, res.stderr
    md = write_all(real_run, tmp_path_factory.mktemp("md") / "reports", only=["findings", "top_1000_pairs", "fair_costs",
                                                                          "stage1_pruning_report"])
    return out / "report.html", md


def md_rows(path: Path, heading: str) -> list[list[str]]:
    """The body rows of the table under ``heading`` in a markdown report."""
    text = path.read_text(encoding="utf-8").split(heading, 1)[1]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip().replace("\\|", "|") for c in r.strip("|").split(" | ")] for r in rows[2:]]


def plain(md: str) -> str:
    """A markdown line as a browser shows it: no emphasis or code marks, spaces collapsed."""
    md = re.sub(r"^\s*-\s+", "", md)
    return re.sub(r"\s+", " ", md.replace("`", "").replace("**", "").replace("*", "")).strip()


def test_one_file_that_needs_nothing_else(pages):
    html, _ = pages
    text = html.read_text(encoding="utf-8")
    assert html.stat().st_size < MAX_BYTES
    # every script, style and picture is inside the file
    assert not re.search(r"<script[^>]+\bsrc=", text)
    assert not re.search(r"<link[^>]+\bhref=", text)
    assert not re.search(r"<img[^>]+src=\"(?!data:)", text)
    assert "Plotly" in text  # the chart library is embedded


@pytest.fixture(scope="module")
def browser():
    binary, why = find_browser()
    if binary is None:
        if in_ci():
            pytest.fail(f"CI must test the HTML report in a real browser: {why}")
        pytest.skip(f"no browser to test the HTML report in: {why}")
    with chromium() as driver:
        yield driver


def rows_text(driver, table_id: str, visible_only: bool = False) -> list[list[str]]:
    return driver.execute_script(
        "return Array.from(document.getElementById(arguments[0]).tBodies[0].rows)"
        ".filter(r => !arguments[1] || !r.hidden)"
        ".map(r => Array.from(r.cells).map(c => c.textContent.trim()))", table_id, visible_only)


def column(driver, table_id: str, index: int) -> list[float]:
    return driver.execute_script(
        "return Array.from(document.getElementById(arguments[0]).tBodies[0].rows).map(r => {"
        " const c = r.cells[arguments[1]]; const v = c.getAttribute('data-sort');"
        " return parseFloat((v === null ? c.textContent : v).replace(/,/g, '')); })", table_id, index)


def test_page_in_a_real_browser(pages, browser, real_run, tmp_path):
    from PIL import Image, ImageStat
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    html, md = pages
    d = browser
    d.get(html.resolve().as_uri())
    WebDriverWait(d, 60).until(lambda drv: drv.execute_script("return document.body.dataset.ready === '1'"))

    # nothing but the file itself was loaded (every host name fails to resolve in this browser)
    fetched = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in fetched if not u.startswith(("data:", "file:", "blob:"))] == []
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

    # the findings come first, every line of findings.md's own findings in them
    sections = d.execute_script("return Array.from(document.querySelectorAll('main > section')).map(s => s.id)")
    assert sections[:2] == ["findings", "summary"] and sections.index("pairs") < sections.index("plots")
    shown = re.sub(r"\s+", " ", d.execute_script("return document.getElementById('findings').innerText"))
    findings_md = (md / "findings.md").read_text(encoding="utf-8")
    main = findings_md.split("## All upgrades and limits")[0].split("## Policy check")[0]
    bullets = [plain(line) for line in main.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 3
    for b in bullets:
        assert b in shown
    assert "Over-costed" in shown and "Dominated options" in shown
    # the fair-cost suggestions follow the value table, every line of fair_costs.md in them
    values = re.sub(r"\s+", " ", d.execute_script("return document.getElementById('values').innerText"))
    fair = (md / "stage1" / "fair_costs.md").read_text(encoding="utf-8").split("\n## Run")[0]
    fair_lines = [plain(line) for line in fair.splitlines() if line.startswith("- ")]
    assert fair_lines and all(line in values for line in fair_lines)
    assert "Fair-cost suggestions" in values
    # the run's own config is in the summary, whole
    from balance_plugins.store import MsgpackStore

    recorded = d.execute_script("return document.querySelector('#summary details pre').textContent")
    assert recorded == MsgpackStore().open(real_run).summary().info.config["toml"]

    # the same pairs, in the same order, with the same (never truncated) names as top_1000_pairs.md
    expected = md_rows(md / "stage2" / "top_1000_pairs.md", "## Top 1,000 Pairs")
    got = rows_text(d, "pairs-table")
    assert len(got) == len(expected) > 20
    assert got == expected

    # a header click sorts by that column, a second click reverses; the first click changes the order
    synergy = d.find_element("xpath", "//table[@id='pairs-table']/thead/tr/th[normalize-space()='Synergy']")
    before = column(d, "pairs-table", 9)
    synergy.click()
    assert synergy.get_attribute("aria-sort") == "ascending"
    up = column(d, "pairs-table", 9)
    assert up == sorted(before) and up != before
    synergy.click()
    assert synergy.get_attribute("aria-sort") == "descending"
    assert column(d, "pairs-table", 9) == sorted(before, reverse=True)
    name = d.find_element("xpath", "//table[@id='pairs-table']/thead/tr/th[normalize-space()='Attack 1']")
    name.click()
    firsts = [r[1] for r in rows_text(d, "pairs-table")]
    # text columns sort as the browser compares text (localeCompare), not by code point
    assert firsts == d.execute_script("return arguments[0].slice().sort((x, y) => x.localeCompare(y))", firsts)
    assert firsts != [r[1] for r in expected]

    # a filter hides the rows that do not carry the upgrade, and says how many are shown
    def upgrades(label: str) -> set[str]:
        return set(label.split(" [")[0].split("+")[1:])

    counts: dict[str, int] = {}
    for row in expected:
        for u in upgrades(row[1]) | upgrades(row[3]):
            counts[u] = counts.get(u, 0) + 1
    pick = max((u for u, n in counts.items() if n < len(expected)), key=lambda u: counts[u])
    Select(d.find_element("css selector", "form[data-table='pairs-table'] select[name='upgrade']")).select_by_value(pick)
    visible = rows_text(d, "pairs-table", visible_only=True)
    assert len(visible) == counts[pick] < len(expected)
    assert all(pick in upgrades(r[1]) | upgrades(r[3]) for r in visible)
    status = d.find_element("css selector", "form[data-table='pairs-table'] .shown").text
    assert status == f"{counts[pick]:,} of {len(expected):,} rows shown"

    # the charts draw when scrolled to (Plotly's SVG is then in the DOM); every matplotlib plot is there
    assert d.execute_script("return typeof Plotly") == "undefined"  # not before: the page opens faster
    draw_charts(d)
    WebDriverWait(d, 60).until(lambda drv: drv.execute_script("return !!document.body.dataset.chartsReady"))
    drawn = d.execute_script("return Array.from(document.querySelectorAll('div.chart'))"
                             ".map(c => c.querySelectorAll('svg.main-svg .point, svg.main-svg .bars path').length)")
    assert len(drawn) == 3 and all(n > 0 for n in drawn)
    # hovering the best pair shows both attacks' full names and the turns with their error
    from selenium.webdriver.common.action_chains import ActionChains

    d.execute_script("document.getElementById('chart-pairs').scrollIntoView()")
    ActionChains(d).move_to_element(d.find_element("css selector", "#chart-pairs .scatterlayer .point")).perform()
    hover = "return Array.from(document.querySelectorAll('#chart-pairs .hoverlayer .hovertext')).map(e => e.textContent)"
    WebDriverWait(d, 20).until(lambda drv: drv.execute_script(hover))
    (text,) = d.execute_script(hover)
    assert text.startswith("#1: ") and f"{expected[0][1]} + {expected[0][3]}" in text and expected[0][6] in text
    pngs = d.execute_script("return Array.from(document.querySelectorAll('#plots img'))"
                            ".map(i => [i.naturalWidth, i.complete])")
    assert pngs and all(w > 100 and ok for w, ok in pngs)

    # the page as a user sees it is not blank: its pixels vary (a white or one-colour page has ~0)
    for where in ("findings", "pairs", "plots"):
        d.execute_script("document.getElementById(arguments[0]).scrollIntoView()", where)
        shot = Image.open(io.BytesIO(d.get_screenshot_as_png())).convert("L")
        assert ImageStat.Stat(shot).stddev[0] > 20, where
    d.execute_script("document.getElementById('chart-pairs').scrollIntoView()")
    (tmp_path / "plots.png").write_bytes(d.get_screenshot_as_png())
    # drawing the charts fetched nothing either, and raised no error
    fetched = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in fetched if not u.startswith(("data:", "file:", "blob:"))] == []
    assert [e for e in d.get_log("browser") if e["level"] == "SEVERE"] == []
    # the single-attack table's per-profile errors and Specialization (with its noise part) are
    # the pruning report's, cell for cell (one function makes both)
    heads = d.execute_script("return Array.from(document.querySelectorAll('#singles-table th'))"
                             ".map(th => th.textContent.trim())")
    vs = [k for k, h in enumerate(heads) if h.startswith("vs ")]
    from tests.reports.helpers import first_table

    _, pruning = first_table((md / "stage1" / "stage1_pruning_report.md").read_text(encoding="utf-8"),
                             "Top 50 Attacks Overall")
    singles = rows_text(d, "singles-table")[:len(pruning)]
    assert vs and len(singles) == len(pruning) > 0
    assert [[r[k] for k in vs] for r in singles] == [[r[k] for k in vs] for r in pruning]
    assert all("± " in r[vs[0]] or "every run equal" in r[vs[0]] for r in singles)
    assert [r[-2] for r in singles] == [r[-2] for r in pruning] and "(noise " in singles[0][-2]


#: A profile name that would run a script, load a picture or end a <script> element if the page
#: pasted names in as HTML (configs travel between people: they are untrusted).
HOSTILE = ('<img src=x onerror="document.body.dataset.pwned=1"></script>'
           '<script>document.body.dataset.pwned=2</script>')


def test_names_are_text_never_markup(browser, tmp_path, monkeypatch):
    from balance_plugins.stages import synthetic

    monkeypatch.setattr(synthetic, "CONFIG", synthetic.CONFIG.replace('name = "Dodgy"', f"name = '{HOSTILE}'"))
    run = synthetic.make_run(tmp_path / "run", budget=3, n_stage2=12, seed=3, confirm_top=5)
    out = write_all(run, tmp_path / "reports", only=["html"])
    d = browser
    d.get((out / "report.html").resolve().as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 60).until(lambda drv: drv.execute_script("return document.body.dataset.ready === '1'"))
    draw_charts(d)
    assert d.execute_script("return document.body.dataset.pwned") is None
    assert d.execute_script("return document.querySelectorAll('img:not([src^=\"data:\"])').length") == 0
    # shown whole, as text: in the run's settings and as a column of the single-attack table
    assert HOSTILE in d.execute_script("return document.getElementById('summary').innerText")
    headers = d.execute_script("return Array.from(document.querySelectorAll('#singles-table th'))"
                               ".map(th => th.textContent.trim())")
    assert f"vs {HOSTILE}" in headers


def test_the_page_runs_after_the_reporters_it_renders(real_run):
    from balance.reporting import select_reporters
    from balance.session import open_session

    session = open_session(real_run / "config.toml")
    chosen = [r.name for r in select_reporters(session, ["html", "top_1000_pairs", "findings", "synergy_analysis"])]
    assert chosen == ["top_1000_pairs", "findings", "synergy_analysis", "html"]


def test_in_one_call_the_page_renders_the_files_written_beside_it(real_run, tmp_path):
    """With findings and a plot written in the same call, the page embeds those files."""
    import base64

    out = write_all(real_run, tmp_path / "reports", only=["html", "findings", "synergy_analysis"])
    page = (out / "report.html").read_text(encoding="utf-8")
    png = base64.b64encode((out / "stage2" / "synergy_distribution.png").read_bytes()).decode("ascii")
    assert png in page
