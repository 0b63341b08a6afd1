"""A playground server on a free port of 127.0.0.1 and a small JSON client for it (no browser)."""

import http.client
import json

import pytest

from neuronet.playground.server import PlaygroundServer


class Client:
    """Requests to one playground server; every call returns ``(status, decoded body)``."""

    def __init__(self, server):
        self.port = server.port

    def request(self, method, path, body=None, headers=None, raw=False):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        head = dict(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            head.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=head)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        if raw:
            return response.status, data, dict(response.getheaders())
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(data) if kind.startswith("application/json") else data.decode()

    def post(self, command, body=None, **kw):
        return self.request("POST", f"/api/{command}", {} if body is None else body, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def session(self, data=None, network=None):
        status, reply = self.post("session", {"data": data or {}, "network": network or {}})
        assert status == 200, reply
        return reply["session"]

    def events(self, session, count=1, timeout=10):
        """The first ``count`` events of the session's stream as ``[(event, decoded data)]``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        conn.request("GET", f"/api/events?session={session}")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/event-stream"
        out, event = [], None
        try:
            while len(out) < count:
                raw = response.fp.readline()
                if not raw:  # the server ended the stream
                    break
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: "):
                    out.append((event, json.loads(line[len("data: "):])))
        finally:
            conn.close()
        return out


@pytest.fixture
def server():
    srv = PlaygroundServer(0).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    return Client(server)
