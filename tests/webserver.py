"""A real HTTP(S) server on 127.0.0.1 in a thread, for the outbound tests (webhook
receivers, link targets, feeds).

Routes map a path to a ``Reply`` or to a function of the ``Received`` request returning
one; every request is recorded. Unknown paths answer 404.

    with WebServer({"/hook": Reply(200, b"ok")}) as server:
        fetch(server.url("/hook"), allow_hosts=frozenset({"127.0.0.1"}))
        assert server.received[0].path == "/hook"
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    chunks: int = 0  # send the body in this many pieces without Content-Length


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


Route = Reply | Callable[[Received], Reply]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up mid-answer (a size cap, a link check that reads no body)
        is no error here; socketserver would print a traceback to stderr."""


class WebServer:
    def __init__(
        self, routes: dict[str, Route] | None = None, *, tls: ssl.SSLContext | None = None
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.received: list[Received] = []
        self._tls = tls
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(self.command, self.path, dict(self.headers.items()), body)
                server.received.append(request)
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    reply = Reply(404, b"not found")
                elif isinstance(route, Reply):
                    reply = route
                else:
                    reply = route(request)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunks:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    size = max(1, len(reply.body) // reply.chunks)
                    for start in range(0, len(reply.body), size):
                        try:
                            self.wfile.write(reply.body[start : start + size])
                            self.wfile.flush()
                        except OSError:
                            return
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        self.wfile.write(reply.body)
                    except OSError:  # the client stopped reading (a size cap, a link check)
                        self.close_connection = True

            do_GET = do_POST = do_HEAD = do_PUT = _handle  # noqa: N815

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def start(self) -> WebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
