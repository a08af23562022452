"""Running the application under uvicorn: one process, or a supervisor and N workers.

The listening socket is bound here, before uvicorn starts, so that a port in use or an address
this machine does not have is a `ServeError` with a clear message, not a log line and exit 1
from deep inside uvicorn. Workers are started by uvicorn from the import string of the factory
(`app.app_from_environment`), the settings passed in the environment. SIGINT (Ctrl-C) and
SIGTERM stop accepting connections, let requests in progress finish (at most
`GRACEFUL_SECONDS`), close the searchers and return normally.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kbtool.core.errors import KbtoolError
from kbtool.model.config import Config
from kbtool.web.settings import ENVIRONMENT_VARIABLE, ServeSettings

FACTORY = "kbtool.web.app:app_from_environment"
GRACEFUL_SECONDS = 10
#: A worker that ends sooner than this after starting failed to start.
STARTUP_SECONDS = 10.0


class ServeError(KbtoolError):
    """The server cannot start: the port is taken, the address is not this machine's..."""


@dataclass(frozen=True)
class Listen:
    host: str
    port: int
    workers: int = 1
    access_log: bool = False


def is_loopback(host: str) -> bool:
    """True when `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(
        ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos
    )


def bind(host: str, port: int, *, listen: bool = True, reuse_port: bool = False) -> socket.socket:
    """A TCP socket bound to `host`:`port` (listening unless `listen` is False); a
    `ServeError` saying why not.

    With `reuse_port`, bound with SO_REUSEPORT, so that worker processes can each listen on
    the port with their own socket (`serve`): the kernel then spreads new connections over them.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ServeError(
            f"cannot listen on {host!r}: not an address or known host ({exc})"
        ) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        if listen:
            sock.listen(2048)
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} is already in use on {host} (another kbtool serve or mkdocs serve?):"
                f" stop it or choose another port with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise ServeError(
                f"not allowed to listen on {where}: ports below 1024 need privileges; use --port"
                " 8000 behind a reverse proxy"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServeError(f"cannot listen on {where}: not an address of this machine") from None
        raise ServeError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def bind_for(listen: Listen) -> socket.socket:
    """The socket `serve` takes for `listen`: listening for one process; for several, only
    holding the port (each worker listens on its own socket)."""
    if listen.workers == 1:
        return bind(listen.host, listen.port)
    # First alone, so that anything on the port (another kbtool serve's workers too) refuses.
    probe = bind(listen.host, listen.port, listen=False)
    port = probe.getsockname()[1]
    probe.close()
    return bind(listen.host, port, listen=False, reuse_port=True)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging, with kbtool's server messages in the same format."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "loggers": {**LOGGING_CONFIG["loggers"]},
    }
    config["loggers"]["kbtool.web"] = {"handlers": ["default"], "level": level, "propagate": False}
    return config


def _uvicorn_config(listen: Listen) -> Any:
    import uvicorn

    from kbtool.web.protocol import JsonErrorHttpProtocol

    return uvicorn.Config(
        FACTORY,
        factory=True,
        host=listen.host,
        port=listen.port,
        http=JsonErrorHttpProtocol,
        access_log=listen.access_log,
        log_config=log_config(),
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )


def _worker(settings_json: str, listen: Listen) -> None:
    """One worker process: its own SO_REUSEPORT socket on the shared port, one uvicorn."""
    import uvicorn

    os.environ[ENVIRONMENT_VARIABLE] = settings_json
    sock = bind(listen.host, listen.port, reuse_port=True)
    try:
        uvicorn.Server(_uvicorn_config(listen)).run(sockets=[sock])
    finally:
        sock.close()


def serve(
    settings: ServeSettings,
    listen: Listen,
    *,
    sock: socket.socket | None = None,
    config: Config | None = None,
    watch: bool = False,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM. `sock` is a socket from `bind_for(listen)` (bound here
    if None); with `watch`, `config`'s index is updated as its procedures change (`watcher`).

    Several workers are processes of their own, each listening with SO_REUSEPORT, so that
    the kernel spreads connections over them; uvicorn's own supervisor shares one socket, and
    the first worker to wake then takes every connection of a burst (8 clients opening their
    connections together were all served by one worker, the other idle). This supervisor
    restarts a worker that dies, and stops every worker, gracefully, on SIGINT or SIGTERM.
    """
    import uvicorn

    sock = sock or bind_for(listen)
    listen = Listen(listen.host, sock.getsockname()[1], listen.workers, listen.access_log)
    os.environ[ENVIRONMENT_VARIABLE] = settings.to_json()
    watcher = None
    if watch:
        from kbtool.web.watcher import IndexWatcher

        assert config is not None, "watching needs the knowledge base's configuration"
        watcher = IndexWatcher(config)
        watcher.start()
    stop = threading.Event()

    def note_signal(signum: int, frame: object) -> None:
        # uvicorn re-raises the signal it handled when it has stopped: end quietly here.
        stop.set()

    previous = {sig: signal.signal(sig, note_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_started is not None:
            on_started()
        if listen.workers > 1:
            _supervise(settings.to_json(), listen, stop)
        else:
            uvicorn.Server(_uvicorn_config(listen)).run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if watcher is not None:
            watcher.stop()
        sock.close()


def _supervise(settings_json: str, listen: Listen, stop: threading.Event) -> None:
    import logging.config
    import multiprocessing
    import time

    logging.config.dictConfig(log_config())
    log = logging.getLogger("kbtool.web")
    context = multiprocessing.get_context("spawn")

    def start() -> Any:
        process = context.Process(target=_worker, args=(settings_json, listen), daemon=False)
        process.start()
        return process, time.monotonic()

    workers = [start() for _ in range(listen.workers)]
    early_deaths = 0
    try:
        while not stop.wait(0.5):
            for position, (process, started) in enumerate(workers):
                if process.is_alive() or stop.is_set():
                    continue
                early = time.monotonic() - started < STARTUP_SECONDS
                early_deaths = early_deaths + 1 if early else 0
                if early_deaths > listen.workers:
                    raise ServeError("the workers stop as soon as they start: see the log above")
                log.warning(
                    "worker %s ended (exit code %s); starting another",
                    process.pid,
                    process.exitcode,
                )
                workers[position] = start()
    finally:
        for process, _started in workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in progress
        deadline = time.monotonic() + GRACEFUL_SECONDS + 5
        for process, _started in workers:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
