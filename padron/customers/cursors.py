"""Opaque cursors: a position signed for one project with the database's secret.

A cursor is URL-safe base64 of ``kind · position · MAC`` where the MAC is the
first 16 bytes of HMAC-SHA256 over (project id, kind, position) with a random
key made once per database (``padron_secrets``). A cursor edited by hand,
made by another padron, or taken from another project's answers fails the MAC
and is refused; one of the list is refused by the change feed and the other
way round (``kind``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Final

from padron.errors import PadronError

LIST: Final = b"L"
CHANGES: Final = b"C"
#: A page of a project's place aliases (``GET /locations/aliases``).
ALIASES: Final = b"A"
_KIND_NAMES: Final = {LIST: "customer list", CHANGES: "change feed", ALIASES: "alias list"}
_MAC_BYTES: Final = 16
#: Longer than any cursor padron makes (a 255-character code is at most 1,020
#: bytes of UTF-8): refused before any decoding work.
MAX_LENGTH: Final = 1500


class InvalidCursor(PadronError, ValueError):
    """The cursor is not one this database made for this project and purpose."""


def _mac(secret: bytes, project_id: str, kind: bytes, position: bytes) -> bytes:
    message = project_id.encode("utf-8") + b"\x00" + kind + position
    return hmac.new(secret, message, hashlib.sha256).digest()[:_MAC_BYTES]


def seal(secret: bytes, project_id: str, kind: bytes, position: str) -> str:
    """The cursor of ``position`` (a code, or a change number in decimal)."""
    raw = position.encode("utf-8", "surrogatepass")
    blob = kind + raw + _mac(secret, project_id, kind, raw)
    return base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")


def unseal(secret: bytes, project_id: str, kind: bytes, cursor: str) -> str:
    """The position inside ``cursor``; raises :class:`InvalidCursor`."""
    if not cursor or len(cursor) > MAX_LENGTH:
        raise InvalidCursor("the cursor is not one padron made")
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("the cursor is not one padron made") from None
    # Only the canonical spelling: base64 ignores the low bits of the last
    # character, and an edited cursor must not pass for the original.
    if len(blob) < 1 + _MAC_BYTES or base64.urlsafe_b64encode(blob).decode().rstrip("=") != cursor:
        raise InvalidCursor("the cursor is not one padron made")
    got_kind, raw, mac = blob[:1], blob[1:-_MAC_BYTES], blob[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(secret, project_id, got_kind, raw)):
        raise InvalidCursor(
            "the cursor is not one padron made for this project (edited, or from another project)"
        )
    if got_kind != kind:
        raise InvalidCursor(
            f"this cursor belongs to the {_KIND_NAMES.get(got_kind, 'another list')}, not here"
        )
    return raw.decode("utf-8", "surrogatepass")
