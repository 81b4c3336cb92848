"""The Overview page in a real Chromium against a real ``padron serve``: the
counts of a seeded project, the world map (country shapes drawn, a country's
count on hover) and the charts, and the same figures without JavaScript.

A server of its own (project ``atlas``), so that what the other browser tests
change in ``shop`` does not move these figures; once on a fresh SQLite file and
once on a fresh PostgreSQL database (the figures come from each store's tallies).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import BACKENDS, fresh_postgres_url
from tests.serving import Server, create_key, serving
from tests.ui.conftest import Tab

pytestmark = pytest.mark.slow

#: 1,100 customers in Portugal, then these (8 more).
PORTUGAL = 1_100
CUSTOMERS = [
    {"code": "es-1", "country": "Spain", "city": "Barcelona", "yearBorn": 1984, "gender": 2},
    {"code": "es-2", "country": "ES", "city": "Madrid", "yearBorn": 1990, "gender": 1},
    {"code": "es-3", "country": "Spain", "city": "Villanueva de Ningunaparte"},
    {"code": "fr-1", "country": "France", "city": "Paris", "isActive": False, "gender": 2},
    {"code": "de-1", "country": "Deutschland", "city": "München", "yearBorn": 1975},
    {"code": "br-1", "country": "Brazil", "yearBorn": 1999},
    {"code": "br-2", "country": "BR", "yearBorn": 2001},
    {"code": "none-1"},
]


@dataclass
class Atlas:
    server: Server
    dashboard_key: str


@pytest.fixture(scope="module", params=BACKENDS)
def atlas_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('overview-db') / 'padron.db'}"
        return
    yield from fresh_postgres_url(request.getfixturevalue("postgres_admin"))


@pytest.fixture(scope="module")
def atlas(atlas_database: str, data_dir: Path) -> Iterator[Atlas]:
    database = atlas_database
    dashboard = create_key(database, data_dir, "atlas", "dashboard")
    api = create_key(database, data_dir, "atlas")
    with serving(database, data_dir) as server, server.client(api) as client:
        portugal = [
            {"code": f"pt-{i:04d}", "country": "PT", "yearBorn": 1960 + i % 40}
            for i in range(PORTUGAL)
        ]
        batches = [portugal[s : s + 100] for s in range(0, PORTUGAL, 100)] + [CUSTOMERS]
        for batch in batches:
            answer = client.post("/customers", json=batch)
            assert answer.status_code == 200, answer.text
        yield Atlas(server, dashboard)


@pytest.fixture
def overview(open_tab: Any, atlas: Atlas) -> Tab:
    tab: Tab = open_tab(atlas.server.url)
    tab.sign_in(atlas.dashboard_key)
    assert tab.page.url.endswith("/ui/"), tab.page.url
    return tab


def map_point(tab: Tab, alpha3: str) -> dict[str, Any]:
    """Where the map drew the country (canvas pixels) and the colour there,
    read through Chart.js's public API once the map has drawn."""
    tab.page.wait_for_function(
        "() => { const c = Chart.getChart(document.getElementById('world-map'));"
        " return c && c.getDatasetMeta(0).data.length > 100; }"
    )
    found: dict[str, Any] = tab.page.evaluate(
        """(alpha3) => {
          const canvas = document.getElementById('world-map');
          const chart = Chart.getChart(canvas);
          const points = chart.data.datasets[0].data;
          const i = points.findIndex((p) => p.alpha3 === alpha3);
          if (i < 0) return {found: false, shapes: points.length};
          const at = chart.getDatasetMeta(0).data[i].getCenterPoint();
          const ratio = canvas.width / canvas.clientWidth;
          const pixel = canvas.getContext('2d').getImageData(
            Math.round(at.x * ratio), Math.round(at.y * ratio), 1, 1).data;
          return {found: true, x: at.x, y: at.y, rgb: [pixel[0], pixel[1], pixel[2]],
                  shapes: points.length};
        }""",
        alpha3,
    )
    return found


def test_the_overview_shows_the_counts_and_the_map(overview: Tab) -> None:
    page = overview.page
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    # Numbers for people: 1,108, not 1108.
    expect(page.locator("#total")).to_have_text("1,108")
    expect(page.locator("#active")).to_have_text("1,107")
    expect(page.locator("#inactive")).to_have_text("1")
    expect(page.locator("#kept")).to_contain_text("1 (0.1 %)")
    rows = page.locator("#countries tbody tr").all_inner_texts()
    assert rows[0].split("\t")[:2] == ["Portugal PRT", "1,100"], rows
    assert any(r.startswith("Spain ESP\t3\t") for r in rows), rows
    assert any(r.startswith("No country\t1\t") for r in rows), rows
    cities = page.locator("#cities tbody tr").all_inner_texts()
    assert any("Villanueva de Ningunaparte" in c and "kept as sent" in c for c in cities), cities
    assert any(c.startswith("Barcelona Q1492") for c in cities), cities

    # The map drew every country shape; those with customers in another colour.
    spain = map_point(overview, "ESP")
    australia = map_point(overview, "AUS")
    assert spain["found"] and australia["found"] and spain["shapes"] >= 170
    assert spain["rgb"] != australia["rgb"], (spain, australia)
    assert spain["rgb"] != [255, 255, 255] and australia["rgb"] != [255, 255, 255]

    # Pointing at a country shows its count; at one without customers, says so.
    box = page.locator("#world-map").bounding_box()
    assert box is not None
    tip = page.locator("#map-tip")
    page.mouse.move(box["x"] + spain["x"], box["y"] + spain["y"])
    expect(tip).to_be_visible()
    expect(tip).to_have_text("Spain: 3 customers")
    portugal = map_point(overview, "PRT")
    page.mouse.move(box["x"] + portugal["x"], box["y"] + portugal["y"])
    expect(tip).to_have_text("Portugal: 1,100 customers")
    page.mouse.move(box["x"] + australia["x"], box["y"] + australia["y"])
    expect(tip).to_have_text("Australia: no customers")

    # The charts drew (Chart.js holds one chart per canvas).
    for chart in ("days-chart", "years-chart", "genders-chart"):
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{chart}'))"), chart
    overview.shoot("overview-map")
    assert overview.dialogs == []


def test_the_figures_are_readable_without_javascript(browser: Browser, atlas: Atlas) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        tab = Tab(page, atlas.server.url)
        tab.sign_in(atlas.dashboard_key)
        expect(page.locator("#total")).to_have_text("1,108")
        rows = page.locator("#countries tbody tr").all_inner_texts()
        assert rows[0].split("\t")[:2] == ["Portugal PRT", "1,100"], rows
        genders = dict(
            r.split("\t")[:2] for r in page.locator("#genders tbody tr").all_inner_texts()
        )
        assert genders == {"male": "1", "female": "2", "not given": "1,105"}, genders
        decades = dict(r.split("\t") for r in page.locator("#decades tbody tr").all_inner_texts())
        assert decades["1990–1999"] == "272" and decades["Not given"] == "3", decades
        # The per-day table sits in a closed <details>: read, not shown.
        today = page.locator("#days tbody tr").first.locator("td").all_text_contents()
        assert today == ["1,108", "0"], today  # everyone was created today
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the overview is {width} px wide at 375 px"
    finally:
        context.close()
