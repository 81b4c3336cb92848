"""Signing in with an API key that has the ``dashboard`` permission, and out.

``GET /ui/sign-in`` shows the form; ``POST /ui/sign-in`` checks the key,
opens a server-side session (:mod:`padron.access.sessions`) and sets its
cookie: ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's
page sends it), ``Secure`` when the request came over TLS, ``Path=/ui``.
Failed sign-ins count against the client address in the API's throttle: after
too many, the address waits before it may try again (429). The sign-in form
itself carries a token matched against a cookie of its own (double submit), so
that another site cannot sign a browser in to its own project.
``POST /ui/sign-out`` deletes the session.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from padron.access.sessions import Active, SignInRefused, csrf_matches
from padron.ui.guard import (
    COOKIE,
    PREFIX,
    FormRefused,
    checked_form,
    read_form,
    refused,
    safe_next,
    same_origin,
)
from padron.ui.site import Dashboard

#: The sign-in form's own token (double submit), for the form only.
SIGN_IN_COOKIE: Final = "padron_sign_in"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _form_page(
    ui: Dashboard, request: Request, *, status: int = 200, error: str = "", next_page: str = ""
) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or ""
    if len(token) != 43:
        token = secrets.token_urlsafe(32)
    response = ui.pages.render(
        request,
        "sign_in.html",
        {"error": error, "form_token": token, "next_page": safe_next(next_page)},
        status=status,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


async def sign_in_form(ui: Dashboard, request: Request) -> Response:
    """``GET /ui/sign-in``: the form (or the dashboard, when already signed in)."""
    session = await run_in_threadpool(ui.sessions.find, request.cookies.get(COOKIE))
    if session is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _form_page(ui, request, next_page=request.query_params.get("next", ""))


async def sign_in(ui: Dashboard, request: Request) -> Response:
    """``POST /ui/sign-in``: a session for a key with ``dashboard``, or the form again."""
    if not same_origin(request):
        return refused(ui, request, None, 403, "This request came from another site.")
    try:
        form = await read_form(request)
    except FormRefused as exc:
        return refused(ui, request, None, exc.status, exc.message)
    next_page = form.get("next", "")
    if not csrf_matches(request.cookies.get(SIGN_IN_COOKIE) or "-", form.get("form_token")):
        return _form_page(
            ui,
            request,
            status=403,
            error="The sign-in form had expired; it has been renewed: paste the key again.",
            next_page=next_page,
        )
    address = request.client.host if request.client else ""
    try:
        session: Active = await run_in_threadpool(ui.sessions.sign_in, form.get("key", ""))
    except SignInRefused as exc:
        if exc.reason != "unknown_key":
            return _form_page(ui, request, status=403, error=exc.description, next_page=next_page)
        wait = ui.throttle.wait(address)
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            response = _form_page(
                ui,
                request,
                status=429,
                error=f"Too many failed sign-ins from this address; try again in {seconds} s.",
                next_page=next_page,
            )
            response.headers["Retry-After"] = str(seconds)
            return response
        ui.throttle.failed(address)
        return _form_page(ui, request, status=401, error=exc.description, next_page=next_page)
    response = RedirectResponse(safe_next(next_page), status_code=303)
    response.set_cookie(
        COOKIE,
        session.token,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


async def sign_out(ui: Dashboard, request: Request) -> Response:
    """``POST /ui/sign-out``: the session ends (CSRF-checked: another site cannot
    sign you out)."""
    if not same_origin(request):
        return refused(ui, request, None, 403, "This request came from another site.")
    token = request.cookies.get(COOKIE)
    session = await run_in_threadpool(ui.sessions.find, token)
    if session is not None:
        refusal = await checked_form(
            ui, request, session, "This sign-out form did not carry your session's token."
        )
        if refusal is not None:
            return refusal
        await run_in_threadpool(ui.sessions.sign_out, session.token)
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
    return response


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [
        Route("/sign-in", partial(sign_in_form, ui), methods=["GET"]),
        Route("/sign-in", partial(sign_in, ui), methods=["POST"]),
        Route("/sign-out", partial(sign_out, ui), methods=["POST"]),
    ]
