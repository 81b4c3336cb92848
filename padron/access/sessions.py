"""Dashboard sign-in sessions: a key with the ``dashboard`` permission buys a
browser a session, kept server-side.

The browser holds a random 256-bit token (a cookie); the store keeps only its
SHA-256 (``dashboard_sessions``), so a copy of the database signs nobody in. A
session ends when it has been idle ``idle`` seconds, when it is ``lifetime``
seconds old, at sign-out, and when its key is revoked or loses the permission
(the key is read with every lookup). Its last activity is written at most once
every ``TOUCH_SECONDS``, so browsing costs a read per page, not a write.

Each session has one CSRF token, derived from its token (HMAC-SHA256), so
nothing more is stored and it is checked in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from padron.access import Access
from padron.errors import PadronError
from padron.ids import now
from padron.store.base import Store
from padron.store.records import DASHBOARD, ApiKey, Project

#: Seconds without a request after which a session ends.
IDLE_SECONDS: Final = 60 * 60
#: Seconds after sign-in at which a session ends, however busy.
LIFETIME_SECONDS: Final = 12 * 60 * 60
#: A session's last activity is written at most this often (seconds).
TOUCH_SECONDS: Final = 60
#: The longest token a cookie may carry (ours are 43 characters).
_MAX_TOKEN: Final = 128


class SignInRefused(PadronError):
    """A sign-in that cannot be done: ``reason`` is ``unknown_key`` (no such
    active key: counts as a failed authentication) or ``no_permission`` (a valid
    key without ``dashboard``)."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description


@dataclass(frozen=True, slots=True)
class Active:
    """A live session: whom it acts for, and the CSRF token of its forms."""

    token: str
    key: ApiKey
    project: Project
    csrf: str
    expires_at: int  # epoch seconds at which it ends unless used (idle) or at the latest


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def csrf_of(token: str) -> str:
    """The CSRF token of the session ``token`` (hex, 64 characters)."""
    return hmac.new(token.encode("utf-8", "surrogatepass"), b"padron csrf", "sha256").hexdigest()


def csrf_matches(expected: str, sent: str | None) -> bool:
    """Whether the token sent with a form is the session's (constant-time)."""
    if not sent:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), sent.encode("utf-8", "surrogatepass"))


class Sessions:
    def __init__(
        self,
        store: Store,
        access: Access,
        *,
        clock: Callable[[], int] = now,
        idle: int = IDLE_SECONDS,
        lifetime: int = LIFETIME_SECONDS,
    ) -> None:
        self.store = store
        self.access = access
        self.clock = clock
        self.idle = idle
        self.lifetime = lifetime

    def sign_in(self, secret: str) -> Active:
        """A new session for the key ``secret``.

        :raises SignInRefused: ``unknown_key`` or ``no_permission``.
        """
        found = self.access.authenticate(secret.strip()) if secret.strip() else None
        if found is None:
            raise SignInRefused(
                "unknown_key", "this API key is not valid (unknown or revoked); paste a valid key"
            )
        key, project = found
        if DASHBOARD not in key.permissions:
            raise SignInRefused(
                "no_permission",
                "this key lacks the dashboard permission; sign in with a key made by "
                "padron keys create --permissions dashboard",
            )
        at = self.clock()
        self.store.prune_sessions(at - self.lifetime, at - self.idle)
        token = secrets.token_urlsafe(32)
        self.store.add_session(_hash(token), key.id, at)
        if self.access.use_due(key):
            self.access.record_use(key)
        return Active(token, key, project, csrf_of(token), at + self.idle)

    def find(self, token: str | None) -> Active | None:
        """The live session of the cookie's ``token``; None when there is none
        (never was, signed out, expired, or its key revoked or changed)."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        digest = _hash(token)
        session = self.store.session_by_hash(digest)
        if session is None:
            return None
        at = self.clock()
        key = session.key
        if (
            not key.active
            or DASHBOARD not in key.permissions
            or at >= session.created_at + self.lifetime
            or at >= session.seen_at + self.idle
        ):
            self.store.delete_session(digest)
            return None
        project = self.store.project_by_id(key.project_id)
        if project is None:
            return None
        seen = session.seen_at
        if at - seen >= TOUCH_SECONDS:
            self.store.touch_session(digest, at)
            seen = at
            if self.access.use_due(key):
                self.access.record_use(key)
        expires = min(session.created_at + self.lifetime, seen + self.idle)
        return Active(token, key, project, csrf_of(token), expires)

    def sign_out(self, token: str) -> None:
        """End the session of ``token`` (nothing when there is none)."""
        if token and len(token) <= _MAX_TOKEN:
            self.store.delete_session(_hash(token))
