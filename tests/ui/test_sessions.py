"""Dashboard sessions on a real store (both backends): expiry, sign-out, the key's
fate, what is kept of the token, and a key's last use."""

from __future__ import annotations

import hashlib

import pytest
from starlette.testclient import TestClient

from padron.access.sessions import IDLE_SECONDS, LIFETIME_SECONDS, Sessions, SignInRefused
from padron.api.app import create_app
from padron.runtime import Runtime
from tests.ui.test_shell import sign_in


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


def sessions_of(runtime: Runtime, clock: Clock) -> Sessions:
    return Sessions(runtime.store, runtime.access, clock=clock)


def test_a_session_ends_when_idle(runtime: Runtime) -> None:
    clock = Clock()
    sessions = sessions_of(runtime, clock)
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    token = sessions.sign_in(secret).token
    clock.now += IDLE_SECONDS - 1
    assert sessions.find(token) is not None  # used: the idle time starts again
    clock.now += IDLE_SECONDS - 1
    assert sessions.find(token) is not None
    clock.now += IDLE_SECONDS
    assert sessions.find(token) is None
    clock.now -= IDLE_SECONDS  # gone for good, not merely judged too old
    assert sessions.find(token) is None


def test_a_busy_session_still_ends_at_its_lifetime(runtime: Runtime) -> None:
    clock = Clock()
    sessions = sessions_of(runtime, clock)
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    token = sessions.sign_in(secret).token
    started = clock.now
    while clock.now + 600 < started + LIFETIME_SECONDS:
        clock.now += 600
        assert sessions.find(token) is not None
    clock.now = started + LIFETIME_SECONDS
    assert sessions.find(token) is None


def test_sign_out_and_the_sessions_of_a_revoked_key(runtime: Runtime) -> None:
    clock = Clock()
    sessions = sessions_of(runtime, clock)
    made = runtime.access.create_key("shop", ["dashboard", "depotFetch"])
    first, second = sessions.sign_in(made.secret), sessions.sign_in(made.secret)
    assert first.token != second.token and first.csrf != second.csrf
    sessions.sign_out(first.token)
    assert sessions.find(first.token) is None
    assert sessions.find(second.token) is not None
    runtime.access.revoke(made.key.id)
    assert sessions.find(second.token) is None
    with pytest.raises(SignInRefused) as refused:
        sessions.sign_in(made.secret)
    assert refused.value.reason == "unknown_key"


def test_the_store_keeps_a_hash_of_the_token_never_the_token(runtime: Runtime) -> None:
    sessions = sessions_of(runtime, Clock())
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    token = sessions.sign_in(secret).token
    digest = hashlib.sha256(token.encode()).digest()
    stored = runtime.store.session_by_hash(digest)
    assert stored is not None and stored.token_hash == digest
    assert runtime.store.session_by_hash(token.encode()) is None
    assert sessions.find(token + "x") is None and sessions.find("") is None
    assert sessions.find("a" * 10_000) is None


def test_a_keys_last_use_is_recorded(runtime: Runtime) -> None:
    made = runtime.access.create_key("shop", ["dashboard", "status"])
    project = runtime.access.project("shop")
    assert runtime.access.keys_of(project)[0].last_used_at is None
    with TestClient(create_app(runtime, close_runtime=False)) as client:
        answer = client.get("/status", headers={"X-API-Key": made.secret, "X-API-Version": "1"})
        assert answer.status_code == 200
    (key,) = runtime.access.keys_of(project)
    assert key.last_used_at is not None and key.last_used_at >= made.key.created_at


def test_the_cookie_is_secure_over_tls(runtime: Runtime) -> None:
    secret = runtime.access.create_key("shop", ["dashboard"]).secret
    with TestClient(
        create_app(runtime, close_runtime=False),
        base_url="https://testserver",
        follow_redirects=False,
    ) as client:
        answer = sign_in(client, secret)
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if c.startswith("padron_session=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie
