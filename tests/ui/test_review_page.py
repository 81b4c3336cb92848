"""Places to review, in a real Chromium against a real ``padron serve``: an
unresolved city is mapped to a place, and the customers that carry it then
show the resolved id through the API and appear in the change feed as updates.

A server of its own (not the shared seeded one): mapping changes customers that
the other browser tests count. These run on SQLite and on PostgreSQL (the
``database_url`` fixture), the shared seeded server on SQLite only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.serving import create_key, serving

pytestmark = pytest.mark.slow

MADRID = "Q2807"
NOWHERE = "Villanueva de Ningunaparte"
PAYLOAD = '"><img src=x onerror=alert("review")>'


def test_an_unresolved_city_is_mapped_and_its_customers_resolve(
    database_url: str, data_dir: Path, open_tab: Any
) -> None:
    database = database_url
    dashboard = create_key(database, data_dir, "shop", "dashboard")
    api_key = create_key(database, data_dir, "shop")
    other_key = create_key(database, data_dir, "rival")
    with serving(database, data_dir) as server, server.client(api_key) as api:
        sent = [
            {"code": "v-1", "country": "Spain", "city": NOWHERE},
            {"code": "v-2", "country": "ES", "city": NOWHERE.upper()},
            {"code": "f-1", "country": "France", "city": NOWHERE},
            {"code": "ok", "country": "Spain", "city": "Barcelona"},
        ]
        assert api.post("/customers", json=sent).status_code == 200
        with server.client(other_key) as rival:
            rival.post("/customers", json={"code": "v-1", "country": "ES", "city": NOWHERE})
        cursor = api.get("/customers/changes/latest").json()["payload"]["nextCursor"]

        tab = open_tab(server.url)
        tab.sign_in(dashboard)
        tab.go("/ui/review")
        page = tab.page
        entry = page.locator("section.review").filter(has_text="ESP").filter(has_text=NOWHERE)
        expect(entry).to_contain_text("2 customers")
        expect(page.locator("section.review")).to_have_count(2)  # the Spanish and French values
        tab.shoot("review")

        entry.get_by_label("Search a city").fill("Madrid")
        entry.get_by_role("button", name="Search").click()
        entry = page.locator("section.review").filter(has_text="ESP").filter(has_text=NOWHERE)
        entry.get_by_label(f"Madrid {MADRID}").check()
        entry.get_by_role("button", name="Apply to 2 customers").click()
        expect(page.get_by_role("status")).to_contain_text("mapped")
        expect(page.get_by_role("status")).to_contain_text("2 updated")
        expect(page.locator("section.review")).to_have_count(1)  # France's is still there
        expect(page.locator("#aliases")).to_contain_text(MADRID)
        assert tab.dialogs == []

        for code in ("v-1", "v-2"):
            payload = api.get("/customers", params={"code": code}).json()["payload"]
            assert (payload["country"], payload["city"]) == ("ESP", MADRID), code
        assert api.get("/customers", params={"code": "f-1"}).json()["payload"]["city"] == NOWHERE
        feed = api.get("/customers/changes", params={"after": cursor}).json()["payload"]
        changes = [c["payload"] for c in feed["changes"]]
        assert sorted((c["type"], c["customerCode"]) for c in changes) == [
            ("updated", "v-1"),
            ("updated", "v-2"),
        ]
        assert all(c["customer"]["payload"]["city"] == MADRID for c in changes)
        with server.client(other_key) as rival:
            theirs = rival.get("/customers", params={"code": "v-1"}).json()["payload"]
            assert theirs["city"] == NOWHERE  # another project is never touched

        # "keep as sent" confirms the French value: it leaves the list
        entry = page.locator("section.review").filter(has_text="FRA")
        entry.get_by_label("Keep as sent").check()
        entry.get_by_role("button", name="Apply to 1 customer").click()
        expect(page.get_by_role("status")).to_contain_text("confirmed")
        expect(page.locator("#nothing")).to_be_visible()


def test_a_forged_review_form_changes_nothing_and_payloads_stay_text(
    database_url: str, data_dir: Path, open_tab: Any
) -> None:
    database = database_url
    dashboard = create_key(database, data_dir, "shop", "dashboard")
    api_key = create_key(database, data_dir, "shop")
    with serving(database, data_dir) as server, server.client(api_key) as api:
        api.post("/customers", json={"code": "v-1", "country": "ES", "city": NOWHERE})
        api.post("/customers", json={"code": "x-1", "country": "ES", "city": PAYLOAD})
        tab = open_tab(server.url)
        tab.sign_in(dashboard)
        tab.go("/ui/review")  # a stored value is text on the page, never markup
        expect(tab.page.locator("section.review").filter(has_text=PAYLOAD)).to_have_count(1)
        assert tab.page.locator("section.review img").count() == 0 and tab.dialogs == []
        form = {
            "field": "city",
            "value": NOWHERE,
            "country": "ESP",
            "state": "",
            "choice": MADRID,
            "csrf": "not-the-token",
        }
        answer = tab.page.request.post(server.url + "/ui/review", form=form)
        assert answer.status == 403
        assert api.get("/customers", params={"code": "v-1"}).json()["payload"]["city"] == NOWHERE
        assert api.get("/locations/aliases").json()["payload"]["aliases"] == []


BECENI_VILLAGE = "Q3292959"  # the Beceni padron chooses in RO-BZ (the more prominent)
BECENI_COMMUNE = "Q2725070"  # the namesake it passes over


def test_a_city_padron_chose_is_listed_and_mapping_it_moves_its_customers(
    database_url: str, data_dir: Path, open_tab: Any
) -> None:
    dashboard = create_key(database_url, data_dir, "shop", "dashboard")
    api_key = create_key(database_url, data_dir, "shop")
    with serving(database_url, data_dir) as server, server.client(api_key) as api:
        sent = [
            {"code": "b-1", "country": "Romania", "state": "Buzău", "city": "Beceni"},
            {"code": "b-2", "country": "RO", "state": "RO-BZ", "city": "BECENI"},
            {"code": "alone", "city": NOWHERE},  # no country, no state: counted, not listed
        ]
        answer = api.post("/customers", json=sent)
        assert answer.status_code == 200, answer.text
        stored = [c["payload"]["city"] for c in answer.json()["payload"]["customers"][:2]]
        assert stored == [BECENI_VILLAGE, BECENI_VILLAGE]
        cursor = api.get("/customers/changes/latest").json()["payload"]["nextCursor"]

        tab = open_tab(server.url)
        tab.sign_in(dashboard)
        tab.go("/ui/review")
        page = tab.page
        expect(page.locator("#countryless")).to_contain_text("1 customer sent a city")
        entry = page.locator("section.review").filter(has_text="Beceni")
        expect(page.locator("section.review")).to_have_count(1)
        expect(entry).to_contain_text("2 customers")
        expect(entry).to_contain_text("chosen")
        expect(entry.locator(".chosen")).to_contain_text(BECENI_VILLAGE)
        tab.shoot("review-chosen")

        entry.get_by_label(f"Comuna Beceni {BECENI_COMMUNE}").check()
        entry.get_by_role("button", name="Apply to 2 customers").click()
        expect(page.get_by_role("status")).to_contain_text("2 updated")
        expect(page.locator("#nothing")).to_be_visible()
        assert tab.dialogs == []

        for code in ("b-1", "b-2"):
            payload = api.get("/customers", params={"code": code}).json()["payload"]
            assert (payload["state"], payload["city"]) == ("RO-BZ", BECENI_COMMUNE), code
        feed = api.get("/customers/changes", params={"after": cursor}).json()["payload"]
        assert sorted(
            (c["payload"]["type"], c["payload"]["customerCode"]) for c in feed["changes"]
        ) == [
            ("updated", "b-1"),
            ("updated", "b-2"),
        ]
        # later customers sending it resolve through the decision, without a warning
        later = api.post(
            "/customers", json={"code": "b-3", "country": "RO", "state": "RO-BZ", "city": "Beceni"}
        )
        assert later.json()["payload"]["city"] == BECENI_COMMUNE
        assert later.json().get("warnings", []) == []


def test_decisions_are_listed_a_page_at_a_time(
    database_url: str, data_dir: Path, open_tab: Any
) -> None:
    dashboard = create_key(database_url, data_dir, "shop", "dashboard")
    api_key = create_key(database_url, data_dir, "shop")
    with serving(database_url, data_dir) as server, server.client(api_key) as api:
        for n in range(52):
            body = {"field": "city", "value": f"Villa {n:02}", "country": "ES", "placeId": None}
            assert api.post("/locations/aliases", json=body).status_code == 201
        tab = open_tab(server.url)
        tab.sign_in(dashboard)
        tab.go("/ui/review")
        page = tab.page
        rows = page.locator("#aliases tbody tr")
        expect(rows).to_have_count(50)
        first = set(rows.locator("th").all_inner_texts())
        page.get_by_role("link", name="Older decisions").click()
        expect(rows).to_have_count(2)
        rest = set(rows.locator("th").all_inner_texts())
        assert not first & rest and len(first | rest) == 52
        expect(page.get_by_role("link", name="Older decisions")).to_have_count(0)
        page.get_by_role("link", name="Newest decisions").click()
        expect(rows).to_have_count(50)
        tab.go("/ui/review?after=not-a-cursor")
        expect(page.get_by_role("alert")).to_contain_text("not one padron made")
        expect(rows).to_have_count(50)
