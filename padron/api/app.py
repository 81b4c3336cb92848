"""The ASGI application: routes of API.md over the customer service."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from padron.api import envelopes, metrics, operations, reading
from padron.api.budget import BodyBudget, BufferFull
from padron.api.codings import ContentCodings
from padron.api.envelopes import JSONBody, error
from padron.api.headers import SecurityHeaders
from padron.api.health import Health
from padron.api.limits import TransportLimits
from padron.api.openapi import openapi_endpoint
from padron.api.paths import RequestTarget
from padron.api.ratelimit import RateLimiter
from padron.api.throttle import AuthThrottle
from padron.customers.decode import BodyError, decode_customers
from padron.customers.model import ApiKey, Project, Written
from padron.customers.service import QuotaExceeded, Rejected, problem_from
from padron.geo.types import OMITTED, Sent
from padron.ids import iso, now
from padron.runtime import Runtime
from padron.store.base import StoreError

log = logging.getLogger("padron.api")

API_VERSIONS: Final = ("1.0.0",)
LATEST_MAJOR: Final = 1
ROLES: Final = ["ROLE_API_USER"]

Handler = Callable[[Request], Awaitable[Response]]
Authorized = tuple[ApiKey, Project]


def _served_versions() -> str:
    return ", ".join(API_VERSIONS) + f" (send X-API-Version: {LATEST_MAJOR})"


def create_app(runtime: Runtime, *, close_runtime: bool = True) -> Starlette:
    """The app over ``runtime``; it closes the runtime at shutdown unless told not to."""
    settings = runtime.settings
    access = runtime.access
    customers = runtime.customers
    limiter = RateLimiter(settings.rate_limit, settings.rate_burst)
    throttle = AuthThrottle(settings.auth_failures, settings.auth_backoff)
    max_body = settings.max_body_bytes
    inline_reads = runtime.store.inline_reads

    async def authorize(request: Request, permission: str | None) -> Authorized | Response:
        """The key and project of a request, or the error answer. ``permission``
        None: any valid key will do."""
        secret = request.headers.get("x-api-key")
        address = request.client.host if request.client else ""
        found = None
        if secret:
            found = access.cached(secret)
            if found is None:
                found = await run_in_threadpool(access.authenticate, secret)
        if found is None:
            # A valid key always passes; an address that keeps failing waits.
            wait = throttle.wait(address)
            if wait > 0:
                seconds = max(1, int(wait + 0.999))
                return error(
                    429,
                    "rate_limited",
                    f"too many failed authentications from this address; retry in {seconds} s",
                    headers={"Retry-After": str(seconds)},
                )
            throttle.failed(address)
            if not secret:
                return error(
                    401, "invalid_api_key", "send the project's API key in the X-API-Key header"
                )
            return error(
                401,
                "invalid_api_key",
                "the API key is not valid (unknown or revoked); send a valid key of the project "
                "(padron keys create makes one)",
            )
        version = request.headers.get("x-api-version")
        if version is None or not version.strip():
            return error(
                400,
                "api_version_required",
                "send the X-API-Version header; served: " + _served_versions(),
            )
        if version.strip().split(".")[0] != str(LATEST_MAJOR):
            return error(
                400,
                "unsupported_api_version",
                f"API version {version.strip()[:20]!r} is not served; served: "
                + _served_versions(),
            )
        key, _ = found
        if permission is not None and permission not in key.permissions:
            return error(
                403,
                "permission_denied",
                f"this API key lacks the permission {permission!r}; use a key that has it "
                f"(padron keys create --permissions {permission})",
            )
        wait = limiter.acquire(key.id)
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            return error(
                429,
                "rate_limited",
                f"too many requests for this key; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
        return found

    async def read_body(request: Request) -> bytes | Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            return error(
                413,
                "payload_too_large",
                f"the body is over {max_body} bytes; send at most {max_body} "
                "(split a batch in several requests)",
            )
        kind = request.headers.get("content-type")
        if kind is not None:
            media = kind.split(";", 1)[0].strip().lower()
            if media != "application/json" and not media.endswith("+json"):
                return error(
                    415,
                    "unsupported_media_type",
                    "the body must be JSON: send Content-Type: application/json, "
                    f"not {media[:60]!r}",
                )
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                return error(
                    413,
                    "payload_too_large",
                    f"the body is over {max_body} bytes; send at most {max_body} "
                    "(split a batch in several requests)",
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def lookup_query(request: Request) -> tuple[str | None, str | None] | Response:
        code = request.query_params.get("code")
        id_ = request.query_params.get("id")
        if (code is None) == (id_ is None):
            return error(
                400, "invalid_query", "give exactly one of the query parameters code and id"
            )
        if (code if code is not None else id_) == "":
            return error(
                400,
                "invalid_query",
                "the code or id may not be empty; give the customer's code or id",
            )
        return code, id_

    async def post_customers(request: Request) -> Response:
        auth = await authorize(request, "depotIngest")
        if isinstance(auth, Response):
            return auth
        body = await read_body(request)
        if isinstance(body, Response):
            return body
        project = auth[1]

        def decode_and_ingest() -> tuple[list[Written], bool]:
            # Decoding a large body takes milliseconds: off the event loop, with the write.
            objects, batch = decode_customers(body)
            written = customers.ingest(project, objects)
            metrics.record_written(objects, written)
            return written, batch

        try:
            written, batch = await run_in_threadpool(decode_and_ingest)
        except BodyError as exc:
            return error(400, exc.code, exc.description)
        except Rejected as exc:
            metrics.record_rejected(exc.customers)
            return envelopes.rejected(exc.customers)
        if batch:
            return JSONBody(envelopes.ingest_result(written))
        one = written[0]
        return JSONBody(
            envelopes.written_entity(one), status_code=201 if one.outcome == "created" else 200
        )

    async def get_customer(request: Request) -> Response:
        auth = await authorize(request, "depotFetch")
        if isinstance(auth, Response):
            return auth
        if "code" not in request.query_params and "id" not in request.query_params:
            return await reading.list_customers(request, auth[1], customers)
        query = lookup_query(request)
        if isinstance(query, Response):
            return query
        if inline_reads:
            # A SQLite point read by key (tens of µs; WAL readers never wait for the
            # writer) costs less on the event loop than a hop to the threadpool.
            found = customers.get(auth[1], code=query[0], id=query[1])
        else:
            found = await run_in_threadpool(
                lambda: customers.get(auth[1], code=query[0], id=query[1])
            )
        if found is None:
            return error(
                404,
                "customer_not_found",
                "check the code or id: no customer with that "
                + ("code" if query[0] is not None else "id"),
            )
        return JSONBody(envelopes.entity(found))

    async def delete_customer(request: Request) -> Response:
        auth = await authorize(request, "depotDelete")
        if isinstance(auth, Response):
            return auth
        query = lookup_query(request)
        if isinstance(query, Response):
            return query
        gone = await run_in_threadpool(
            lambda: customers.delete(auth[1], code=query[0], id=query[1])
        )
        if gone is None:
            return error(
                404,
                "customer_not_found",
                "check the code or id: no customer with that "
                + ("code" if query[0] is not None else "id"),
            )
        body = envelopes.entity(gone)
        body["deleted"] = True
        return JSONBody(body)

    async def status(request: Request) -> Response:
        auth = await authorize(request, "status")
        if isinstance(auth, Response):
            return auth
        key, project = auth
        return JSONBody(
            {
                "object": "status",
                "payload": {"code": "ok"},
                "availableApiVersions": [
                    {
                        "object": "api_version",
                        "payload": {"version": v, "status": "stable", "isDeprecated": False},
                    }
                    for v in API_VERSIONS
                ],
                "latestStableMajorApiVersion": LATEST_MAJOR,
                "requestMajorApiVersion": LATEST_MAJOR,
                "clientId": key.id,
                "projectId": project.id,
                "roles": ROLES,
                "permissions": list(key.permissions),
                "serverTime": iso(now()),
                "environment": settings.environment,
            }
        )

    async def resolve_location(request: Request) -> Response:
        auth = await authorize(request, None)
        if isinstance(auth, Response):
            return auth
        params = request.query_params
        unknown = sorted(set(params) - {"country", "state", "city"})
        if unknown:
            return error(
                400,
                "invalid_query",
                f"unknown query parameter {unknown[0]!r}; use country, state, city",
            )
        sent: dict[str, Sent] = {f: params.get(f, OMITTED) for f in ("country", "state", "city")}
        # Off the event loop: resolving can take milliseconds that others would wait for.
        result = await run_in_threadpool(
            customers.resolve_location, auth[1], sent["country"], sent["state"], sent["city"]
        )
        if result.errors:
            problems = [problem_from(e) for e in result.errors]
            return JSONBody([envelopes.validation_error(0, None, problems)], status_code=400)
        return JSONBody(envelopes.location(result, runtime.resolver))

    health = Health(runtime.store)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return error(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path[:200]}; use "
                + ((exc.headers or {}).get("Allow") or "another method"),
                headers=exc.headers,
            )
        if exc.status_code == 404:
            return error(
                404,
                "not_found",
                f"no such endpoint: {request.url.path[:200]}; use /customers, /status, "
                "/locations/resolve or /healthz",
            )
        return error(exc.status_code, "http_error", str(exc.detail))

    async def on_store_error(request: Request, exc: Exception) -> Response:
        metrics.record_database_error()
        log.error("storage unavailable: %s", exc)
        return error(
            503,
            "unavailable",
            "the storage is unavailable; retry later",
            headers={"Retry-After": "1"},
        )

    async def on_buffer_full(request: Request, exc: Exception) -> Response:
        log.warning("request bodies held: %s", exc)
        return error(
            503,
            "unavailable",
            "the server holds too many request bodies at once; retry later",
            headers={"Retry-After": "1"},
        )

    async def on_quota(request: Request, exc: Exception) -> Response:
        return error(403, "quota_exceeded", str(exc))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error(500, "internal_error", "an internal error occurred; it has been logged")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            health.close()
            if close_runtime:
                runtime.close()

    by_method = {"POST": post_customers, "GET": get_customer, "DELETE": delete_customer}

    async def customers_endpoint(request: Request) -> Response:
        # One route for the three methods, so that a 405 names them all in Allow.
        # (HEAD is answered as GET, as Starlette does for every GET route.)
        method = "GET" if request.method == "HEAD" else request.method
        return await by_method[method](request)

    def fetching(handler: reading.Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            auth = await authorize(request, "depotFetch")
            if isinstance(auth, Response):
                return auth
            return await handler(request, auth[1], customers)

        return endpoint

    routes = [
        Route("/customers", customers_endpoint, methods=list(by_method)),
        Route("/customers/changes", fetching(reading.changes), methods=["GET"]),
        Route("/customers/changes/latest", fetching(reading.latest), methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        Route("/locations/resolve", resolve_location, methods=["GET"]),
        Route("/healthz", health.endpoint, methods=["GET"]),
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        *operations.routes(),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: on_http_error,
        StoreError: on_store_error,
        BufferFull: on_buffer_full,
        QuotaExceeded: on_quota,
        Exception: on_crash,
    }
    app = Starlette(
        routes=routes,
        exception_handlers=handlers,
        lifespan=lifespan,
        middleware=[
            operations.access_log(routes),
            Middleware(SecurityHeaders),
            Middleware(TransportLimits),
            Middleware(RequestTarget, routes=routes),
            Middleware(ContentCodings, max_body=max_body),
            # Inside the decoding: what it counts is what the app holds.
            Middleware(BodyBudget, limit=settings.max_buffered_bytes),
        ],
    )
    app.router.redirect_slashes = False  # RequestTarget routes /customers/; never a 307
    return app
