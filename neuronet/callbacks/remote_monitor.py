"""RemoteMonitor: post each epoch's logs to an HTTP server (a live dashboard)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from .base import Callback

__all__ = ["RemoteMonitor"]


class RemoteMonitor(Callback):
    """At the end of every epoch, POST ``{"epoch": ..., <logs>}`` to ``root + path`` (Keras ``RemoteMonitor``).

    By default the logs go as a form field ``field`` holding their JSON; with ``send_as_json`` the body
    is the JSON itself. An unreachable server gives a warning, never stops training. Uses the standard
    library (Keras needs ``requests``).

    Args:
        root: the server's address. Defaults to 'http://localhost:9000'.
        path: the path posted to. Defaults to '/publish/epoch/end/'.
        field: the form field of the JSON. Defaults to 'data'.
        headers: extra HTTP headers. Defaults to None.
        send_as_json: send the JSON as the body (``application/json``). Defaults to False.
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/", field: str = "data",
                 headers: dict | None = None, send_as_json: bool = False):
        super().__init__()
        if not isinstance(root, str) or not root.startswith(("http://", "https://")):
            raise ValueError(f"RemoteMonitor: expected root to be an http(s) address, received root={root!r}")
        self.root, self.path, self.field = root, path, field
        self.headers, self.send_as_json = dict(headers or {}), bool(send_as_json)

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        if self.send_as_json:
            body, kind = json.dumps(send).encode("utf-8"), "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("ascii")
            kind = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.root + self.path, data=body, method="POST",
                                         headers={"Content-Type": kind, **self.headers})
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
