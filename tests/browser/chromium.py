"""Headless Chromium driven by selenium, with the distribution's chromium and chromedriver.

``.ci/run`` installs both from Debian packages; elsewhere the test skips, naming what is missing,
unless CI is set (then a missing browser fails the test instead of hiding it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Flags that run Chromium headless as root on a machine without a display or GPU, and keep it
#: from reaching the network on its own (updates, sync, QUIC probes); the page must need none.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000",
         # every host name fails to resolve: a page that fetched anything would show it
         "--host-resolver-rules=MAP * ~NOTFOUND")


def find_browser() -> tuple[str | None, str]:
    """(chromium path, "") or (None, why not)."""
    binary = next((b for b in CHROMIUM if Path(b).exists()), None) or shutil.which("chromium")
    if binary is None:
        return None, "no Chromium (apt-get install chromium chromium-driver; .ci/run does)"
    if not Path(CHROMEDRIVER).exists() and not shutil.which("chromedriver"):
        return None, "no chromedriver (apt-get install chromium-driver; .ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None, "selenium is not installed (pip install -e '.[test]')"
    return binary, ""


@contextmanager
def chromium():
    """A selenium WebDriver for headless Chromium with a fresh profile, quit afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, why = find_browser()
    if binary is None:
        raise RuntimeError(why)
    profile = tempfile.mkdtemp(prefix="balance-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver_path = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def draw_charts(driver, timeout: float = 120) -> None:
    """Scroll to each chart in turn and wait until Plotly drew it (charts draw when near the screen)."""
    from selenium.webdriver.support.ui import WebDriverWait

    for cid in driver.execute_script("return Array.from(document.querySelectorAll('div.chart')).map(c => c.id)"):
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", cid)
        WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
            "return document.getElementById(arguments[0]).classList.contains('js-plotly-plot')", cid))
