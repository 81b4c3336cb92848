"""The dashboard in a real Chromium against a real ``padron serve`` (see conftest.py).

What a person would notice: signing in, the customers list and its filters,
one customer's page and its actions, keys made and revoked, and that stored
payloads, forged forms and another project's URLs get nowhere.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.serving import serving
from tests.ui.conftest import XSS_CITY, XSS_CODE, XSS_METADATA, Seeded, Tab

pytestmark = pytest.mark.slow


def codes_listed(tab: Tab) -> list[str]:
    return tab.page.locator("#customers tbody th").all_inner_texts()


def test_sign_in_with_a_key_and_out(tab: Tab, seeded: Seeded) -> None:
    tab.go("/ui/customers?isActive=false")
    # No session: the sign-in page, which returns to the page asked for.
    assert "/ui/sign-in?next=" in tab.page.url
    expect(tab.page.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.shoot("sign-in")
    tab.page.get_by_label("API key").fill(seeded.shop_dashboard)
    tab.page.keyboard.press("Enter")  # the form works from the keyboard
    tab.page.wait_for_url(re.compile(r"/ui/customers\?isActive=false$"))
    expect(tab.page.locator(".project")).to_have_text("shop")
    assert codes_listed(tab) == ["c-004"]
    nav = tab.page.get_by_role("navigation", name="Main")
    for name in ("Overview", "Customers", "Places to review", "Keys"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    nav.get_by_role("button", name="Sign out").click()
    tab.page.wait_for_url(re.compile(r"/ui/sign-in$"))
    tab.go("/ui/keys")
    assert "/ui/sign-in" in tab.page.url


def test_the_keyboard_reaches_the_content_first(shop: Tab) -> None:
    page = shop.page
    shop.go("/ui/customers")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "codePrefix"
    page.keyboard.type("d-")
    page.keyboard.press("Enter")  # the filter form submits from the keyboard
    page.wait_for_url(re.compile(r"codePrefix=d-"))
    assert codes_listed(shop) == ["d-001"]


def test_a_wrong_key_or_one_without_the_permission_is_refused(tab: Tab, seeded: Seeded) -> None:
    tab.sign_in("pdn_" + "x" * 40)
    expect(tab.page.get_by_role("alert")).to_contain_text("not valid")
    tab.sign_in(seeded.shop_api)  # a good key, without dashboard
    expect(tab.page.get_by_role("alert")).to_contain_text("dashboard permission")
    tab.go("/ui/")
    assert "/ui/sign-in" in tab.page.url


def test_every_page_without_a_session_goes_to_sign_in(tab: Tab, seeded: Seeded) -> None:
    some_id = seeded.ids["c-001"]
    for path in ("/ui/", "/ui/customers", f"/ui/customers/{some_id}", "/ui/review", "/ui/keys"):
        tab.go(path)
        assert "/ui/sign-in" in tab.page.url, path
        expect(tab.page.get_by_label("API key")).to_be_visible()
    tab.go("/")  # the front door, for a browser
    assert "/ui/sign-in" in tab.page.url


def test_the_customers_page_filters(shop: Tab) -> None:
    shop.go("/ui/customers")
    assert codes_listed(shop) == sorted(["c-001", "c-002", "c-003", "c-004", "c-005", "c-006",
                                         "d-001", XSS_CODE])  # fmt: skip
    expect(shop.page.get_by_text("8 customers in this project")).to_be_visible()
    shop.shoot("customers")
    page = shop.page
    page.get_by_label("Country").fill("España")  # resolved as POST resolves it
    page.get_by_role("button", name="Filter").click()
    assert codes_listed(shop) == [XSS_CODE, "c-001", "c-002", "c-006"]
    assert "country=Espa%C3%B1a" in page.url  # a plain GET form: the URL is the filter
    page.get_by_label("Active").select_option("inactive")
    page.get_by_label("Country").fill("")
    page.get_by_role("button", name="Filter").click()
    assert codes_listed(shop) == ["c-004"]
    shop.go("/ui/customers?codePrefix=d-")
    assert codes_listed(shop) == ["d-001"]
    shop.go("/ui/customers?unresolved=true")
    assert codes_listed(shop) == [XSS_CODE, "c-006"]
    shop.go("/ui/customers?limit=25&city=M%C3%BCnchen")
    assert codes_listed(shop) == ["c-003"]
    # A filter place that no data knows: the reason, no 500, nothing listed.
    answer = shop.go("/ui/customers?country=Atlantis")
    assert answer.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Atlantis")
    assert codes_listed(shop) == []


def test_the_list_pages_with_a_cursor(shop: Tab) -> None:
    page = shop.page
    shop.go("/ui/customers")
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)  # all on one page
    shop.go("/ui/customers?limit=3")
    assert codes_listed(shop) == [XSS_CODE, "c-001", "c-002"]
    page.get_by_role("link", name="Next page").click()
    assert codes_listed(shop) == ["c-003", "c-004", "c-005"]
    page.get_by_role("link", name="Next page").click()
    assert codes_listed(shop) == ["c-006", "d-001"]
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="First page").click()
    assert len(codes_listed(shop)) == 3


def test_a_customer_shows_every_field_and_place_names(shop: Tab, seeded: Seeded) -> None:
    shop.go("/ui/customers?codePrefix=c-001")
    shop.page.get_by_role("link", name="c-001").click()
    page = shop.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer c-001")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("Spain")
    expect(fields).to_contain_text("ESP")
    expect(fields).to_contain_text("ES-B")
    expect(fields).to_contain_text("Barcelona")
    expect(fields).to_contain_text("1984")
    expect(fields).to_contain_text("female (2)")
    expect(fields).to_contain_text(seeded.ids["c-001"])
    metadata = page.locator("#metadata").inner_text()
    assert '"tier": "gold"' in metadata and "\n" in metadata  # indented, not one line
    shop.shoot("customer")
    shop.go(f"/ui/customers/{seeded.ids['c-006']}")
    expect(page.locator(".warning")).to_contain_text("kept as sent")


def test_deactivate_reactivate_and_delete_with_confirmation(shop: Tab, seeded: Seeded) -> None:
    with seeded.api(seeded.shop_api) as api:
        api.post("/customers", json={"code": "tmp-1", "country": "Spain"})
        cid = api.get("/customers", params={"code": "tmp-1"}).json()["id"]
        page = shop.page
        shop.go(f"/ui/customers/{cid}")
        page.get_by_role("link", name="Deactivate…").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivate customer tmp-1")
        shop.shoot("confirm")
        assert api.get("/customers", params={"code": "tmp-1"}).json()["payload"]["isActive"]
        page.get_by_role("button", name="Deactivate").click()
        expect(page.get_by_role("status")).to_have_text("The customer was deactivated.")
        assert not api.get("/customers", params={"code": "tmp-1"}).json()["payload"]["isActive"]
        page.get_by_role("link", name="Reactivate…").click()
        page.get_by_role("button", name="Reactivate").click()
        assert api.get("/customers", params={"code": "tmp-1"}).json()["payload"]["isActive"]
        page.get_by_role("link", name="Delete…").click()
        page.get_by_role("link", name="Cancel").click()  # cancelling changes nothing
        assert api.get("/customers", params={"code": "tmp-1"}).status_code == 200
        page.get_by_role("link", name="Delete…").click()
        page.get_by_role("button", name="Delete").click()
        expect(page.get_by_role("status")).to_have_text("The customer was deleted.")
        assert api.get("/customers", params={"code": "tmp-1"}).status_code == 404


def test_a_key_is_created_shown_once_and_revoked(shop: Tab, seeded: Seeded) -> None:
    page = shop.page
    shop.go("/ui/keys")
    shop.shoot("keys")
    page.get_by_label("Label").fill("warehouse sync")
    page.get_by_label(re.compile("^dashboard")).check()
    page.get_by_label(re.compile("^depotDelete")).uncheck()
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key created")
    secret = page.get_by_label("Secret").input_value()
    assert secret.startswith("pdn_")
    shop.shoot("key-created")
    with seeded.api(secret) as api:
        status = api.get("/status").json()
        assert status["permissions"] == ["status", "depotIngest", "depotFetch", "dashboard"]
        key_id = status["clientId"]
    shop.go("/ui/keys")
    row = page.locator("#keys tr", has_text=key_id)
    expect(row).to_contain_text("warehouse sync")
    expect(row).not_to_contain_text(secret)  # shown once: never again
    expect(row).not_to_contain_text("never")  # its use just now was recorded
    row.get_by_role("link", name=f"Revoke key {key_id}").click()
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    expect(page.locator("#keys tr", has_text=key_id)).to_contain_text("revoked")
    with seeded.api(secret) as api:
        assert api.get("/status").status_code == 401


def test_stored_payloads_render_as_text_and_never_run(shop: Tab, seeded: Seeded) -> None:
    page = shop.page
    for path in ("/ui/customers", f"/ui/customers/{seeded.ids[XSS_CODE]}"):
        shop.go(path)
        page.wait_for_timeout(300)  # an onerror would have fired by now
        # The DOM holds no element the payloads would have made, and nothing ran.
        assert page.locator("main script").count() == 0, path
        assert page.locator("img").count() == 0, path
        assert page.locator("[onerror]").count() == 0, path
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
        assert shop.dialogs == [], path
    # Each payload is on the page as the text it is.
    shop.go("/ui/customers")
    expect(page.get_by_role("link", name=XSS_CODE)).to_be_visible()
    expect(page.locator("#customers")).to_contain_text(XSS_CITY)
    shop.go(f"/ui/customers/{seeded.ids[XSS_CODE]}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Customer {XSS_CODE}")
    metadata = page.locator("#metadata").inner_text()
    for value in XSS_METADATA.values():
        assert value in metadata
    shop.shoot("customer-payloads")


def test_a_form_without_a_valid_csrf_token_is_refused(shop: Tab, seeded: Seeded) -> None:
    page = shop.page
    target = seeded.ids["c-002"]
    shop.go(f"/ui/customers/{target}/delete")
    # A forged form: the right fields but a token of no session, then none at all.
    for forge in (
        "document.querySelector('main form input[name=csrf]').value = '0'.repeat(64)",
        "document.querySelector('main form input[name=csrf]').remove()",
    ):
        shop.go(f"/ui/customers/{target}/delete")
        page.evaluate(forge)
        with page.expect_navigation() as sent:
            page.get_by_role("button", name="Delete").click()
        response: Any = sent.value
        assert response.status == 403
        expect(page.get_by_role("alert")).to_contain_text("token of your session")
    with seeded.api(seeded.shop_api) as api:
        assert api.get("/customers", params={"id": target}).status_code == 200


def test_a_session_cannot_reach_another_project_by_url(shop: Tab, seeded: Seeded) -> None:
    page = shop.page
    theirs = seeded.ids["r-001"]
    answer = shop.go(f"/ui/customers/{theirs}")
    assert answer.status == 404
    expect(page.get_by_role("alert")).to_contain_text("no customer with this id")
    assert "r-001" not in page.content()
    assert shop.go(f"/ui/customers/{theirs}/delete").status == 404
    shop.go("/ui/customers?codePrefix=r-")
    assert codes_listed(shop) == []
    # A form of our own session (a valid token) aimed at their customer and key.
    with seeded.api(seeded.rival_api) as rival:
        their_key = rival.get("/status").json()["clientId"]
    for action in (f"/ui/customers/{theirs}/delete", f"/ui/customers/{theirs}/deactivate",
                   f"/ui/keys/{their_key}/revoke"):  # fmt: skip
        shop.go(f"/ui/customers/{seeded.ids['c-001']}/delete")
        page.evaluate("a => document.querySelector('main form').action = a", action)
        with page.expect_navigation() as sent:
            page.get_by_role("button", name="Delete").click()
        assert sent.value.status == 404, action
    with seeded.api(seeded.rival_api) as rival:
        stored = rival.get("/customers", params={"id": theirs})
        assert stored.status_code == 200 and stored.json()["payload"]["isActive"] is True
        assert rival.get("/status").status_code == 200  # their key still works
    with seeded.api(seeded.shop_api) as api:
        assert api.get("/customers", params={"code": "c-001"}).status_code == 200
    shop.go("/ui/keys")
    expect(page.locator("#keys")).not_to_contain_text(their_key)


def _settled_width(tab: Tab, seconds: float = 5.0) -> int:
    """The page's scroll width once it fits 375 px, or after ``seconds``.

    Polled from the test (the page's CSP forbids the string evaluation that
    ``wait_for_function`` needs)."""
    deadline = time.monotonic() + seconds
    while True:
        width = int(tab.page.evaluate("document.documentElement.scrollWidth"))
        if width <= 375 or time.monotonic() > deadline:
            return width
        tab.page.wait_for_timeout(100)


def test_each_page_at_both_widths(shop: Tab, seeded: Seeded) -> None:
    """Screenshots of every page (artefacts); each is readable at 375 px: no
    horizontal scrolling of the page itself (wide tables scroll in their box)."""
    pages = {
        "overview": "/ui/",
        "customers-list": "/ui/customers",
        "customer-detail": f"/ui/customers/{seeded.ids['c-001']}",
        "review": "/ui/review",
        "keys-list": "/ui/keys",
    }
    for name, path in pages.items():
        shop.go(path)
        saved = shop.shoot(name)
        assert all(p.stat().st_size > 1000 for p in saved)
        shop.page.set_viewport_size({"width": 375, "height": 800})
        # Charts follow the viewport through a ResizeObserver, a frame or more
        # later (several under load): measure once the layout has settled, or
        # after 5 s, when a page that is really too wide is still too wide.
        width = _settled_width(shop)
        assert width <= 375, f"{name} is {width} px wide at 375 px"
        shop.page.set_viewport_size({"width": 1440, "height": 900})
    assert shop.dialogs == []


def test_first_serve_prints_a_sign_in_link_and_sign_in_is_throttled(
    tmp_path: Path, data_dir: Path, open_tab: Any
) -> None:
    env = {"PADRON_AUTH_FAILURES": "3", "PADRON_AUTH_BACKOFF": "60"}
    with serving(f"sqlite:///{tmp_path / 'empty.db'}", data_dir, env=env) as server:
        lines = server.output().splitlines()
        link = next(line for line in lines if "Sign in to the dashboard" in line)
        assert link.endswith(f"{server.url}/ui/sign-in")
        secret = next(line for line in lines if line.startswith("pdn_"))
        tab = open_tab(server.url)
        tab.sign_in(secret)  # the first key has the dashboard permission
        assert tab.page.url == server.url + "/ui/"
        other = open_tab(server.url)
        for _ in range(3):
            other.sign_in("pdn_wrong")
            expect(other.page.get_by_role("alert")).to_contain_text("not valid")
        started = time.monotonic()
        other.sign_in("pdn_wrong")
        expect(other.page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
        other.sign_in(secret)  # a valid key is never locked out by others' failures
        assert other.page.url == server.url + "/ui/"
        assert time.monotonic() - started < 60
