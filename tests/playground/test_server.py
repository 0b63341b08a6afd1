"""The playground's HTTP endpoints, driven by a plain HTTP client (no browser)."""

import io
import json
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pytest

from neuronet import diagnostics, saving
from neuronet.playground import build, spec
from neuronet.playground.server import MAX_BODY, PlaygroundServer


def wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_page_and_static_files_make_no_network_access(client, server):
    status, page = client.get("/")
    assert status == 200 and "<title>neuronet playground</title>" in page
    for src in re.findall(r'(?:src|href)="([^"#]+)"', page):
        assert src.startswith("/static/"), src
        status, body = client.get(src)
        assert status == 200, src
    for name, (body, kind) in server.files.items():
        text = body.decode()
        # no CDN, no font or script from elsewhere: every address the page uses is on this server
        assert "://" not in text.replace("http://www.w3.org/2000/svg", ""), name
    status, reply = client.get("/static/../server.py")
    assert status == 404


def test_config_lists_the_choices_and_limits(client):
    status, config = client.get("/api/config")
    assert status == 200
    assert set(config["datasets"]) == {"classification", "xor", "circles", "spirals", "moons", "curve"}
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "elu"} <= set(config["activations"])
    assert {"sgd", "momentum", "rmsprop", "adam"} <= set(config["optimizers"])
    assert config["limits"]["max_units"] == spec.LIMITS["max_units"]


def test_stream_sends_the_data_then_frames(client):
    sid = client.session({"dataset": "moons", "samples": 100, "test_fraction": 0.2})
    (kind1, data), (kind2, frame) = client.events(sid, count=2)
    assert kind1 == "data" and kind2 == "frame"
    assert data["task"] == "binary" and len(data["train"]) == 80 and len(data["test"]) == 20
    assert frame["config"]["data"]["dataset"] == "moons"
    assert [w["name"] for w in frame["weights"]] == ["hidden_1", "output"]
    assert np.asarray(frame["weights"][0]["W"]).shape == (2, 4)
    assert frame["maps"]["kind"] == "plane" and len(frame["maps"]["layers"]) == 2
    assert frame["health"]["problems"] == []


def test_training_streams_and_learns_xor(client, server):
    sid = client.session({"dataset": "xor", "samples": 200}, {"optimizer": "adam", "learning_rate": 0.05})
    assert client.post("train", {"session": sid}) == (200, {"ok": True})
    assert client.post("train", {"session": sid})[0] == 200  # a second press starts no second job
    jobs = [t for t in threading.enumerate() if t.name == f"playground-{sid}"]
    assert len(jobs) == 1
    session = server.sessions.get(sid)
    assert wait_for(lambda: session.epoch >= 30, timeout=30)
    events = client.events(sid, count=3)
    frames = [e for kind, e in events if kind == "frame"]
    assert frames and frames[-1]["running"] is True
    assert client.post("pause", {"session": sid}) == (200, {"ok": True})
    assert not session.running and not any(t.name == f"playground-{sid}" for t in threading.enumerate())
    frame = json.loads(session.frame)
    assert frame["epoch"] >= 30 and len(frame["history"]["epoch"]) == frame["epoch"]
    assert frame["metrics"]["test_metric"] > 0.9  # XOR is learned
    assert frame["history"]["train_loss"][-1] < frame["history"]["train_loss"][0]


def test_step_is_explained_as_explain_step_computes_it(client, server):
    sid = client.session({"dataset": "xor", "samples": 100}, {"optimizer": "sgd", "learning_rate": 0.5,
                                                                  "batch_size": 8})
    model = server.sessions.get(sid).model
    before = [w.copy() for w in model.get_weights()]
    status, step = client.post("step", {"session": sid})
    assert status == 200 and step["matches_step"] is True
    assert step["step"] == 1 and len(step["y"]) == 8
    # the same step, computed here by explain_step on a model with the same weights
    twin = build.build_model(build.make_data(spec.data_spec({"dataset": "xor", "samples": 100})),
                             spec.network_spec({"optimizer": "sgd", "learning_rate": 0.5}))
    twin.set_weights(before)
    x = np.asarray(step["layers"][0]["x"], np.float32)
    expected = diagnostics.explain_step(twin, x, np.asarray(step["y"], np.float32), print_fn=None)
    for got, want in zip(step["layers"], expected):
        assert got["name"] == want.name
        for key in ("W", "b", "z", "a", "delta", "dW", "db", "W_new", "b_new"):
            np.testing.assert_allclose(np.asarray(got[key], np.float32), getattr(want, key), rtol=1e-6, atol=1e-7)
    # and the model really took that step
    np.testing.assert_array_equal(model.get_weights()[0], np.asarray(step["layers"][0]["W_new"], np.float32))
    np.testing.assert_allclose(before[0] - 0.5 * np.asarray(step["layers"][0]["dW"]), model.get_weights()[0],
                               rtol=1e-5, atol=1e-6)


def test_step_while_training_is_refused(client, server):
    sid = client.session()
    client.post("train", {"session": sid})
    status, reply = client.post("step", {"session": sid})
    assert status == 409 and "Pause" in reply["error"]
    client.post("pause", {"session": sid})
    assert client.post("step", {"session": sid})[0] == 200


@pytest.mark.parametrize("body, message", [
    ({"network": {"layers": [{"units": 10000, "activation": "relu"}]}},
     "network.layers[0].units: expected an integer from 1 to 16, received 10000"),
    ({"data": {"samples": 1e9}}, "data.samples: expected an integer from 20 to 2000, received 1000000000"),
    ({"network": {"layers": [{"units": 4, "activation": "swoosh"}]}},
     "network.layers[0].activation: unknown 'swoosh'; choose one of linear, sigmoid"),
    ({"network": {"layers": [{"units": 4}] * 50}}, "network.layers: expected a list of at most 6 hidden layers"),
    ({"network": {"learning_rate": -1}}, "network.learning_rate: expected a number above 0 to 10, received -1"),
    ({"network": {"batch_size": 500}}, "network.batch_size: expected an integer from 1 to 210"),
    ({"data": {"noise": "lots"}}, "data.noise: expected a number from 0 to 1, received 'lots'"),
    ({"data": {"dataset": "mnist"}}, "data.dataset: unknown 'mnist'; choose one of classification, xor"),
    ({"data": {"sampels": 10}}, "data: unknown field 'sampels'"),
    ({"data": [1, 2]}, "data: expected a JSON object, received list"),
    ({"network": {"units": True}}, "network: unknown field 'units'"),
])
def test_bad_settings_get_one_clear_line_and_change_nothing(client, server, body, message):
    sid = client.session()
    session = server.sessions.get(sid)
    model, config = session.model, dict(session.net_cfg)
    status, reply = client.post("configure", {"session": sid, **body})
    assert status == 400
    assert reply["error"].startswith(message), reply["error"]
    assert "\n" not in reply["error"]
    assert session.model is model and session.net_cfg == config  # the previous settings are kept
    assert client.get("/api/config")[0] == 200


def test_malformed_requests_never_crash_the_server(client, server):
    sid = client.session()
    cases = [
        (b"{not json", {"Content-Type": "application/json"}, 400, "malformed JSON"),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400, "expected a JSON object, received list"),
        (b"\xff\xfe", {"Content-Type": "application/json"}, 400, "malformed JSON"),
        (b"[" * 100000 + b"]" * 100000, {"Content-Type": "application/json"}, 413, "request too large"),
        (b"x" * (MAX_BODY + 1), {"Content-Type": "application/json"}, 413, "request too large"),
        (b'{"session": "x"}', {"Content-Type": "text/plain"}, 415, "expected a JSON body"),
        (b'{"session": "nope"}', {"Content-Type": "application/json"}, 404, "unknown or expired session"),
    ]
    for body, headers, status, message in cases:
        got, reply = client.request("POST", "/api/train", body, headers=headers)
        assert got == status and reply["error"].startswith(message), (body[:20], got, reply)
    deep = b'{"session": "' + sid.encode() + b'", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    got, reply = client.request("POST", "/api/configure", deep, headers={"Content-Type": "application/json"})
    assert got == 400, reply
    assert client.get("/api/nothing")[0] == 404
    assert client.post("explode", {"session": sid})[0] == 404
    assert client.get("/api/events?session=nope")[0] == 404
    assert client.get("/api/config")[0] == 200


def test_requests_for_another_host_or_from_another_site_are_refused(client):
    status, reply = client.request("GET", "/api/config", headers={"Host": "evil.example:80"})
    assert status == 403 and "127.0.0.1" in reply["error"]
    status, reply = client.post("session", {}, headers={"Origin": "http://evil.example"})
    assert status == 403 and "another site" in reply["error"]
    assert client.post("session", {}, headers={"Origin": f"http://127.0.0.1:{client.port}"})[0] == 200


def test_a_stalled_connection_does_not_wedge_the_server(client):
    stalled = socket.create_connection(("127.0.0.1", client.port))
    head = f"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:{client.port}\r\nContent-Type: application/json\r\n"
    stalled.sendall((head + "Content-Length: 100\r\n\r\n{").encode())  # 99 bytes of the body never come
    try:
        assert client.get("/api/config")[0] == 200
        assert client.session()
    finally:
        stalled.close()


def test_divergence_stops_training_with_a_message(client, server):
    sid = client.session({"dataset": "curve"}, {"layers": [{"units": 8, "activation": "relu"}] * 2,
                                                "optimizer": "sgd", "learning_rate": 10.0})
    session = server.sessions.get(sid)
    client.post("train", {"session": sid})
    assert wait_for(lambda: not session.running, timeout=20)
    frame = json.loads(session.frame)
    assert frame["diverged"] is True and "learning rate 10 is too high" in frame["message"]["text"], frame["message"]
    status, reply = client.post("train", {"session": sid})
    assert status == 409 and "lower the learning rate" in reply["error"]
    status, reply = client.post("configure", {"session": sid, "network": {**session.net_cfg, "learning_rate": 0.01}})
    assert status == 200, reply
    assert client.post("step", {"session": sid})[0] == 200


def test_reset_draws_new_starting_weights(client, server):
    sid = client.session()
    session = server.sessions.get(sid)
    before = session.model.get_weights()[0].copy()
    client.post("step", {"session": sid})
    assert client.post("reset", {"session": sid}) == (200, {"ok": True})
    assert session.steps == 0 and session.net_cfg["seed"] == spec.DEFAULT_NETWORK["seed"] + 1
    assert not np.array_equal(before, session.model.get_weights()[0])


def test_sessions_are_bounded(client, server):
    first = client.session()
    time.sleep(0.01)
    others = [client.session() for _ in range(server.sessions.limit)]
    assert client.post("pause", {"session": first})[0] == 404  # the least recently used one made room
    assert client.post("pause", {"session": others[-1]})[0] == 200


def test_export_script_runs_and_keras_file_loads(client, server, tmp_path):
    sid = client.session({"dataset": "circles", "samples": 200}, {"layers": [{"units": 6, "activation": "relu"}],
                                                                  "regularization": "l2",
                                                                  "regularization_rate": 0.001})
    session = server.sessions.get(sid)
    for _ in range(20):
        session.step()
    status, script, headers = client.get(f"/api/export.py?session={sid}", raw=True)
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    script = script.decode()
    assert "import neuronet as keras" in script and "kernel_regularizer=keras.regularizers.L2(0.001)" in script
    path = tmp_path / "exported.py"
    path.write_text(script)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"test loss \d\.\d{4}, test accuracy \d\.\d{4}\n", run.stdout), run.stdout
    status, blob, headers = client.get(f"/api/export.keras?session={sid}", raw=True)
    assert status == 200 and zipfile.is_zipfile(io.BytesIO(blob))
    (tmp_path / "playground.keras").write_bytes(blob)
    loaded = saving.load_model(str(tmp_path / "playground.keras"))
    x = session.data.x_test
    np.testing.assert_allclose(loaded.predict(x, verbose=0), session.model.predict(x, verbose=0), rtol=1e-6)


def test_stop_ends_open_streams(client, server):
    sid = client.session()
    got = []
    reader = threading.Thread(target=lambda: got.append(client.events(sid, count=100, timeout=10)), daemon=True)
    reader.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    reader.join(timeout=10)
    assert time.monotonic() - started < 8 and not reader.is_alive()


def test_port_in_use_is_a_clear_error():
    from neuronet.playground import serve

    busy = PlaygroundServer(0)
    try:
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{busy.port}.*pick another port"):
            serve(port=busy.port, open_browser=False, block=False)
        with pytest.raises(ValueError, match="port must be an integer from 0 to 65535"):
            serve(port=70000, open_browser=False)
    finally:
        busy.server_close()
    free = serve(port=0, open_browser=False, block=False)
    try:
        assert free.url.startswith("http://127.0.0.1:") and free.server_address[0] == "127.0.0.1"
    finally:
        free.stop()
