"""Browser tests: Playwright for Python drives Debian's Chromium against pytest-django's live server.

One Chromium serves all tests of this package; each persona gets a fresh browser context (its own
cookies and language) from `browse`. Every page is watched: a console error or a violation of the
content security policy fails the test at teardown, naming the page and the directive.
Screenshots go to test-artifacts/screenshots/<lang>/<name>.png; the folder is printed at the end.

Chromium is Debian's (`apt-get install chromium`); Playwright's own browser download is never used.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from gehoord.desk.tests.browser.support import LOCALES

CHROMIUM = os.environ.get("GEHOORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = pytest.StashKey[list]()

# Chromium logs a CSP violation as a console error too; this adds the directive and what was blocked.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: directive ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`
    + ` (${event.sourceFile || document.location.href}:${event.lineNumber})`);
});
"""


def screenshot_folder(config) -> Path:
    return config.rootpath / "test-artifacts" / "screenshots"


@pytest.fixture(scope="package")
def chromium():
    """Debian's Chromium, started once for the browser tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"The browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    # Playwright's sync API keeps an event loop on this thread; the tests' own ORM calls (fixtures,
    # assertions on what was stored) are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=10_000)  # a busy two-core machine renders slower than a laptop
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The portal's rate limits count in the cache, which the live server shares with the tests."""
    cache.clear()
    yield
    cache.clear()


class PageWatch:
    """What the pages wrote to the console as errors, and the errors they may write."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []

    def watch(self, page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))

    def _console(self, page, message) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        text = f"{message.text} [{source}]" if source and source != page.url else message.text
        if source.endswith("/favicon.ico"):
            return  # the site has no icon; Chromium asks for one anyway
        if not any(pattern.search(text) for pattern in self.allowed):
            self.problems.append(f"{page.url}: {text}")


@pytest.fixture
def browse(chromium, live_server):
    """Open a page in a fresh browser context: `carol = browse("nl")` reads the site in Dutch
    (Accept-Language nl-NL), `browse("en")` in English (en-GB). `browse.allow(pattern)` lets
    console errors matching `pattern` pass (e.g. the 404 an isolation test expects)."""
    watch = PageWatch()
    contexts = []

    def open_page(lang: str = "nl"):
        context = chromium.new_context(base_url=live_server.url, locale=LOCALES[lang], viewport=VIEWPORT)
        context.set_default_timeout(15_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        watch.watch(page)
        return page

    open_page.allow = lambda pattern: watch.allowed.append(re.compile(pattern))
    yield open_page
    for context in contexts:
        try:
            context.close()
        except PlaywrightError:
            pass
    if watch.problems:
        pytest.fail("The pages logged console errors or CSP violations:\n" + "\n".join(watch.problems))


@pytest.fixture
def screenshot(request):
    """`screenshot(page, name)`: a full-page PNG in test-artifacts/screenshots/<lang>/, by default
    the language the page says it is in (<html lang>); `lang=` for a page that does not say."""

    def shoot(page, name: str, lang: str | None = None) -> Path:
        lang = lang or page.evaluate("document.documentElement.lang") or "unknown"
        path = screenshot_folder(request.config) / lang / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True, animations="disabled")
        request.config.stash.setdefault(SCREENSHOTS, []).append(path)
        return path

    return shoot


def pytest_terminal_summary(terminalreporter, config):
    taken = config.stash.get(SCREENSHOTS, [])
    if taken:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(taken)} screenshots in {screenshot_folder(config)}/<lang>/")
