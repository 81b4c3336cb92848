"""``padron serve``: bind, load, announce "ready" once the port is served, drain on SIGTERM.

The order of a start is: settings checked (ConfigError: one line, exit 2) →
the address bound (a port in use is the same kind of error, before anything
slow) → the place index and the database opened → uvicorn listening → one
"ready" line naming the address actually bound (``--port 0`` picks a free
port and says which).

On SIGTERM or SIGINT the listening socket first stops taking new handshakes
(a socket filter that drops SYNs, so a client trying to connect is refused or
retries instead of being accepted and then reset; handshakes already under
way complete), the connections in the accept queue are taken and served
(the queue is watched until it stays empty), and then
uvicorn's graceful shutdown lets the requests in flight finish, up to
``DRAIN_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import socket
import sys
from collections.abc import Callable
from typing import Any, Final

import uvicorn

from padron import __version__
from padron.config import ConfigError, Settings

log = logging.getLogger("padron")

#: Seconds the requests in flight get to finish after SIGTERM before they are cancelled.
DRAIN_SECONDS: Final = 10
#: Time for the event loop to take the connections that were already queued:
#: at least the first, while the queue is not empty at most the second (seconds).
_BACKLOG_GRACE: Final = 0.05
_BACKLOG_LIMIT: Final = 2.0
_SO_ATTACH_FILTER: Final = 26  # Linux <asm-generic/socket.h>


def address_of(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    """The family and address uvicorn would bind: IPv6 when the host has a colon."""
    return (socket.AF_INET6 if ":" in host else socket.AF_INET), (host, port)


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A socket bound to host:port (not yet listening); ConfigError when that fails."""
    family, address = address_of(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        why = exc.strerror or str(exc)
        raise ConfigError(f"cannot listen on {host}:{port}: {why} (--host, --port)") from None
    return sock


def bound_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [
        ("len", ctypes.c_uint16),
        ("filter", ctypes.POINTER(_SockFilter)),
    ]


def refuse_new_connections(sock: socket.socket) -> bool:
    """Drop every SYN that reaches the listening socket from now on, so that the
    kernel starts no handshake that nobody would accept. The last packet of a
    handshake already under way (an ACK) still passes, and so does every packet
    of a connection it completes (its socket inherits the filter): dropping
    those left connections half-open, to be reset when the socket closed.
    False where the platform has no socket filters."""
    program = (_SockFilter * 4)(
        _SockFilter(0x30, 0, 0, 13),  # BPF_LD|BPF_B|BPF_ABS: the TCP header's flags byte
        _SockFilter(0x45, 0, 1, 0x02),  # BPF_JMP|BPF_JSET|BPF_K: SYN set?
        _SockFilter(0x06, 0, 0, 0),  # BPF_RET|BPF_K 0: drop
        _SockFilter(0x06, 0, 0, 0xFFFFFFFF),  # BPF_RET|BPF_K: keep the whole packet
    )
    fprog = _SockFprog(len(program), program)
    try:
        sock.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER, bytes(fprog))
    except OSError:
        return False
    return True


def queued(sock: socket.socket) -> int:
    """Connections waiting in the listening socket's accept queue (Linux: the
    ``tcpi_unacked`` field of its ``TCP_INFO``), 0 where that cannot be read."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    except (OSError, AttributeError):
        return 0
    # struct tcp_info: eight u8 fields, then u32 rto, ato, snd_mss, rcv_mss, unacked
    return int.from_bytes(info[24:28], sys.byteorder) if len(info) >= 28 else 0


class Server(uvicorn.Server):
    """uvicorn's server that calls ``on_ready`` once it listens and drains on shutdown."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        # uvicorn raises the signal again once it has shut down, which ends the
        # process "killed by SIGTERM"; a server that drained cleanly exits 0.
        self._captured_signals.clear()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for sock in sockets or ():
            with contextlib.suppress(OSError):
                refuse_new_connections(sock)
        await asyncio.sleep(_BACKLOG_GRACE)
        waited = _BACKLOG_GRACE
        while waited < _BACKLOG_LIMIT and any(queued(sock) for sock in sockets or ()):
            await asyncio.sleep(0.01)
            waited += 0.01
        await super().shutdown(sockets=sockets)


def uvicorn_options(settings: Settings, level: str) -> dict[str, Any]:
    """The uvicorn.Config keywords padron serves with (logging stays padron's own)."""
    from padron.api.limits import LimitedHttpToolsProtocol

    return {
        "log_level": "debug" if level == "debug" else "warning",
        "log_config": None,
        "access_log": False,  # padron's access log is its own middleware
        # httptools with a bound on the request head (uvicorn reads heads of any size).
        "http": LimitedHttpToolsProtocol,
        "loop": "uvloop",
        "timeout_graceful_shutdown": DRAIN_SECONDS,
        "timeout_keep_alive": settings.keepalive_timeout,
        "server_header": False,  # no version disclosure
    }


def ready_line(started: float, url: str, database_url: str, now: float) -> str:
    from padron.cli import _redact

    return (
        f"padron {__version__} ready in {now - started:.2f} s: {url} "
        f"(database {_redact(database_url)})"
    )


def serve(settings: Settings, started: float, level: str = "info") -> int:
    """Run ``padron serve`` until SIGTERM/SIGINT; the exit status.

    Raises ConfigError / StoreError for set-up mistakes (the caller prints one line).
    """
    import time

    from padron.api.app import create_app
    from padron.api.connections import configure_process
    from padron.runtime import open_runtime

    options = uvicorn_options(settings, level)
    if settings.workers > 1:
        from padron.api.workers import run_workers

        return run_workers(settings, options, started)
    sock = bind(settings.host, settings.port)
    try:
        configure_process(settings)
        runtime = open_runtime(settings, build_index=True)
        from padron.customers.reresolve import behind, index_id

        first = runtime.access.ensure_first_key()
        # (after the first key: a project made now is resolved with this index)
        for line in behind(runtime.store, index_id(runtime.resolver)):
            print(line, flush=True)
        url = bound_url(sock)
        print_first_key(first, url)

        def announce() -> None:
            print(ready_line(started, url, settings.database_url, time.perf_counter()), flush=True)

        server = Server(uvicorn.Config(create_app(runtime), **options), announce)
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def print_first_key(first: Any, url: str | None = None) -> None:
    """Print the first project's key, made on an empty database (None: nothing to
    say), and where to sign in to the dashboard with it (``url``: the server's)."""
    if first is not None:
        print(f"Created project {first.project.name!r} ({first.project.id}) and its first API key")
        print("(shown once; keep it — `padron keys create` makes more):")
        if url is not None:
            print(f"Sign in to the dashboard with it at {url}/ui/sign-in")
        print(first.secret, flush=True)
    sys.stdout.flush()
