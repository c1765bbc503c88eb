"""How long report.html takes to open in headless Chromium, and a screenshot of it.

    .venv/bin/python -m tests.browser.open_time RUN/reports/report.html [--repeat 3] [--screenshot shot.png]

Prints, per opening (a fresh browser profile each time, so nothing is cached): the moment the
HTML was parsed (DOMContentLoaded), the load event and when the page's own script had made every
table sortable (``data-ready-ms``), all from navigation start; then, scrolling to each chart in
turn, how long the charts took to draw (Plotly's script runs only when a chart is near).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.chromium import chromium, draw_charts

TIMING = ("const n = performance.getEntriesByType('navigation')[0];"
          "return [n.domContentLoadedEventEnd, n.loadEventEnd, Number(document.body.dataset.readyMs)];")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("page", type=Path)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--screenshot", type=Path, help="save a PNG of the whole page's first screen and of each section")
    p.add_argument("--height", type=int, default=1000)
    a = p.parse_args(argv)
    size = a.page.stat().st_size
    print(f"{a.page}: {size:,} bytes ({size / 2**20:.2f} MiB)")
    for k in range(a.repeat):
        with chromium() as d:
            d.set_window_size(1400, a.height)
            d.get(a.page.resolve().as_uri())
            WebDriverWait(d, 120).until(lambda drv: drv.execute_script("return !!document.body.dataset.readyMs"))
            dcl, load, ready = d.execute_script(TIMING)
            if a.screenshot and k == 0:
                d.save_screenshot(str(a.screenshot))
            start = d.execute_script("return performance.now()")
            draw_charts(d)
            WebDriverWait(d, 120).until(lambda drv: drv.execute_script("return !!document.body.dataset.chartsReady"))
            charts = float(d.execute_script("return Number(document.body.dataset.chartsReady)")) - start
            print(f"open {k + 1}: DOMContentLoaded {dcl:,.0f} ms, load {load:,.0f} ms, "
                  f"tables sortable {ready:,.0f} ms; charts drawn {charts:,.0f} ms after scrolling to them")
            if a.screenshot and k == 0:
                for sid in ("summary", "pairs", "singles", "values", "plots"):
                    d.execute_script("document.getElementById(arguments[0]).scrollIntoView()", sid)
                    d.save_screenshot(str(a.screenshot.with_name(f"{a.screenshot.stem}-{sid}.png")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
