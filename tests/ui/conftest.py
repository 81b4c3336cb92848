"""The browser-test harness: a real ``padron serve``, a seeded project, a real Chromium.

The server runs as a process (``tests/serving.py``) on a SQLite file with two
projects: ``shop`` (the one signed in to; real customers in several countries,
one inactive, one whose city no data knows, and customers whose code, city
and metadata hold HTML and script payloads) and ``rival`` (a project the
``shop`` session must never reach). Keys are made with ``padron keys create``.

The browser is Debian's chromium (``/usr/bin/chromium``, installed by
``.ci/run``), driven headless by Playwright for Python; Playwright's own browser
download is never used. Every page a test opens records the JavaScript dialogs
it raised (``Browser.dialogs``): a stored payload that ran would show there.
Screenshots go to ``.cache/ui-screenshots/`` (git-ignored), at 375 and 1440
pixels wide.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Browser, Dialog, Page, Playwright, sync_playwright

from tests.serving import Server, create_key, serving

CHROMIUM: Final = os.environ.get("PADRON_TEST_CHROMIUM", "/usr/bin/chromium")
ROOT: Final = Path(__file__).resolve().parents[2]
SCREENSHOTS: Final = ROOT / ".cache" / "ui-screenshots"
WIDTHS: Final = (375, 1440)

#: Stored as data by a client; must render as text and never run.
XSS_CODE: Final = '<script>alert("code")</script>'
XSS_CITY: Final = '"><img src=x onerror=alert("city")>'
XSS_METADATA: Final = {
    "homepage": "javascript:alert('metadata')",
    "note": "<script>alert('note')</script>",
    "html": "<img src=x onerror=alert('meta-img')>",
}

#: The ``shop`` project's customers (besides the payload one).
CUSTOMERS: Final = [
    {"code": "c-001", "country": "Spain", "state": "Barcelona", "city": "Barcelona",
     "yearBorn": 1984, "gender": 2, "metadata": {"tier": "gold", "tags": ["vip", "es"]}},
    {"code": "c-002", "country": "ES", "city": "Madrid", "yearBorn": 1990, "gender": 1},
    {"code": "c-003", "country": "Deutschland", "state": "Bayern", "city": "München",
     "yearBorn": 1975},
    {"code": "c-004", "country": "France", "city": "Paris", "isActive": False},
    {"code": "c-005", "country": "Netherlands", "city": "Amsterdam", "gender": 3},
    {"code": "c-006", "country": "Spain", "city": "Villanueva de Ningunaparte"},
    {"code": "d-001", "country": "Portugal", "city": "Lisboa", "yearBorn": 2001},
]  # fmt: skip


@dataclass
class Seeded:
    server: Server
    shop_dashboard: str  # a key of ``shop`` with only the dashboard permission
    shop_api: str  # a key of ``shop`` with the API's permissions
    rival_dashboard: str
    rival_api: str
    ids: dict[str, str] = field(default_factory=dict)  # code → id, both projects

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, key: str) -> Any:
        return self.server.client(key)


def _post(seeded: Seeded, key: str, customers: list[dict[str, Any]]) -> None:
    with seeded.api(key) as client:
        answer = client.post("/customers", json=customers)
        assert answer.status_code == 200, answer.text
        for entity in answer.json()["payload"]["customers"]:
            seeded.ids[entity["payload"]["code"]] = entity["id"]


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Seeded]:
    """The shared server: project ``shop`` seeded, project ``rival`` beside it."""
    database = f"sqlite:///{tmp_path_factory.mktemp('ui-db') / 'padron.db'}"
    keys = {
        "shop_dashboard": create_key(database, data_dir, "shop", "dashboard"),
        "shop_api": create_key(database, data_dir, "shop"),
        "rival_dashboard": create_key(database, data_dir, "rival", "dashboard"),
        "rival_api": create_key(database, data_dir, "rival"),
    }
    with serving(database, data_dir) as server:
        state = Seeded(server, **keys)
        _post(state, state.shop_api, CUSTOMERS)
        _post(
            state,
            state.shop_api,
            [{"code": XSS_CODE, "country": "Spain", "city": XSS_CITY, "metadata": XSS_METADATA}],
        )
        _post(state, state.rival_api, [{"code": "r-001", "country": "Spain", "city": "Madrid"}])
        yield state


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


@dataclass
class Tab:
    """One browser context (its own cookies) and its page, with the dialogs it raised."""

    page: Page
    base: str
    dialogs: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def sign_in(self, key: str) -> None:
        self.go("/ui/sign-in")
        self.page.get_by_label("API key").fill(key)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def shoot(self, name: str) -> list[Path]:
        """Full-page screenshots of the current page at each width of WIDTHS."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        saved = []
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            path = SCREENSHOTS / f"{name}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
            saved.append(path)
        self.page.set_viewport_size({"width": 1440, "height": 900})
        return saved


def _open(browser: Browser, base: str) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    tab = Tab(page, base)

    def on_dialog(dialog: Dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, seeded: Seeded) -> Iterator[Tab]:
    """A fresh browser context (no cookies) on the shared server."""
    yield from _open(browser, seeded.url)


@pytest.fixture
def shop(tab: Tab, seeded: Seeded) -> Tab:
    """A tab signed in to ``shop`` with its dashboard key."""
    tab.sign_in(seeded.shop_dashboard)
    assert tab.page.url.endswith("/ui/"), tab.page.url
    return tab


@pytest.fixture
def open_tab(browser: Browser) -> Any:
    """Opens tabs on another server: ``open_tab(url)``; closed after the test."""
    opened: list[Iterator[Tab]] = []

    def make(base: str) -> Tab:
        gen = _open(browser, base)
        opened.append(gen)
        return next(gen)

    yield make
    for gen in opened:
        for _ in gen:
            pass
