"""The playground in a real browser: headless Chromium driven by selenium.

Skips cleanly where selenium (the ``browser-tests`` extra), Chromium or chromedriver is missing (``make test``
installs Chromium and chromedriver from Debian's packages where it runs as root with apt). Screenshots of
the main states go to ``tests/playground/screenshots/`` (git-ignored).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from neuronet import diagnostics, layers, models, optimizers

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (extra 'browser-tests')")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(__file__).parent / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1100"]


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="neuronet-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as err:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"Chromium does not start here: {err.msg}")
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def config(driver) -> dict:
    text = driver.find_element(By.TAG_NAME, "body").get_attribute("data-config")
    return json.loads(text) if text else {}


def shot(driver, name):
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def values(driver, layer, field):
    table = driver.find_element(By.CSS_SELECTOR, f'table.matrix[data-layer="{layer}"][data-field="{field}"]')
    return np.asarray(json.loads(table.get_attribute("data-values")), np.float32)


def set_input(driver, element_id, text):
    """Type over the field's text, as a person does, and leave it: one 'change' event. (``clear()`` would
    leave the field empty and fire a 'change' of its own, whose reply may arrive after the real one's.)"""
    element = driver.find_element(By.ID, element_id)
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(text, Keys.TAB)  # leaving the field fires 'change'


def test_xor_2_4_1_trains_explains_and_exports(browser, server, tmp_path):
    started = time.monotonic()
    driver = browser
    wait = WebDriverWait(driver, 25, poll_frequency=0.05)
    driver.get(server.url)
    wait.until(lambda d: config(d).get("network"))
    shot(driver, "1-start")

    # build 2-4-1 on XOR with plain SGD: a layer added and removed, units 4 → 3 → 4 with the buttons
    Select(driver.find_element(By.ID, "dataset")).select_by_value("xor")
    driver.find_element(By.ID, "add-layer").click()
    wait.until(lambda d: len(config(d)["network"]["layers"]) == 2)
    driver.find_element(By.ID, "remove-layer").click()
    wait.until(lambda d: len(config(d)["network"]["layers"]) == 1)
    driver.find_element(By.CSS_SELECTOR, ".units-minus[data-layer='0']").click()
    wait.until(lambda d: config(d)["network"]["layers"][0]["units"] == 3)
    driver.find_element(By.CSS_SELECTOR, ".units-plus[data-layer='0']").click()
    wait.until(lambda d: config(d)["network"]["layers"][0]["units"] == 4)
    Select(driver.find_element(By.CSS_SELECTOR, "select.activation[data-layer='0']")).select_by_value("tanh")
    Select(driver.find_element(By.ID, "optimizer")).select_by_value("sgd")
    wait.until(lambda d: config(d)["network"]["optimizer"] == "sgd")
    set_input(driver, "learning-rate", "0.3")
    wait.until(lambda d: config(d)["network"]["learning_rate"] == 0.3)
    cfg = config(driver)
    assert cfg["data"]["dataset"] == "xor" and cfg["network"]["layers"] == [{"units": 4, "activation": "tanh"}]
    assert len(driver.find_elements(By.CSS_SELECTOR, ".node")) == 2 + 4 + 1
    assert len(driver.find_elements(By.CSS_SELECTOR, "path.edge")) == 2 * 4 + 4 * 1

    # train until the test accuracy shown on the page passes 0.95
    driver.find_element(By.ID, "train").click()
    wait.until(lambda d: float(d.find_element(By.ID, "test-metric").get_attribute("data-value") or 0) > 0.95)
    driver.find_element(By.ID, "train").click()  # pause
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-running") == "false")
    shot(driver, "2-trained")
    assert int(driver.find_element(By.ID, "epoch").text) > 0

    # step once: the explained numbers are explain_step's for the same weights
    driver.find_element(By.ID, "step").click()
    wait.until(lambda d: d.find_element(By.ID, "explain-panel").get_attribute("data-step"))
    panel = driver.find_element(By.ID, "explain-panel")
    assert panel.get_attribute("data-matches") == "true"
    x, y = values(driver, "hidden_1", "x"), values(driver, "batch", "y")
    assert x.shape == (10, 2) and y.shape == (10, 1)
    twin = models.Sequential([layers.Input(shape=(2,)), layers.Dense(4, activation="tanh", name="hidden_1"),
                              layers.Dense(1, activation="sigmoid", name="output")])
    twin.compile(optimizer=optimizers.SGD(learning_rate=0.3), loss="binary_crossentropy")
    twin.set_weights([values(driver, name, key) for name in ("hidden_1", "output") for key in ("W", "b")])
    expected = diagnostics.explain_step(twin, x, y, print_fn=None)
    for record in expected:
        for key in ("z", "a", "delta", "dW", "db", "W_new", "b_new"):
            np.testing.assert_allclose(values(driver, record.name, key), getattr(record, key), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{record.name}.{key}")
    # the same numbers on the drawn network: sample 1's z, a, δ under the first hidden neuron
    label = driver.find_element(By.CSS_SELECTOR, ".node[data-column='1'][data-unit='0'] .node-label").text
    assert f"z {expected[0].z[0, 0]:.3f}" in label and f"a {expected[0].a[0, 0]:.3f}" in label
    # and the drawn edges now carry the updated weights
    edge = "path.edge[data-layer='1'][data-from='2'][data-to='0']"
    wait.until(lambda d: abs(float(d.find_element(By.CSS_SELECTOR, edge).get_attribute("data-w"))
                             - float(expected[1].W_new[2, 0])) < 1e-6)
    driver.execute_script("document.getElementById('explain-panel').scrollIntoView()")
    shot(driver, "3-explained")
    driver.execute_script("window.scrollTo(0, 0)")

    # export the script and run it
    driver.find_element(By.ID, "export-script").click()
    wait.until(lambda d: d.find_element(By.ID, "script").get_attribute("value").startswith('"""'))
    shot(driver, "4-script")
    script = driver.find_element(By.ID, "script").get_attribute("value")
    assert "keras.optimizers.SGD(learning_rate=0.3)" in script
    path = tmp_path / "playground_xor.py"
    path.write_text(script)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    match = re.fullmatch(r"test loss \d\.\d{4}, test accuracy (\d\.\d{4})\n", run.stdout)
    assert match and float(match.group(1)) >= 0.8, run.stdout
    driver.find_element(By.ID, "close-script").click()

    # an absurd request gets a clear message on the page; the server goes on
    driver.execute_script("""
        window.configurePosts = 0;
        const fetch = window.fetch;
        window.fetch = (url, options) => {
          if (String(url).endsWith('/api/configure')) window.configurePosts += 1;
          return fetch(url, options);
        };""")
    set_input(driver, "samples", "1e9")
    wait.until(lambda d: d.find_element(By.ID, "message").is_displayed())
    assert driver.execute_script("return window.configurePosts") == 1  # the message answers this one request
    assert driver.find_element(By.ID, "message").text == \
        "data.samples: expected an integer from 20 to 2000, received 1000000000"
    shot(driver, "5-bad-request")
    step = int(panel.get_attribute("data-step"))
    driver.find_element(By.ID, "step").click()
    wait.until(lambda d: int(d.find_element(By.ID, "explain-panel").get_attribute("data-step")) == step + 1)
    errors = [e for e in driver.get_log("browser") if e["source"] != "network"]  # the 400 above is expected
    assert errors == []  # no JavaScript errors
    print(f"browser test: {time.monotonic() - started:.1f} s")
