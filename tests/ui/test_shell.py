"""The dashboard's shell in process (Starlette's test client): the front door,
sign-in, the session cookie, CSRF and the project boundary. The browser tests
(``test_browser.py``) drive the same pages in a real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from padron.api.app import create_app
from padron.runtime import Runtime

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def app_client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(
        create_app(runtime, close_runtime=False),
        raise_server_exceptions=False,
        follow_redirects=False,
    ) as client:
        yield client


def sign_in(client: TestClient, secret: str) -> object:
    form = client.get("/ui/sign-in")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None
    return client.post(
        "/ui/sign-in", data={"key": secret, "form_token": token.group(1), "next": "/ui/"}
    )


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found is not None, page
    return found.group(1)


def test_the_front_door_sends_a_browser_to_the_dashboard(app_client: TestClient) -> None:
    browser = app_client.get("/", headers=HTML)
    assert browser.status_code == 303 and browser.headers["location"] == "/ui/"
    api = app_client.get("/", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json()["payload"]["code"] == "not_found"


def test_no_session_is_sent_to_sign_in(app_client: TestClient) -> None:
    for path in ("/ui/", "/ui/customers", "/ui/keys", "/ui/review", "/ui/customers/cus_x"):
        answer = app_client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/ui/sign-in?next="), path
    assert app_client.get("/ui").headers["location"] == "/ui/"


def test_sign_in_sets_a_strict_http_only_cookie(app_client: TestClient, runtime: Runtime) -> None:
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    answer = sign_in(app_client, secret)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("padron_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain HTTP here; set behind TLS
    page = app_client.get("/ui/")
    assert page.status_code == 200 and "Overview" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_a_key_without_the_dashboard_permission_cannot_sign_in(
    app_client: TestClient, runtime: Runtime
) -> None:
    secret = runtime.access.create_key("shop").secret  # the API's permissions only
    answer = sign_in(app_client, secret)
    assert answer.status_code == 403 and "dashboard permission" in answer.text
    assert app_client.get("/ui/").status_code == 303


def test_a_form_without_the_session_token_is_refused(
    app_client: TestClient, runtime: Runtime
) -> None:
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    sign_in(app_client, secret)
    keys_before = runtime.access.keys_of(runtime.access.project("shop"))
    for data in ({"label": "x", "permissions": "status"}, {"label": "x", "csrf": "0" * 64}):
        refused = app_client.post("/ui/keys", data=data)
        assert refused.status_code == 403 and "token of your session" in refused.text
    assert runtime.access.keys_of(runtime.access.project("shop")) == keys_before
    page = app_client.get("/ui/keys")
    made = app_client.post(
        "/ui/keys", data={"label": "x", "permissions": "status", "csrf": csrf_of(page.text)}
    )
    assert made.status_code == 201 and "pdn_" in made.text


def test_sign_out_ends_the_session(app_client: TestClient, runtime: Runtime) -> None:
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    sign_in(app_client, secret)
    cookie = app_client.cookies.get("padron_session")
    page = app_client.get("/ui/")
    out = app_client.post("/ui/sign-out", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303
    # The old token is dead on the server, not just forgotten by this browser.
    app_client.cookies.set("padron_session", cookie or "", path="/ui")
    assert app_client.get("/ui/").status_code == 303


def test_revoking_the_key_ends_its_sessions(app_client: TestClient, runtime: Runtime) -> None:
    made = runtime.access.create_key("shop", ["dashboard"])
    sign_in(app_client, made.secret)
    assert app_client.get("/ui/").status_code == 200
    runtime.access.revoke(made.key.id)
    assert app_client.get("/ui/").status_code == 303


def test_numbers_and_times_are_written_for_people() -> None:
    from padron.ui.templating import number, percent, pretty_json, when

    assert number(1234567) == "1,234,567" and number(0) == "0" and number(None) == "–"
    assert number(2.5) == "2.5" and number(3.0) == "3"
    assert percent(1, 3) == "33.3 %" and percent(5, 0) == "0.0 %"
    assert when(1_800_000_000) == "2027-01-15 08:00 UTC" and when(None) == "never"
    assert pretty_json('{"a":[1,2]}') == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert pretty_json("not json") == "not json"


def test_a_post_from_another_site_is_refused(app_client: TestClient, runtime: Runtime) -> None:
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    sign_in(app_client, secret)
    token = csrf_of(app_client.get("/ui/keys").text)
    form = {"label": "x", "permissions": "status", "csrf": token}
    other = app_client.post("/ui/keys", data=form, headers={"Origin": "https://evil.example"})
    assert other.status_code == 403 and "another site" in other.text
    # Behind a proxy that rewrites Host, the browser's host is X-Forwarded-Host.
    proxied = app_client.post(
        "/ui/keys",
        data=form,
        headers={"Origin": "https://shop.example", "X-Forwarded-Host": "shop.example"},
    )
    assert proxied.status_code == 201
