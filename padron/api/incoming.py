"""Reading what a request sends: the body within its limits, the lookup query."""

from __future__ import annotations

from starlette.requests import Request

from padron.api.errors import Refusal


async def read_body(request: Request, max_body: int) -> bytes:
    """The whole body of ``request``, at most ``max_body`` bytes.

    :raises Refusal: 413 ``payload_too_large`` (declared or streamed past the
        limit, read no further), 415 ``unsupported_media_type`` (a Content-Type
        that is not JSON; none at all is taken as JSON).
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body:
        raise Refusal(
            413,
            "payload_too_large",
            f"the body is over {max_body} bytes; send at most {max_body} "
            "(split a batch in several requests)",
        )
    kind = request.headers.get("content-type")
    if kind is not None:
        media = kind.split(";", 1)[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise Refusal(
                415,
                "unsupported_media_type",
                f"the body must be JSON: send Content-Type: application/json, not {media[:60]!r}",
            )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise Refusal(
                413,
                "payload_too_large",
                f"the body is over {max_body} bytes; send at most {max_body} "
                "(split a batch in several requests)",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def lookup_query(request: Request) -> tuple[str | None, str | None]:
    """``(code, id)`` of ``?code=`` or ``?id=``: exactly one is given, and not empty.

    :raises Refusal: 400 ``invalid_query``.
    """
    code = request.query_params.get("code")
    id_ = request.query_params.get("id")
    if (code is None) == (id_ is None):
        raise Refusal(400, "invalid_query", "give exactly one of the query parameters code and id")
    if (code if code is not None else id_) == "":
        raise Refusal(
            400,
            "invalid_query",
            "the code or id may not be empty; give the customer's code or id",
        )
    return code, id_
