"""``GET /status``: the key's view of the server (``/healthz`` is :mod:`padron.api.health`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from padron.api.auth import API_VERSIONS, LATEST_MAJOR, ROLES
from padron.api.context import Context
from padron.api.envelopes import JSONBody
from padron.ids import iso, now


async def status(ctx: Context, request: Request) -> Response:
    key, project = await ctx.gate.authorize(request, "status")
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
            "environment": ctx.settings.environment,
        }
    )
