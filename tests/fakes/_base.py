"""Common machinery of the fake servers: a threaded stdlib HTTP server on 127.0.0.1.

Subclasses implement ``handle(req) -> Response``. The base adds what every test needs:
start/stop (also as a context manager), an added ``latency``, scripted failures
(``fail_next``: before or after the server acts, or held past the client's timeout), a
request log of ``(method, path, query, body)`` and a stall knob that blocks requests
after N "page" requests (for kill-and-resume tests).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: float | None
    path: str | None
    reason: str | None
    message: str
    method: str | None = None
    after: bool = False
    hang: float = 0.0
    drop: bool = False

    def matches(self, req: Request) -> bool:
        return (
            self.times > 0
            and (self.path is None or req.path.startswith(self.path))
            and (self.method is None or req.method == self.method)
        )


def error(status: int, message: str, reason: str | None = None, **headers: str) -> Response:
    err: dict[str, Any] = {"status": status, "message": message}
    if reason:
        err["reason"] = reason
    return Response(status, {"error": err}, dict(headers))


class FakeServer:
    """Base class; see module docstring."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.stall_after_pages: int | None = None
        self.pages_served = 0
        self._unstall = threading.Event()
        self._stopped = threading.Event()
        self.port = 0

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; without this, Nagle + delayed
            # ACK add ~40 ms to every keep-alive request, which no real server has.
            disable_nagle_algorithm = True

            def _dispatch(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _dispatch  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._unstall.set()
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---------------------------------------------------------------- knobs
    def fail_next(
        self,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        path: str | None = None,
        reason: str | None = None,
        message: str = "scripted failure",
        *,
        method: str | None = None,
        after: bool = False,
        hang: float = 0.0,
        drop: bool = False,
    ) -> None:
        """The next ``times`` requests (whose path starts with ``path``, of ``method``) get
        ``status``.

        By default the server does not act on them (like a 503 from a proxy in front of
        it). ``after=True`` acts first and then answers ``status`` (a 502 after the
        playlist was made). ``hang`` holds the answer that many seconds: with a client
        timeout shorter than that, the client sees a timeout, and ``after`` says whether
        the server acted anyway. ``drop`` closes the connection without any answer (the
        client sees the connection reset).
        """
        with self._lock:
            self._failures.append(
                _Failure(
                    status, times, retry_after, path, reason, message, method, after, hang, drop
                )
            )

    def release(self) -> None:
        """Let stalled requests continue (and stop stalling)."""
        self.stall_after_pages = None
        self._unstall.set()

    def calls(self, prefix: str = "", method: str | None = None) -> list[tuple]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r[1].startswith(prefix) and (method is None or r[0] == method)
            ]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # ---------------------------------------------------------------- serving
    def is_page_request(self, req: Request) -> bool:
        return False

    def handle(self, req: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        url = urlparse(h.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        query_multi = parse_qs(url.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        ctype = h.headers.get("Content-Type", "")
        body: Any = None
        if raw:
            if "application/x-www-form-urlencoded" in ctype:
                body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
        if "ids" in query_multi and len(query_multi["ids"]) > 1:
            query["ids"] = ",".join(query_multi["ids"])
        req = Request(h.command, url.path, query, body, {k: v for k, v in h.headers.items()})
        with self._lock:
            self.requests.append((req.method, req.path, dict(query), body))
            failure = None
            for f in self._failures:
                if f.matches(req):
                    f.times -= 1
                    failure = f
                    break
            self._failures = [f for f in self._failures if f.times > 0]
            stall = False
            if self.is_page_request(req) and failure is None:
                if (
                    self.stall_after_pages is not None
                    and self.pages_served >= self.stall_after_pages
                ):
                    stall = True
                else:
                    self.pages_served += 1
        if self.latency:
            time.sleep(self.latency)
        if stall:
            self._unstall.wait()
        if failure is None or failure.after:
            resp = self._handle_safely(req)
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            resp = error(failure.status, failure.message, failure.reason, **headers)
            if failure.hang:
                self._stopped.wait(failure.hang)
            if failure.drop:
                h.close_connection = True
                return
        self._write(h, resp)

    def _handle_safely(self, req: Request) -> Response:
        try:
            return self.handle(req)
        except Exception as exc:  # a bug in the fake: make it visible as a 500
            return error(500, f"fake server error: {exc!r}")

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, resp: Response) -> None:
        payload = b""
        if resp.body is not None:
            payload = json.dumps(resp.body).encode()
        try:
            h.send_response(resp.status)
            for k, v in resp.headers.items():
                h.send_header(k, v)
            if payload:
                h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            if payload:
                h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
