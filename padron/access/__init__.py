"""Projects and API keys: who may do what, and in which project.

A key's secret is shown once, when it is made; only its SHA-256 is stored (a
random 238-bit secret needs no slow hash), and the comparison after the lookup
is constant-time. A key's last use is recorded at most once every
``USE_RECORD_SECONDS`` per process, so a busy key costs one write a minute.
Dashboard sign-in sessions: :mod:`padron.access.sessions`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Final

from padron.errors import PadronError
from padron.ids import new_id, now
from padron.store.base import Store
from padron.store.records import API_PERMISSIONS, PERMISSIONS, ApiKey, Project

_SECRET_PREFIX: Final = "pdn_"
_SECRET_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SECRET_LENGTH: Final = 40
#: How long a key looked up stays trusted in memory. Revoking a key takes
#: effect within this time in every running server.
AUTH_CACHE_SECONDS: Final = 2.0
DEFAULT_PROJECT: Final = "default"
#: A key's last use is written at most this often (seconds, per process).
USE_RECORD_SECONDS: Final = 60.0


class AccessError(PadronError, ValueError):
    """A request of the command line that cannot be done (unknown project, …)."""


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


def parse_permissions(text: str | Iterable[str]) -> tuple[str, ...]:
    items = [p.strip() for p in text.split(",")] if isinstance(text, str) else list(text)
    items = [p for p in items if p]
    unknown = [p for p in items if p not in PERMISSIONS]
    if unknown:
        raise AccessError(f"unknown permission {unknown[0]!r}; known: {', '.join(PERMISSIONS)}")
    if not items:
        raise AccessError("a key needs at least one permission")
    return tuple(p for p in PERMISSIONS if p in items)


@dataclass(frozen=True, slots=True)
class NewKey:
    secret: str
    key: ApiKey
    project: Project
    project_created: bool


class Access:
    def __init__(self, store: Store, *, clock: Callable[[], int] = now) -> None:
        self.store = store
        self.clock = clock
        self._cache: dict[bytes, tuple[float, ApiKey, Project]] = {}
        self._lock = threading.Lock()
        self._recorded: dict[str, float] = {}  # key id → monotonic time of the last record

    def create_key(
        self, project_name: str, permissions: Iterable[str] = API_PERMISSIONS, label: str = ""
    ) -> NewKey:
        """A new key of the project (made when new) with ``permissions`` (by
        default the API's, without ``dashboard``).

        :raises AccessError: an unknown permission, none at all, an empty project name.
        """
        perms = parse_permissions(permissions)
        name = project_name.strip()
        if not name:
            raise AccessError("the project name may not be empty")
        project = self.store.project_by_name(name)
        created = project is None
        if project is None:
            project = Project(id=new_id("prj"), name=name, created_at=self.clock())
            self.store.create_project(project)
        secret = _SECRET_PREFIX + "".join(
            secrets.choice(_SECRET_ALPHABET) for _ in range(_SECRET_LENGTH)
        )
        key = ApiKey(
            id=new_id("cli"),
            project_id=project.id,
            key_hash=hash_secret(secret),
            permissions=perms,
            created_at=self.clock(),
            label=label,
        )
        self.store.add_key(key)
        return NewKey(secret, key, project, created)

    def ensure_first_key(self) -> NewKey | None:
        """On a database with no project at all, make ``default`` and one key with
        every permission, ``dashboard`` included (the first sign-in)."""
        if self.store.list_projects():
            return None
        return self.create_key(DEFAULT_PROJECT, PERMISSIONS, label="created by the first serve")

    def cached(self, secret: str) -> tuple[ApiKey, Project] | None:
        """The key and project of a secret seen within the last moments, without
        touching the store (the HTTP layer's fast path); None: ask ``authenticate``."""
        hit = self._cache.get(hash_secret(secret))
        if hit is not None and hit[0] > time.monotonic():
            return hit[1], hit[2]
        return None

    def authenticate(self, secret: str) -> tuple[ApiKey, Project] | None:
        digest = hash_secret(secret)
        moment = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit[0] > moment:
            return hit[1], hit[2]
        key = self.store.key_by_hash(digest)
        if key is None or not hmac.compare_digest(key.key_hash, digest) or not key.active:
            return None
        project = self.store.project_by_id(key.project_id)
        if project is None:
            return None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (moment + AUTH_CACHE_SECONDS, key, project)
        return key, project

    def revoke(self, key_id: str) -> bool:
        """Revoke the key (its dashboard sessions end with it); False: no active key."""
        with self._lock:
            self._cache.clear()  # this process stops trusting it at once
        return self.store.revoke_key(key_id, self.clock())

    def keys_of(self, project: Project) -> list[ApiKey]:
        """The project's keys, revoked ones included, oldest first."""
        return self.store.list_keys(project.id)

    def revoke_in(self, project: Project, key_id: str) -> bool:
        """Revoke a key of ``project`` only; False when it has no active key ``key_id``."""
        if not any(k.id == key_id and k.active for k in self.store.list_keys(project.id)):
            return False
        return self.revoke(key_id)

    def use_due(self, key: ApiKey) -> bool:
        """Whether the key's use should be recorded now (not recorded in the last
        ``USE_RECORD_SECONDS`` by this process): a dictionary lookup."""
        last = self._recorded.get(key.id)
        return last is None or time.monotonic() - last >= USE_RECORD_SECONDS

    def record_use(self, key: ApiKey) -> None:
        """Write the key's last use (call when :meth:`use_due`; a write)."""
        with self._lock:
            if len(self._recorded) > 10_000:
                self._recorded.clear()
            self._recorded[key.id] = time.monotonic()
        self.store.mark_key_used(key.id, self.clock())

    def project(self, name: str) -> Project:
        project = self.store.project_by_name(name)
        if project is None:
            raise AccessError(f"no project named {name!r}")
        return project

    def list_projects(self) -> list[Project]:
        return self.store.list_projects()

    def list_keys(self, project_name: str | None = None) -> list[ApiKey]:
        if project_name is None:
            return self.store.list_keys()
        return self.store.list_keys(self.project(project_name).id)

    def configure_project(self, name: str, *, reject_unresolved_places: bool) -> Project:
        project = replace(self.project(name), reject_unresolved_places=reject_unresolved_places)
        self.store.update_project(project)
        return project
