"""``padron serve --workers N``: N server processes, each accepting on its own socket.

uvicorn's multi-worker mode binds one socket in the parent and shares it, and
whichever worker wakes first accepts every connection waiting at that moment:
a client that opens its keep-alive connections together (an importer, a load
test) had all of them on one worker while the others idled (measured: one
worker at 0.87 of a core, the other at 0). Here every worker binds the address
itself with ``SO_REUSEPORT`` and the kernel spreads new connections over the
workers by a hash of the client's address and port.

``SO_REUSEPORT`` would also let a second padron bind a port that one already
serves, so the parent first binds the address without it: a port in use is
an error, as with one worker.

The parent only supervises. It restarts a worker that dies after it started;
a worker that fails to start stops the whole server (the next attempt would
fail alike). On SIGINT or SIGTERM it asks every worker to finish (uvicorn's
graceful shutdown) and waits. A worker whose parent vanished (SIGKILL) stops
by itself, so no orphan keeps serving the port.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Any, Final

from padron.api.metrics import MULTIPROC_ENV, worker_gone
from padron.api.server import Server, bind
from padron.config import Settings

#: Seconds a worker may take to finish its requests after SIGTERM before it is killed
#: (the drain time and a margin for the shutdown itself).
STOP_TIMEOUT: Final = 12.0
_SPAWN = multiprocessing.get_context("spawn")


def check_port_free(host: str, port: int) -> int:
    """The port to serve (``port``, or a free one for 0); ConfigError when it is in use."""
    with bind(host, port) as probe:
        return int(probe.getsockname()[1])


def _worker(
    settings: Settings, options: dict[str, Any], ready: Event, parent: Connection, level: str
) -> None:
    import uvicorn

    from padron import logs
    from padron.api.app import create_app
    from padron.api.connections import configure_process
    from padron.runtime import open_runtime

    configure_process(settings)
    logs.configure(level)
    sock = bind(settings.host, settings.port, reuse_port=True)
    runtime = open_runtime(settings, build_index=False)
    server = Server(uvicorn.Config(create_app(runtime), **options), lambda: None)

    def watch_parent() -> None:
        with contextlib.suppress(EOFError):
            parent.recv()  # nothing is ever sent: returns when the parent is gone
        server.should_exit = True

    def announce() -> None:
        # Ready once uvicorn listens, not before: until then every new
        # connection goes to the workers that already do.
        while not server.started and not server.should_exit:
            time.sleep(0.01)
        if server.started:
            ready.set()

    threading.Thread(target=watch_parent, name="padron-parent-watch", daemon=True).start()
    threading.Thread(target=announce, name="padron-announce", daemon=True).start()
    server.run(sockets=[sock])


class _Worker:
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.ready = _SPAWN.Event()
        receiving, self._sending = _SPAWN.Pipe(duplex=False)
        level = logging.getLevelName(logging.getLogger().level).lower()
        self.process: BaseProcess = _SPAWN.Process(
            target=_worker,
            args=(settings, options, self.ready, receiving, level),
            name="padron-worker",
        )
        self.process.start()
        receiving.close()

    def stop(self) -> None:
        if self.process.pid is not None and self.process.exitcode is None:
            os.kill(self.process.pid, signal.SIGTERM)

    def finish(self) -> None:
        self.process.join(STOP_TIMEOUT)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self._sending.close()


def run_workers(settings: Settings, options: dict[str, Any], started: float) -> int:
    """Serve with ``settings.workers`` processes until SIGINT/SIGTERM; the exit status.

    The place index must exist (or ship with padron) before the workers start:
    it is built here, once, when it is missing. Raises ConfigError when the
    port is in use.
    """
    from padron.api.server import ready_line
    from padron.customers.reresolve import behind, file_index_id
    from padron.geo.provision import ensure_index
    from padron.store import open_store

    port = check_port_free(settings.host, settings.port)
    settings = dataclasses.replace(settings, port=port)
    # The workers add up their metrics in files of one folder (prometheus-client's
    # multiprocess mode), made fresh for this run and removed after it.
    metrics_dir = tempfile.TemporaryDirectory(prefix="padron-metrics-")
    os.environ[MULTIPROC_ENV] = metrics_dir.name
    index = ensure_index(settings.data_dir)
    store = open_store(settings.database_url)  # migrations, and the first key, once
    try:
        _first_key_of(store, settings.url)
        for line in behind(store, file_index_id(index)):
            print(line, flush=True)
    finally:
        store.close()
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    workers = [_Worker(settings, options) for _ in range(settings.workers)]
    status = 0
    announced = False
    try:
        while not stopping.wait(0.05 if not announced else 0.5):
            if not announced and all(w.ready.is_set() for w in workers):
                announced = True
                print(
                    ready_line(started, settings.url, settings.database_url, time.perf_counter())
                    + f"; {len(workers)} workers serving",
                    flush=True,
                )
            for i, worker in enumerate(workers):
                if worker.process.is_alive():
                    continue
                worker.finish()
                if not worker.ready.is_set():
                    print(
                        f"padron: a worker failed to start (exit code {worker.process.exitcode})",
                        file=sys.stderr,
                    )
                    status = 1
                    stopping.set()
                    break
                print(f"padron: worker {worker.process.pid} died; starting another", flush=True)
                if worker.process.pid is not None:
                    worker_gone(worker.process.pid)
                workers[i] = _Worker(settings, options)
                time.sleep(0.1)  # a worker that dies at once must not spin the parent
    finally:
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.finish()
        metrics_dir.cleanup()
    return status


def _first_key_of(store: Any, url: str) -> None:
    from padron.access import Access
    from padron.api.server import print_first_key

    print_first_key(Access(store).ensure_first_key(), url)
