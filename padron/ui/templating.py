"""The dashboard's Jinja2 templates: every value escaped, numbers and times for people.

Autoescaping is on for every template (they are all HTML): whatever a client
stored (a code, a city, metadata) is text on the page, never markup. Nothing
in the templates marks data ``|safe``. Every answer carries a Content Security
Policy that allows scripts and styles from padron's own ``/ui/static/`` only
(no inline script), a second wall should a value ever slip through.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import jinja2
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from padron.access.sessions import Active

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
STATIC: Final = Path(__file__).resolve().parent / "static"

#: Headers of every dashboard page.
PAGE_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

GENDERS: Final = {0: "unknown", 1: "male", 2: "female", 3: "other"}


def number(value: int | float | None) -> str:
    """``1234567`` → ``1,234,567``; a float keeps one decimal; None → an en dash."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def percent(part: int | float, whole: int | float) -> str:
    """``part`` of ``whole`` as a percentage with one decimal (``0.0 %`` when whole is 0)."""
    share = 100.0 * part / whole if whole else 0.0
    return f"{share:.1f} %"


def when(epoch: int | None) -> str:
    """Epoch seconds as ``2026-12-01 01:23 UTC``; None → ``never``."""
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(epoch: int | None) -> str:
    """Epoch seconds as ISO 8601 (a ``<time datetime>``); None → ``""``."""
    return "" if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


def pretty_json(text: str | None) -> str:
    """Stored metadata (compact JSON text) indented for reading; as stored when
    it does not parse. Escaped by the template like any other text."""
    if text is None:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=False)
    except ValueError:
        return text


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, percent=percent, when=when, iso=iso, pretty_json=pretty_json)
    env.globals["genders"] = GENDERS
    return env


class Pages:
    """Renders a template into a page answer with the dashboard's headers."""

    def __init__(self) -> None:
        self.templates = Jinja2Templates(env=environment())

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        *,
        session: Active | None = None,
        status: int = 200,
        section: str = "",
        background: BackgroundTask | None = None,
    ) -> Response:
        """The page ``name`` (a file of ``templates/``) filled with ``context``.

        Every template sees ``session`` (None on the sign-in page), ``csrf`` (the
        session's CSRF token, for hidden fields), ``project`` and ``section``
        (the nav entry to mark as the current page).
        """
        values: dict[str, Any] = {
            "session": session,
            "csrf": session.csrf if session is not None else "",
            "project": session.project if session is not None else None,
            "section": section,
            **(context or {}),
        }
        return self.templates.TemplateResponse(
            request,
            name,
            values,
            status_code=status,
            headers=PAGE_HEADERS,
            background=background,
        )
