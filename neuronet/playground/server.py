"""The playground's HTTP server: the standard library's threaded ``http.server``, on 127.0.0.1 only.

Routes (JSON in and out; errors are ``{"error": "<one line>"}`` with a 4xx/5xx status):

====================================  ===============================================================
``GET  /``, ``/static/<file>``         the page (HTML, CSS, JavaScript shipped in the package)
``GET  /api/config``                   choices (data sets, activations, optimizers) and limits
``POST /api/session``                  ``{data?, network?}`` → ``{session}``: a new session
``POST /api/configure``                ``{session, data?, network?}``: new settings (pauses, rebuilds)
``POST /api/train|pause|reset``        ``{session}``
``POST /api/step``                     ``{session}`` → one mini-batch, explained (``explain_step``)
``GET  /api/events?session=ID``        Server-Sent Events: ``data`` (the data set) and ``frame`` events
``GET  /api/export.py?session=ID``     the network as a Keras script
``GET  /api/export.keras?session=ID``  the trained model (``model.save``)
====================================  ===============================================================

Why the standard library: the page needs one stream from server to page (Server-Sent Events fit) and a few
small commands; ``ThreadingHTTPServer`` does both with no dependency, so the playground runs wherever
neuronet does. Safety: the socket is bound to 127.0.0.1; requests whose ``Host`` is not this address
(DNS rebinding) or whose ``Origin`` is another site are refused; request bodies are at most
``MAX_BODY`` bytes and must be JSON objects; every socket read and write times out after ``TIMEOUT``
seconds; at most ``MAX_STREAMS`` event streams and ``MAX_REQUESTS`` other requests run at once.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from . import spec
from .datasets import GENERATORS, TASKS
from .session import Sessions
from .spec import PlaygroundError

__all__ = ["PlaygroundServer"]

MAX_BODY = 64 * 1024
TIMEOUT = 20.0
MAX_STREAMS = 16
MAX_REQUESTS = 32
KEEPALIVE_SECONDS = 10.0

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
_COMMANDS = ("train", "pause", "reset", "step", "configure")


def _static_files() -> dict:
    """The page's files by name, read once from the package data (``neuronet/playground/static``)."""
    folder = resources.files("neuronet.playground") / "static"
    files = {}
    for entry in folder.iterdir():
        suffix = entry.name[entry.name.rfind("."):]
        if entry.is_file() and suffix in _TYPES:
            files[entry.name] = (entry.read_bytes(), _TYPES[suffix])
    return files


class _Handler(BaseHTTPRequestHandler):
    server_version = "neuronet-playground"
    timeout = TIMEOUT  # every read and write on the socket

    # --- plumbing ---------------------------------------------------------------------------------------------

    def log_message(self, format, *args):  # quiet: the page shows what matters
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass  # the other end went away (or stalled past TIMEOUT) in the middle of a request: nothing to answer

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value, status: int = 200) -> None:
        self._send(status, json.dumps(value, allow_nan=False).encode(), "application/json")

    def _error(self, message: str, status: int) -> None:
        self._json({"error": message}, status)

    def _allowed(self) -> bool:
        port = self.server.server_address[1]
        hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        host = self.headers.get("Host", "")
        if host not in hosts:
            self._error(f"refused: the playground answers requests for http://127.0.0.1:{port} only, not Host "
                        f"{host[:60]!r}", 403)
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin not in {f"http://{h}" for h in hosts}:
            self._error("refused: requests from another site's page", 403)
            return False
        return True

    def _guarded(self, work) -> None:
        """Run ``work`` with the request bound (at most MAX_REQUESTS at once) and every error answered."""
        if not self.server.requests.acquire(blocking=False):
            self._error("the playground is busy; try again in a moment", 503)
            return
        try:
            work()
        except PlaygroundError as err:
            self._error(str(err), err.status)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        except Exception as err:  # never crash the server: say what went wrong on the page
            self._error(f"internal error: {type(err).__name__}: {err}", 500)
        finally:
            self.server.requests.release()

    def _body(self) -> dict:
        if "application/json" not in self.headers.get("Content-Type", ""):
            raise PlaygroundError("expected a JSON body (Content-Type: application/json)", 415)
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise PlaygroundError("expected a Content-Length header", 411)
        if int(length) > MAX_BODY:
            if int(length) <= 16 * MAX_BODY:  # read what was sent, so the client hears the answer
                self.rfile.read(int(length))
            raise PlaygroundError(f"request too large: {int(length)} bytes; the limit is {MAX_BODY}", 413)
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
            raise PlaygroundError(f"malformed JSON: {err}") from None
        if not isinstance(body, dict):
            raise PlaygroundError(f"expected a JSON object, received {type(body).__name__}")
        return body

    def _query(self) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    # --- routes -----------------------------------------------------------------------------------------------

    def do_GET(self):
        if not self._allowed():
            return
        route = urlsplit(self.path).path
        if route == "/api/events":
            self._events()
            return
        self._guarded(lambda: self._get(route))

    def do_POST(self):
        if not self._allowed():
            return
        route = urlsplit(self.path).path
        self._guarded(lambda: self._post(route))

    def _get(self, route: str) -> None:
        files = self.server.files
        if route in ("/", "/index.html"):
            body, kind = files["index.html"]
            self._send(200, body, kind)
        elif route.startswith("/static/") and route[len("/static/"):] in files:
            body, kind = files[route[len("/static/"):]]
            self._send(200, body, kind)
        elif route == "/api/config":
            self._json({"datasets": list(GENERATORS), "tasks": TASKS, "activations": list(spec.ACTIVATIONS),
                        "optimizers": list(spec.OPTIMIZERS), "regularizers": list(spec.REGULARIZERS),
                        "limits": spec.LIMITS, "data": spec.DEFAULT_DATA, "network": spec.DEFAULT_NETWORK})
        elif route == "/api/export.py":
            session = self.server.sessions.get(self._query().get("session"))
            name = f"playground_{session.data_cfg['dataset']}.py"
            self._send(200, session.export_script().encode(), "text/x-python; charset=utf-8",
                       {"Content-Disposition": f'attachment; filename="{name}"'})
        elif route == "/api/export.keras":
            session = self.server.sessions.get(self._query().get("session"))
            self._send(200, session.export_keras(), "application/octet-stream",
                       {"Content-Disposition": 'attachment; filename="playground.keras"'})
        elif route == "/favicon.ico":
            self._send(204, b"", "text/plain")
        else:
            raise PlaygroundError(f"not found: {route[:80]}", 404)

    def _post(self, route: str) -> None:
        body = self._body()
        sessions = self.server.sessions
        if route == "/api/session":
            unknown = sorted(set(body) - {"data", "network"})
            if unknown:
                raise PlaygroundError(f"unknown field {unknown[0]!r}; fields: data, network")
            session = sessions.create(body.get("data"), body.get("network"))
            self._json({"session": session.id})
            return
        match = re.fullmatch(r"/api/(\w+)", route)
        command = match.group(1) if match else None
        if command not in _COMMANDS:
            raise PlaygroundError(f"not found: {route[:80]}", 404)
        session = sessions.get(body.get("session"))
        if command == "configure":
            unknown = sorted(set(body) - {"session", "data", "network"})
            if unknown:
                raise PlaygroundError(f"unknown field {unknown[0]!r}; fields: session, data, network")
            session.configure(body.get("data"), body.get("network"))
            self._json({"ok": True})
        elif command == "step":
            self._json(session.step())
        else:
            getattr(session, command)()  # train, pause or reset (names from the fixed list above)
            self._json({"ok": True})

    def _events(self) -> None:
        """A Server-Sent Events stream of the session's data set and frames; a newer stream ends this one."""
        server = self.server
        try:
            session = server.sessions.get(self._query().get("session"))
        except PlaygroundError as err:
            self._error(str(err), err.status)
            return
        if not server.streams.acquire(blocking=False):
            self._error("too many open pages; close one and reload", 503)
            return
        with session.changed:
            session.stream += 1
            mine = session.stream
            session.listeners += 1
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            seen = seen_data = 0
            while True:
                with session.changed:
                    session.changed.wait_for(lambda: session.version != seen or session.closed or server.stopping
                                             or session.stream != mine, timeout=KEEPALIVE_SECONDS)
                    version, data_version = session.version, session.data_version
                    frame, data = session.frame, session.data_json
                    ended = session.closed or server.stopping or session.stream != mine
                if ended:
                    break
                chunks = []
                if data_version != seen_data and data is not None:
                    chunks.append(f"event: data\ndata: {data}\n\n")
                    seen_data = data_version
                if version != seen and frame is not None:
                    chunks.append(f"event: frame\ndata: {frame}\n\n")
                    seen = version
                self.wfile.write(("".join(chunks) or ": keepalive\n\n").encode())
                self.wfile.flush()
                session.last_seen = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            pass
        finally:
            with session.changed:
                session.listeners -= 1
            session.last_seen = time.monotonic()
            server.streams.release()


class PlaygroundServer(ThreadingHTTPServer):
    """The playground's server, bound to 127.0.0.1.

    Args:
        port: the TCP port; 0 picks a free one. Defaults to 8765.

    Attributes:
        url: ``http://127.0.0.1:<port>/``.
        sessions: the :class:`~neuronet.playground.session.Sessions`.

    Example::

        server = PlaygroundServer(port=0)
        server.start()          # in a background thread
        print(server.url)
        server.stop()
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 8765):
        super().__init__(("127.0.0.1", port), _Handler)
        self.files = _static_files()
        self.sessions = Sessions()
        self.requests = threading.BoundedSemaphore(MAX_REQUESTS)
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        self.stopping = False
        self._thread = None
        self._serving = False

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def start(self) -> "PlaygroundServer":
        """Serve in a daemon thread and return at once."""
        self._serving = True  # so that stop() waits for the loop even if it has not begun
        self._thread = threading.Thread(target=self.serve_forever, args=(0.1,), name="playground-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop training, end the event streams and close the socket (a second call does nothing)."""
        if self.stopping:
            return
        self.stopping = True
        self.sessions.close_all()
        if self._serving:
            self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
