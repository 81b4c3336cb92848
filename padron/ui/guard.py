"""The session dependency and CSRF check that every signed-in page goes through.

Wrap a page handler ``async def handler(ui, request, session)`` with
:func:`signed_in`: a request without a live session is sent to the sign-in
page (a GET comes back to where it was going afterwards); a POST must carry
the session's CSRF token in its ``csrf`` field, else it is refused with a page
saying so and changes nothing; a request whose ``Origin`` is another site is
refused outright. The form fields of a POST are in ``request.state.form``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import parse_qsl, quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from padron.access.sessions import Active, csrf_matches
from padron.errors import PadronError
from padron.ui.site import Dashboard

#: Where the dashboard is served.
PREFIX: Final = "/ui"
#: The session cookie (the token; HttpOnly, SameSite=Strict, Path=/ui).
COOKIE: Final = "padron_session"
#: Bytes a dashboard form may send (the forms hold a few short fields).
MAX_FORM_BYTES: Final = 64 * 1024
MAX_FORM_FIELDS: Final = 50

Handler = Callable[[Dashboard, Request, Active], Awaitable[Response]]
Endpoint = Callable[[Dashboard, Request], Awaitable[Response]]


class FormRefused(PadronError):
    """A form body that is too large or not a form (answered 400/413 by the guard)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an ``application/x-www-form-urlencoded`` body (the last of a
    repeated name wins; ``getall`` needs are met by ``request.state.form_pairs``).

    :raises FormRefused: another content type, or more than ``MAX_FORM_BYTES``.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise FormRefused(400, "this page takes a form sent by the dashboard's own pages")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormRefused(413, "the form is too large")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            strict_parsing=False,
        )
    except (UnicodeDecodeError, ValueError):
        raise FormRefused(400, "the form could not be read") from None
    request.state.form_pairs = pairs
    return dict(pairs)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site
    (``Origin`` or, for a POST without it, ``Referer`` naming another host than
    ``Host`` or, behind a reverse proxy that rewrites ``Host``,
    ``X-Forwarded-Host``). A second wall behind SameSite cookies and CSRF tokens:
    a page of another site cannot set these headers."""
    hosts = {request.headers.get("host", "")}
    hosts.update(h.strip() for h in request.headers.get("x-forwarded-host", "").split(","))
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        return urlsplit(origin).netloc in hosts
    referer = request.headers.get("referer")
    if request.method == "POST" and referer:
        return urlsplit(referer).netloc in hosts
    return True


def sign_in_url(request: Request) -> str:
    """The sign-in page, returning to this page (a GET) afterwards."""
    if request.method != "GET":
        return f"{PREFIX}/sign-in"
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{PREFIX}/sign-in?next={quote(target, safe='')}"


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a dashboard path only (never another site)."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and "\\" not in target
        and urlsplit(target).netloc == ""
    ):
        return target
    return PREFIX + "/"


def refused(
    ui: Dashboard, request: Request, session: Active | None, status: int, why: str
) -> Response:
    """A page that says why the request was refused (nothing was changed)."""
    return ui.pages.render(request, "refused.html", {"why": why}, session=session, status=status)


async def checked_form(
    ui: Dashboard, request: Request, session: Active, why: str
) -> Response | None:
    """Read a POSTed form and check its CSRF token against ``session``: the refusal
    page (``why`` when the token is missing or wrong) if either fails, else None with
    the form in ``request.state.form``."""
    try:
        form = await read_form(request)
    except FormRefused as exc:
        return refused(ui, request, session, exc.status, exc.message)
    if not csrf_matches(session.csrf, form.get("csrf")):
        return refused(ui, request, session, 403, why)
    request.state.form = form
    return None


def signed_in(handler: Handler) -> Endpoint:
    """The page ``handler`` behind a session (and, for POST, a CSRF token)."""

    @functools.wraps(handler)
    async def endpoint(ui: Dashboard, request: Request) -> Response:
        if not same_origin(request):
            return refused(ui, request, None, 403, "This request came from another site.")
        session = await run_in_threadpool(ui.sessions.find, request.cookies.get(COOKIE))
        if session is None:
            return RedirectResponse(sign_in_url(request), status_code=303)
        if request.method == "POST":
            refusal = await checked_form(
                ui,
                request,
                session,
                "This form did not carry the token of your session (it is from an older "
                "session, or from another site), so nothing was changed. Go back, reload "
                "the page and send it again.",
            )
            if refusal is not None:
                return refusal
        return await handler(ui, request, session)

    return endpoint
