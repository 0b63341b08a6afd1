import numpy as np

import neuronet as k


def test_per_class_metric_stays_an_array_in_the_logs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = k.utils.to_categorical(rng.integers(0, 3, 64), 3)
    model = k.Sequential([k.layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("adam", "categorical_crossentropy", metrics=[k.metrics.F1Score()])
    history = model.fit(x, y, epochs=2, verbose=0)
    f1 = history.history["f1_score"][-1]
    assert f1.shape == (3,)
    assert np.all((f1 >= 0) & (f1 <= 1))
