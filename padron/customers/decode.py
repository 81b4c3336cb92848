"""Decoding a request body into customer objects.

The standard library's C decoder is used with objects kept as tuples of
(key, value) pairs: it is the one fast decoder that shows duplicate keys
(msgspec and orjson keep the last silently), and a JSON document with a key
twice is something padron refuses rather than guesses about.
"""

from __future__ import annotations

import json
from typing import Any, Final

from padron.errors import PadronError

MAX_BATCH: Final = 100

Obj = tuple[tuple[str, Any], ...]


class BodyError(PadronError):
    """The request as a whole is wrong: ``malformed_json``, ``invalid_body`` or
    ``too_many_customers``."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_decoder: Final = json.JSONDecoder(object_pairs_hook=tuple, parse_constant=_no_constants)


def decode_json(body: bytes) -> Any:
    """Any JSON document, objects as tuples of pairs; BodyError when malformed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(
            "malformed_json",
            f"the body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8 "
            "(a compressed body needs its Content-Encoding header)",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return _decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise BodyError(
            "malformed_json", f"the body is not valid JSON: {exc}; send one JSON object or array"
        ) from None
    except RecursionError:
        raise BodyError(
            "malformed_json",
            "the body is nested too deeply; send metadata nested at most 64 levels",
        ) from None
    except ValueError as exc:  # NaN/Infinity, integers beyond 4300 digits
        raise BodyError(
            "malformed_json", f"the body is not valid JSON: {exc}; send standard JSON"
        ) from None


def decode_customers(body: bytes) -> tuple[list[Obj], bool]:
    """The customer objects of a POST body and whether it was a batch (an array)."""
    if not body.strip():
        raise BodyError(
            "invalid_body", "the body is empty; send a customer object or an array of them"
        )
    doc = decode_json(body)
    if isinstance(doc, tuple):
        return [doc], False
    if not isinstance(doc, list):
        raise BodyError(
            "invalid_body", "the body must be a customer object or an array of 1 to 100 of them"
        )
    if not doc:
        raise BodyError("invalid_body", "the array is empty; send 1 to 100 customers")
    if len(doc) > MAX_BATCH:
        raise BodyError(
            "too_many_customers",
            f"the array has {len(doc)} customers; send at most {MAX_BATCH} per request",
        )
    for i, item in enumerate(doc):
        if not isinstance(item, tuple):
            raise BodyError(
                "invalid_body",
                f"element {i} of the array is not a customer object; send objects such as "
                '{"code": "C1"}',
            )
    return doc, True
