"""The network built on the page, written out as a runnable Keras script.

The script is self-contained: it copies the source of the data generator it used (``inspect.getsource``
of the functions in :mod:`neuronet.playground.datasets`, which need NumPy only), so the same data come
out, and builds, compiles and trains the same network with the Keras API (``import neuronet as keras``;
change that line to ``import keras`` and it runs on Keras too).
"""

from __future__ import annotations

import inspect

from . import datasets
from .spec import OPTIMIZERS

__all__ = ["script"]


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else repr(int(value)) + ".0"


def _dense(units: int, activation: str, name: str, seed: int, regularizer: str) -> str:
    return (f"    keras.layers.Dense({units}, activation={activation!r}, name={name!r},\n"
            f"                       kernel_initializer=keras.initializers.GlorotUniform(seed={seed}){regularizer}),")


def script(data_spec: dict, net_spec: dict, epochs: int, task: str, summary: str = "") -> str:
    """A Python script that regenerates the data of ``data_spec`` and builds and trains the network of
    ``net_spec`` for ``epochs`` epochs (at least 1), then prints the test loss and metric.

    Args:
        data_spec, net_spec: checked settings (see :mod:`neuronet.playground.spec`).
        epochs: epochs the script trains.
        task: 'binary' or 'regression'.
        summary: a line for the docstring, e.g. how the network did on the page. Defaults to ''.
    """
    name = data_spec["dataset"]
    generator = datasets.GENERATORS[name]
    call = f"{generator.__name__}({data_spec['samples']}, {_number(data_spec['noise'])}, rng"
    call += f", n_features={data_spec['features']})" if name == "classification" else ")"
    rate = net_spec["regularization_rate"]
    reg = ""
    if net_spec["regularization"] != "none" and rate > 0:
        reg = f",\n                       kernel_regularizer=keras.regularizers.{net_spec['regularization'].upper()}" \
              f"({_number(rate)})"
    features = data_spec["features"]
    hidden = net_spec["layers"]
    lines = [_dense(h["units"], h["activation"], f"hidden_{i + 1}", net_spec["seed"] + i, reg)
             for i, h in enumerate(hidden)]
    binary = task == "binary"
    lines.append(_dense(1, "sigmoid" if binary else "linear", "output", net_spec["seed"] + len(hidden), reg))
    class_name, extra = OPTIMIZERS[net_spec["optimizer"]]
    optimizer_args = ", ".join([f"learning_rate={_number(net_spec['learning_rate'])}"]
                               + [f"{k}={_number(v)}" for k, v in extra.items()])
    loss, metric = ("binary_crossentropy", "accuracy") if binary else ("mse", "mae")
    shape = " → ".join([f"{features} inputs"] + [f"Dense({h['units']}, {h['activation']})" for h in hidden]
                       + ["Dense(1, sigmoid)" if binary else "Dense(1, linear)"])
    epochs = max(1, int(epochs))
    header = f'''"""A network built in the neuronet playground, as a Keras script.

Data: {name}, {data_spec['samples']} samples, noise {data_spec['noise']:g}, {data_spec['test_fraction']:.0%} held out \
for testing (seed {data_spec['seed']}).
Network: {shape}; {class_name}({optimizer_args}), batch size {net_spec['batch_size']}, {loss}.
{summary}
Run it with `python <this file>`: it makes the same data, builds the network with the same starting
weights, trains it for {epochs} epochs and prints the test {metric}. The model trained on the page is in
the .keras file the playground exports: keras.saving.load_model("playground.keras").
"""'''
    parts = [header, "", "import numpy as np", "", "import neuronet as keras", "", "",
             inspect.getsource(generator).rstrip(), "", "", inspect.getsource(datasets.split).rstrip(), "", "",
             f"rng = np.random.default_rng({data_spec['seed']})",
             f"x, y = {call}",
             f"x_train, y_train, x_test, y_test = split(x, y, {_number(data_spec['test_fraction'])}, rng)",
             "",
             f"keras.utils.set_random_seed({net_spec['seed']})  # the same shuffling on every run",
             "model = keras.Sequential([",
             f"    keras.Input(shape=({features},)),",
             *lines,
             "])",
             f"model.compile(optimizer=keras.optimizers.{class_name}({optimizer_args}), loss={loss!r}, "
             f"metrics=[{metric!r}])",
             f"model.fit(x_train, y_train, epochs={epochs}, batch_size={net_spec['batch_size']}, "
             "validation_data=(x_test, y_test), verbose=0)",
             "loss, metric = model.evaluate(x_test, y_test, verbose=0)",
             f'print(f"test loss {{loss:.4f}}, test {metric} {{metric:.4f}}")', ""]
    return "\n".join(parts)
