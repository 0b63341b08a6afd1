"""timeseries_dataset_from_array, split_dataset, the Dataset type, and the image/text folder loaders:
Keras's windows, splits, orders and label modes; fit/evaluate/predict take the results."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.utils import (Dataset, image_dataset_from_directory, split_dataset, text_dataset_from_directory,
                            timeseries_dataset_from_array)


def test_timeseries_windows_and_targets():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, None, sequence_length=10, batch_size=4)
    assert len(ds) == 23 and ds[0][0].tolist() == list(range(10)) and ds[0].shape == (4, 10)
    ds = timeseries_dataset_from_array(data, data[10:] * 2, sequence_length=10, sampling_rate=2, sequence_stride=3,
                                       batch_size=None, start_index=5, end_index=60)
    x0, y0 = ds[0]
    assert x0.tolist() == list(range(5, 24, 2)) and y0 == data[10:][5] * 2
    x1, _ = ds[1]
    assert x1[0] == 8
    assert len(ds) == len(range(0, 55 - 18, 3))


def test_timeseries_shuffle_is_seeded_and_reshuffles():
    data = np.arange(40)
    a = timeseries_dataset_from_array(data, data, sequence_length=5, batch_size=8, shuffle=True, seed=3)
    b = timeseries_dataset_from_array(data, data, sequence_length=5, batch_size=8, shuffle=True, seed=3)
    first = np.concatenate([x[:, 0] for x, _ in a])
    np.testing.assert_array_equal(first, np.concatenate([x[:, 0] for x, _ in b]))
    assert sorted(first.tolist()) == list(range(36))
    for x, y in a:
        np.testing.assert_array_equal(x[:, 0], y)  # targets follow their windows
    a.on_epoch_end()
    assert not np.array_equal(np.concatenate([x[:, 0] for x, _ in a]), first)


def test_timeseries_errors():
    for kwargs, message in [(dict(sequence_length=0), "sequence_length"), (dict(sequence_length=3, sampling_rate=0),
                            "sampling_rate"), (dict(sequence_length=3, start_index=20), "start_index"),
                            (dict(sequence_length=3, end_index=2, start_index=3), "end_index"),
                            (dict(sequence_length=30), "too short")]:
        with pytest.raises(ValueError) as info:
            timeseries_dataset_from_array(np.arange(10), None, **kwargs)
        assert message in str(info.value) and "\n" not in str(info.value)


def test_fit_evaluate_predict_take_a_dataset(rng):
    x = rng.normal(size=(300, 2)).astype("float32")
    y = np.cumsum(x[:, :1], axis=0) * 0.1
    ds = timeseries_dataset_from_array(x, y[4:], sequence_length=5, batch_size=32)
    model = neuronet.Sequential([neuronet.Input((5, 2)), layers.Flatten(), layers.Dense(8, activation="relu"),
                                 layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(ds, validation_data=ds.take(2), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and "val_loss" in history.history
    assert np.isfinite(model.evaluate(ds, verbose=0))
    assert model.predict(ds, verbose=0).shape == (296, 1)


def test_split_dataset_sizes_and_shuffle():
    x, y = np.arange(50).reshape(25, 2), np.arange(25)
    left, right = split_dataset((x, y), left_size=0.8)
    assert len(left) == 20 and len(right) == 5 and left[0][0].tolist() == [0, 1] and right[0][1] == 20
    left, right = split_dataset(x, right_size=7)
    assert len(left) == 18 and right[6].tolist() == [48, 49]
    left, right = split_dataset((x, y), left_size=10, right_size=5)
    assert len(left) == 10 and right[0][1] == 20
    a, _ = split_dataset((x, y), left_size=0.6, shuffle=True, seed=7)
    b, _ = split_dataset((x, y), left_size=0.6, shuffle=True, seed=7)
    assert [e[1] for e in a] == [e[1] for e in b] != list(range(15))
    batched = a.batch(4)
    assert len(batched) == 4 and batched[0][0].shape == (4, 2)
    ds = timeseries_dataset_from_array(np.arange(30), None, sequence_length=3, batch_size=4)
    left, right = split_dataset(ds, left_size=0.5)
    assert left.batch_size == 4 and left.num_samples == 14
    for kwargs, message in [(dict(), "at least one"), (dict(left_size=1.5), "(0, 1)"), (dict(left_size=25), "(0, 25)"),
                            (dict(left_size=0.7, right_size=0.5), "at most 1"), (dict(left_size="a"), "int")]:
        with pytest.raises((ValueError, TypeError)) as info:
            split_dataset((x, y), **kwargs)
        assert message in str(info.value)
    with pytest.raises(ValueError, match="same length"):
        split_dataset((x, y[:3]), left_size=0.5)


def test_dataset_tf_methods():
    ds = Dataset(lambda idx: (np.asarray(idx) * 10, np.asarray(idx)), 10, batch_size=3)
    assert len(ds) == 4 and ds[-1][1].tolist() == [9]
    assert [b[1].tolist() for b in ds.take(2)] == [[0, 1, 2], [3, 4, 5]]
    assert [b[1].tolist() for b in ds.skip(3)] == [[9]]
    assert ds.map(lambda x, y: (x + 1, y))[0][0].tolist() == [1, 11, 21]
    assert ds.unbatch()[4][1] == 4 and len(ds.unbatch().batch(4, drop_remainder=True)) == 2
    assert ds.prefetch(2) is ds and ds.cardinality() == 4
    shuffled = ds.shuffle(100, seed=1)
    assert sorted(np.concatenate([b[1] for b in shuffled]).tolist()) == list(range(10))
    calls = []
    cached = Dataset(lambda idx: calls.append(list(idx)) or np.asarray(idx), 4, 2).cache()
    list(cached)
    list(cached)
    assert calls == [[0, 1], [2, 3]]
    with pytest.raises(IndexError):
        ds[4]
    with pytest.raises(ValueError, match="already batched"):
        ds.batch(2)


def _write_images(root, rng, sizes=((13, 17), (20, 9))):
    from PIL import Image
    for name in ("cat", "dog"):
        (root / name).mkdir(parents=True)
        for i in range(4):
            h, w = sizes[i % 2]
            Image.fromarray((rng.random((h, w, 3)) * 255).astype("uint8")).save(root / name / f"{i}.png")
    (root / "cat" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()


def test_image_dataset_from_directory(tmp_path, rng):
    pytest.importorskip("PIL")
    _write_images(tmp_path / "imgs", rng)
    ds = image_dataset_from_directory(tmp_path / "imgs", image_size=(8, 10), batch_size=3, shuffle=False,
                                      verbose=False)
    assert ds.class_names == ["cat", "dog"] and len(ds.file_paths) == 8
    x, y = ds[0]
    assert x.shape == (3, 8, 10, 3) and x.dtype == np.float32 and y.dtype == np.int32 and 0 <= x.min() <= x.max() <= 255
    assert np.concatenate([b[1] for b in ds]).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    cat, dog = image_dataset_from_directory(tmp_path / "imgs", image_size=8, label_mode="categorical",
                                            color_mode="grayscale", validation_split=0.25, subset="both", seed=3,
                                            verbose=False)
    assert len(cat.file_paths) == 6 and len(dog.file_paths) == 2 and not set(cat.file_paths) & set(dog.file_paths)
    xb, yb = cat[0]
    assert xb.shape == (6, 8, 8, 1) and yb.shape == (6, 2) and yb.sum(1).tolist() == [1.0] * 6
    binary = image_dataset_from_directory(tmp_path / "imgs", image_size=(4, 4), label_mode="binary", verbose=False,
                                          seed=1)
    assert binary[0][1].shape == (8, 1) and binary[0][1].dtype == np.float32
    only = image_dataset_from_directory(tmp_path / "imgs", labels=None, image_size=(4, 4), verbose=False)
    assert only[0].shape == (8, 4, 4, 3)
    for kwargs, message in [(dict(color_mode="cmyk"), "color_mode"), (dict(image_size=(0, 4)), "image_size"),
                            (dict(label_mode="sparse"), "label_mode"), (dict(validation_split=0.2), "subset"),
                            (dict(validation_split=0.2, subset="training"), "seed"),
                            (dict(interpolation="cubic"), "interpolation")]:
        with pytest.raises(ValueError) as info:
            image_dataset_from_directory(tmp_path / "imgs", verbose=False, **kwargs)
        assert message in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ValueError, match="does not exist"):
        image_dataset_from_directory(tmp_path / "missing")


def test_text_dataset_from_directory(tmp_path):
    for name, texts in (("neg", ["bad film", "awful"]), ("pos", ["great film", "loved it", "fine"])):
        (tmp_path / "t" / name).mkdir(parents=True)
        for i, text in enumerate(texts):
            (tmp_path / "t" / name / f"{i}.txt").write_text(text)
    ds = text_dataset_from_directory(tmp_path / "t", batch_size=2, shuffle=False, verbose=False)
    texts, labels = ds[0]
    assert texts.tolist() == ["bad film", "awful"] and labels.tolist() == [0, 0] and ds.class_names == ["neg", "pos"]
    short = text_dataset_from_directory(tmp_path / "t", batch_size=None, max_length=3, shuffle=False, verbose=False)
    assert short[2][0] == "gre"
    only = text_dataset_from_directory(tmp_path / "t", labels=None, shuffle=False, verbose=False)
    assert len(only[0]) == 5
    listed = text_dataset_from_directory(tmp_path / "t", labels=[1, 0, 1, 0, 1], shuffle=False, verbose=False)
    assert listed[0][1].tolist() == [1, 0, 1, 0, 1] and listed.class_names == ["0", "1"]
    with pytest.raises(ValueError, match="one label per file"):
        text_dataset_from_directory(tmp_path / "t", labels=[1, 0], verbose=False)


def test_missing_pillow_is_one_clear_line(monkeypatch, tmp_path):
    import builtins
    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_pil)
    with pytest.raises(ImportError) as info:
        image_dataset_from_directory(tmp_path)
    assert "neuronet[image]" in str(info.value) and "\n" not in str(info.value)
