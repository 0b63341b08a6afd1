"""``import neuronet`` loads the engine only; every other part loads on first use (neuronet._lazy).

Asserts what is imported, never how long it takes (benchmarks measure time).
"""

import importlib
import json
import subprocess
import sys

import pytest

import neuronet


def _modules_after(code: str) -> set:
    """The modules loaded in a fresh interpreter after running ``code``."""
    probe = code + "\nimport sys\n_loaded = sorted(sys.modules)\nimport json\nprint(json.dumps(_loaded))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_import_neuronet_loads_the_engine_only():
    loaded = _modules_after("import neuronet")
    ours = {m for m in loaded if m.startswith("neuronet")}
    assert {"neuronet.autograd", "neuronet.config"} <= ours
    for heavy in ("neuronet.layers", "neuronet.models", "neuronet.ops", "neuronet.datasets", "neuronet.diagnostics",
                  "neuronet.saving", "neuronet.runtime.helpers", "neuronet.runtime.stateful"):
        assert heavy not in loaded, heavy
    # nor the standard library the helper processes and files need
    for stdlib in ("subprocess", "concurrent.futures", "zipfile", "json", "tempfile"):
        assert stdlib not in loaded, stdlib


def test_a_model_does_not_load_the_rare_parts():
    loaded = _modules_after(
        "import neuronet as keras\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='relu'), keras.layers.Dense(1)])\n"
        "m.compile(optimizer='adam', loss='mse')\n"
    )
    assert "neuronet.layers.core" in loaded and "neuronet.models.training" in loaded
    for rare in ("neuronet.layers.preprocessing", "neuronet.layers.attention", "neuronet.datasets",
                 "neuronet.diagnostics", "neuronet.utils.image_utils", "neuronet.callbacks.tensorboard",
                 "neuronet.runtime.helpers"):
        assert rare not in loaded, rare


def test_keras_style_access_loads_on_demand():
    loaded = _modules_after(
        "import neuronet as keras\n"
        "assert keras.layers.Rescaling.__name__ == 'Rescaling'\n"
        "from neuronet.layers import MultiHeadAttention\n"
        "assert keras.callbacks.EarlyStopping().patience == 0\n"
        "assert callable(keras.utils.get_file)\n"
        "assert keras.datasets.mnist.load_data\n"
    )
    assert {"neuronet.layers.preprocessing", "neuronet.layers.attention", "neuronet.callbacks.early_stopping",
            "neuronet.utils.file_utils", "neuronet.datasets.mnist"} <= loaded


@pytest.mark.parametrize("package", ["neuronet", "neuronet.layers", "neuronet.utils", "neuronet.callbacks",
                                     "neuronet.runtime"])
def test_every_public_name_resolves(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, (package, name)
    assert set(module.__all__) <= set(dir(module))


def test_lazy_layer_lists_match_the_families():
    from neuronet import layers

    for family, names in layers._LAZY_FAMILIES.items():
        module = importlib.import_module(f"neuronet.layers.{family}")
        assert sorted(names) == sorted(module.__all__), family
        for name in names:
            assert getattr(layers, name) is getattr(module, name)
    # the adapting Normalization (preprocessing) is keras.layers.Normalization, as in Keras
    assert layers.Normalization.__module__.startswith("neuronet.layers.preprocessing")


def test_lazy_name_tables_point_at_the_defining_modules():
    from neuronet import callbacks, utils

    for package, table in ((utils, utils._LAZY_NAMES), (callbacks, callbacks._LAZY_NAMES)):
        for name, family in table.items():
            module = importlib.import_module(f"{package.__name__}.{family}")
            assert name in module.__all__, (package.__name__, name)


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="module 'neuronet.layers' has no attribute 'Densse'"):
        neuronet.layers.Densse  # noqa: B018
    assert not hasattr(neuronet, "no_such_module")
