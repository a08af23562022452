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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kbtool.config import Config
from kbtool.errors import KbtoolError
from kbtool.web.settings import ENVIRONMENT_VARIABLE, ServeSettings

FACTORY = "kbtool.web.app:app_from_environment"
GRACEFUL_SECONDS = 10


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


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host`:`port`; a `ServeError` saying why not."""
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
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
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
    sock.set_inheritable(True)  # handed to the worker processes
    return sock


def log_config(level: str = "INFO") -> dict[str, Any]:
    """uvicorn's logging, with kbtool's server messages in the same format."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "loggers": {**LOGGING_CONFIG["loggers"]},
    }
    config["loggers"]["kbtool.web"] = {"handlers": ["default"], "level": level, "propagate": False}
    return config


def serve(
    settings: ServeSettings,
    listen: Listen,
    *,
    sock: socket.socket | None = None,
    config: Config | None = None,
    watch: bool = False,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM. `sock` is a socket from `bind` (bound here if None);
    with `watch`, `config`'s index is updated as its procedures change (`watcher`)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from kbtool.web.protocol import JsonErrorHttpProtocol

    sock = sock or bind(listen.host, listen.port)
    os.environ[ENVIRONMENT_VARIABLE] = settings.to_json()
    uv_config = uvicorn.Config(
        FACTORY,
        factory=True,
        host=listen.host,
        port=listen.port,
        workers=listen.workers,
        http=JsonErrorHttpProtocol,
        access_log=listen.access_log,
        log_config=log_config(),
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    watcher = None
    if watch:
        from kbtool.web.watcher import IndexWatcher

        assert config is not None, "watching needs the knowledge base's configuration"
        watcher = IndexWatcher(config)
        watcher.start()
    stopped: list[int] = []

    def note_signal(signum: int, frame: object) -> None:
        stopped.append(signum)  # uvicorn re-raises the signal it handled: end quietly here

    previous = {
        sig: signal.signal(sig, note_signal) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        if on_started is not None:
            on_started()
        if listen.workers > 1:
            Multiprocess(uv_config, sockets=[sock]).run()
        else:
            uvicorn.Server(uv_config).run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if watcher is not None:
            watcher.stop()
        sock.close()
