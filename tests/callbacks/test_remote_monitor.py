"""RemoteMonitor: the epoch logs reach a local HTTP server, as a form field or as JSON."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

import neuronet as keras


@pytest.fixture
def server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server hook's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", received
    httpd.shutdown()
    httpd.server_close()


def _fit(callback):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), epochs=2, verbose=0, callbacks=[callback])


def test_posts_each_epoch_as_a_form_field_or_json(server):
    root, received = server
    _fit(keras.callbacks.RemoteMonitor(root=root))
    assert [r[0] for r in received] == ["/publish/epoch/end/"] * 2
    form = urllib.parse.parse_qs(received[0][2].decode())
    logs = json.loads(form["data"][0])
    assert logs["epoch"] == 0 and isinstance(logs["loss"], float)
    _fit(keras.callbacks.RemoteMonitor(root=root, path="/logs", send_as_json=True, headers={"X-Run": "7"}))
    assert received[-1][0] == "/logs" and received[-1][1] == "application/json"
    assert json.loads(received[-1][2])["epoch"] == 1


def test_unreachable_server_warns_and_bad_root_is_refused():
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        _fit(keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9"))
    with pytest.raises(ValueError, match="expected root to be an http\\(s\\) address"):
        keras.callbacks.RemoteMonitor(root="file:///etc/passwd")
