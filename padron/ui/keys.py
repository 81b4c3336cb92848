"""The Keys page: the project's API keys, a new one, revoking one.

``GET /ui/keys`` lists the keys of the session's project (label, id,
permissions, created, last used, revoked); ``POST /ui/keys`` makes one and
shows its secret once (the store keeps only its hash); revoking is a
confirmation page and a form. Revoking the key of the session itself ends the
session (and every other session of that key).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from padron.access import AccessError
from padron.access.sessions import Active
from padron.customers.model import PERMISSIONS, ApiKey
from padron.ui.guard import COOKIE, PREFIX, signed_in
from padron.ui.site import Dashboard

MAX_LABEL: Final = 200
#: What each permission lets a key do, as the page explains it.
MEANINGS: Final = {
    "status": "GET /status",
    "depotIngest": "create and update customers (POST)",
    "depotFetch": "read customers, the list and the change feed (GET)",
    "depotDelete": "delete customers (DELETE)",
    "dashboard": "sign in to this dashboard",
}
DONE: Final = {"revoked": "The key was revoked; it no longer works."}


def _page(
    ui: Dashboard,
    request: Request,
    session: Active,
    keys: list[ApiKey],
    *,
    error: str = "",
    status: int = 200,
    label: str = "",
) -> Response:
    context: dict[str, Any] = {
        "keys": sorted(keys, key=lambda k: (not k.active, -k.created_at)),
        "permissions": PERMISSIONS,
        "meanings": MEANINGS,
        "error": error,
        "label": label,
        "done": DONE.get(request.query_params.get("done", ""), ""),
        "max_label": MAX_LABEL,
    }
    return ui.pages.render(
        request, "keys.html", context, session=session, status=status, section="keys"
    )


@signed_in
async def key_list(ui: Dashboard, request: Request, session: Active) -> Response:
    keys = await run_in_threadpool(ui.access.keys_of, session.project)
    return _page(ui, request, session, keys)


@signed_in
async def create_key(ui: Dashboard, request: Request, session: Active) -> Response:
    pairs: list[tuple[str, str]] = request.state.form_pairs
    label = request.state.form.get("label", "").strip()
    chosen = [value for name, value in pairs if name == "permissions"]
    try:
        if len(label) > MAX_LABEL:
            raise AccessError(f"the label may be at most {MAX_LABEL} characters long")
        made = await run_in_threadpool(ui.access.create_key, session.project.name, chosen, label)
    except AccessError as exc:
        keys = await run_in_threadpool(ui.access.keys_of, session.project)
        return _page(ui, request, session, keys, error=str(exc), status=400, label=label)
    return ui.pages.render(
        request,
        "key_created.html",
        {"key": made.key, "secret": made.secret},
        session=session,
        status=201,
        section="keys",
    )


def _key_of(keys: list[ApiKey], key_id: str) -> ApiKey | None:
    return next((k for k in keys if k.id == key_id and k.active), None)


def _no_such_key(ui: Dashboard, request: Request, session: Active) -> Response:
    return ui.pages.render(
        request,
        "refused.html",
        {"title": "No such key", "why": "This project has no active key with this id."},
        session=session,
        status=404,
        section="keys",
    )


@signed_in
async def confirm_revoke(ui: Dashboard, request: Request, session: Active) -> Response:
    keys = await run_in_threadpool(ui.access.keys_of, session.project)
    key = _key_of(keys, str(request.path_params["key_id"]))
    if key is None:
        return _no_such_key(ui, request, session)
    own = key.id == session.key.id
    return ui.pages.render(
        request,
        "confirm.html",
        {
            "title": f"Revoke key {key.label or key.id}",
            "question": f"Revoke the key {key.label or key.id} ({key.id})?",
            "consequence": "Clients that use it are refused from now on; this cannot be undone."
            + (" It is the key you signed in with: you will be signed out." if own else ""),
            "action_url": f"{PREFIX}/keys/{key.id}/revoke",
            "button": "Revoke",
            "cancel_url": f"{PREFIX}/keys",
        },
        session=session,
        section="keys",
    )


@signed_in
async def revoke_key(ui: Dashboard, request: Request, session: Active) -> Response:
    key_id = str(request.path_params["key_id"])
    revoked = await run_in_threadpool(ui.access.revoke_in, session.project, key_id)
    if not revoked:
        return _no_such_key(ui, request, session)
    if key_id == session.key.id:
        response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response
    return RedirectResponse(f"{PREFIX}/keys?done=revoked", status_code=303)


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [
        Route("/keys", partial(key_list, ui), methods=["GET"]),
        Route("/keys", partial(create_key, ui), methods=["POST"]),
        Route("/keys/{key_id}/revoke", partial(confirm_revoke, ui), methods=["GET"]),
        Route("/keys/{key_id}/revoke", partial(revoke_key, ui), methods=["POST"]),
    ]
