"""Who is asking: the API key, the API version, the key's permission and its rate.

Every keyed route starts with :meth:`Gate.authorize`; the checks run in the
order API.md gives (key missing or unknown 401, version 400, permission 403,
rate 429), so that a request learns the first thing it got wrong.
"""

from __future__ import annotations

from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from padron.access import Access
from padron.api.errors import Refusal
from padron.api.ratelimit import RateLimiter
from padron.api.throttle import AuthThrottle
from padron.customers.model import ApiKey, Project

API_VERSIONS: Final = ("1.0.0",)
LATEST_MAJOR: Final = 1
ROLES: Final = ["ROLE_API_USER"]

#: The key of a request and the project it belongs to.
Authorized = tuple[ApiKey, Project]


def served_versions() -> str:
    return ", ".join(API_VERSIONS) + f" (send X-API-Version: {LATEST_MAJOR})"


class Gate:
    """Authenticates requests against ``access``, rate-limits them per key and
    throttles addresses that keep failing to authenticate."""

    def __init__(self, access: Access, limiter: RateLimiter, throttle: AuthThrottle) -> None:
        self.access = access
        self.limiter = limiter
        self.throttle = throttle

    async def authorize(self, request: Request, permission: str | None) -> Authorized:
        """The key and project of ``request``; ``permission`` None: any valid key.

        :raises Refusal: 429 ``rate_limited`` (an address that keeps failing), 401
            ``invalid_api_key``, 400 ``api_version_required`` /
            ``unsupported_api_version``, 403 ``permission_denied``, 429 ``rate_limited``.
        """
        secret = request.headers.get("x-api-key")
        found = None
        if secret:
            found = self.access.cached(secret)
            if found is None:
                found = await run_in_threadpool(self.access.authenticate, secret)
        if found is None:
            self._refuse_unknown(request, secret)
        assert found is not None
        _check_version(request.headers.get("x-api-version"))
        key, _ = found
        if permission is not None and permission not in key.permissions:
            raise Refusal(
                403,
                "permission_denied",
                f"this API key lacks the permission {permission!r}; use a key that has it "
                f"(padron keys create --permissions {permission})",
            )
        if self.access.use_due(key):  # at most once a minute per key and process
            await run_in_threadpool(self.access.record_use, key)
        wait = self.limiter.acquire(key.id)
        if wait > 0:
            raise _rate_limited(wait, "requests for this key")
        return found

    def _refuse_unknown(self, request: Request, secret: str | None) -> None:
        """:raises Refusal: 429 when this address keeps failing (a valid key always
        passes), else 401 ``invalid_api_key`` (counted against the address)."""
        address = request.client.host if request.client else ""
        wait = self.throttle.wait(address)
        if wait > 0:
            raise _rate_limited(wait, "failed authentications from this address")
        self.throttle.failed(address)
        if not secret:
            raise Refusal(
                401, "invalid_api_key", "send the project's API key in the X-API-Key header"
            )
        raise Refusal(
            401,
            "invalid_api_key",
            "the API key is not valid (unknown or revoked); send a valid key of the project "
            "(padron keys create makes one)",
        )


def _check_version(version: str | None) -> None:
    """:raises Refusal: 400 when the X-API-Version header is missing or not served."""
    if version is None or not version.strip():
        raise Refusal(
            400,
            "api_version_required",
            "send the X-API-Version header; served: " + served_versions(),
        )
    if version.strip().split(".")[0] != str(LATEST_MAJOR):
        raise Refusal(
            400,
            "unsupported_api_version",
            f"API version {version.strip()[:20]!r} is not served; served: " + served_versions(),
        )


def _rate_limited(wait: float, what: str) -> Refusal:
    """The 429 ``rate_limited`` refusal for too many ``what``: ``Retry-After`` is
    ``wait`` (seconds) rounded up to whole seconds, at least 1."""
    seconds = max(1, int(wait + 0.999))
    return Refusal(
        429,
        "rate_limited",
        f"too many {what}; retry in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )
