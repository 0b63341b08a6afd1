"""Small variables updated together, packed into flat buffers (optimizers/flat.py), give exactly the
numbers of updating each variable alone with its readable ``update_step``."""

import numpy as np
import pytest

import neuronet
from neuronet import optimizers
from neuronet.optimizers.flat import FLAT_MAX_SIZE

SHAPES = [(20, 64), (64,), (64, 10), (10,), (200, 100), ()]  # (200, 100) is above FLAT_MAX_SIZE: in place


def _variables(dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    return [neuronet.Variable(rng.standard_normal(shape).astype(dtype), dtype=dtype, name=f"v{i}")
            for i, shape in enumerate(SHAPES)]


def _grads(step, dtype="float32"):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]


def _one_by_one(optimizer):
    """The same optimizer with packing off: every variable through update_step."""
    optimizer._flat_group = lambda variables: ((), None)
    return optimizer


MAKERS = {
    "adam": lambda: optimizers.Adam(1e-2),
    "adam_amsgrad": lambda: optimizers.Adam(1e-2, amsgrad=True),
    "adamw": lambda: optimizers.AdamW(1e-2, weight_decay=0.1),
    "sgd": lambda: optimizers.SGD(0.1),
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "rmsprop_centered": lambda: optimizers.RMSprop(1e-2, momentum=0.5, centered=True),
    "adagrad": lambda: optimizers.Adagrad(0.1),
    "adamax": lambda: optimizers.Adamax(1e-2),
    "nadam": lambda: optimizers.Nadam(1e-2),  # no array form: one by one either way
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(MAKERS))
def test_packed_updates_equal_one_by_one(name, dtype):
    packed_vars, alone_vars = _variables(dtype), _variables(dtype)
    packed, alone = MAKERS[name](), _one_by_one(MAKERS[name]())
    for step in range(4):
        grads = _grads(step, dtype)
        packed.apply(grads, packed_vars)
        alone.apply([g.copy() for g in grads], alone_vars)
    for a, b in zip(packed_vars, alone_vars):
        assert a.data.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a.data, b.data)
    state_a, state_b = packed.state_dict(), alone.state_dict()
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        np.testing.assert_array_equal(state_a[key], state_b[key])


def test_small_variables_share_one_buffer_and_large_ones_stay_alone():
    variables = _variables()
    opt = optimizers.Adam()
    opt.apply(_grads(0), variables)
    _, packed, group = opt._flat
    assert group is not None
    small = [i for i, shape in enumerate(SHAPES) if int(np.prod(shape)) <= FLAT_MAX_SIZE]
    assert list(packed) == small
    for i in small:
        assert np.shares_memory(variables[i].data, group.params)
        assert np.shares_memory(opt._slots_of(variables[i])["momentum"], group.slots["momentum"])
    big = SHAPES.index((200, 100))
    assert not np.shares_memory(variables[big].data, group.params)


def test_a_replaced_array_is_packed_again_not_updated_on_a_stale_copy():
    packed_vars, alone_vars = _variables(), _variables()
    packed, alone = optimizers.Adam(1e-2), _one_by_one(optimizers.Adam(1e-2))
    packed.apply(_grads(0), packed_vars)
    alone.apply(_grads(0), alone_vars)
    fresh = np.full((64,), 0.5, np.float32)
    packed_vars[1].data = fresh.copy()  # the user swaps the array of a packed variable
    alone_vars[1].data = fresh.copy()
    packed.apply(_grads(1), packed_vars)
    alone.apply(_grads(1), alone_vars)
    for a, b in zip(packed_vars, alone_vars):
        np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(packed_vars[1].data, fresh)  # the update reached the new array


def test_missing_gradients_leave_their_variables_untouched():
    packed_vars, alone_vars = _variables(), _variables()
    packed, alone = optimizers.Adam(1e-2), _one_by_one(optimizers.Adam(1e-2))
    for step in range(3):
        grads = _grads(step)
        if step == 1:
            grads[1] = None  # no gradient reached the first bias this step
        before = packed_vars[1].data.copy()
        packed.apply(grads, packed_vars)
        alone.apply(grads, alone_vars)
        if step == 1:
            np.testing.assert_array_equal(packed_vars[1].data, before)
    for a, b in zip(packed_vars, alone_vars):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_round_trip_through_packed_slots():
    variables = _variables()
    opt = optimizers.Adam(1e-2)
    for step in range(2):
        opt.apply(_grads(step), variables)
    state = opt.state_dict()
    twin_vars = [neuronet.Variable(v.data.copy(), name=v.name) for v in variables]
    twin = optimizers.Adam(1e-2)
    twin.build(twin_vars)
    twin.apply([np.zeros(s, np.float32) for s in SHAPES], twin_vars)  # packs the twin's slots first
    for v, w in zip(variables, twin_vars):
        w.data[...] = v.data
    twin.load_state_dict(state)  # written into the packed slot views
    grads = _grads(5)
    opt.apply(grads, variables)
    twin.apply(grads, twin_vars)
    for v, w in zip(variables, twin_vars):
        np.testing.assert_array_equal(v.data, w.data)


def test_a_model_trains_the_same_packed_or_not():
    def run(pack: bool):
        neuronet.config.set_random_seed(3)
        model = neuronet.Sequential([neuronet.Input((6,)), neuronet.layers.Dense(8, activation="relu"),
                                     neuronet.layers.Dense(3)])
        opt = optimizers.Adam(1e-2)
        if not pack:
            _one_by_one(opt)
        model.compile(optimizer=opt, loss=neuronet.losses.SparseCategoricalCrossentropy(from_logits=True))
        rng = np.random.default_rng(0)
        x = rng.standard_normal((64, 6)).astype("float32")
        y = rng.integers(0, 3, 64)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        return [w.copy() for w in model.get_weights()]

    for a, b in zip(run(True), run(False)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("name", ["adam", "sgd_nesterov", "rmsprop_centered"])
def test_large_variables_updated_in_slices_give_the_same_bits(name, parallel, monkeypatch):
    from neuronet import runtime

    rng = np.random.default_rng(7)
    start = rng.standard_normal((600, 500)).astype("float32")  # 300k elements: cut into slices
    grads = [rng.standard_normal((600, 500)).astype("float32") for _ in range(3)]
    sliced, whole = neuronet.Variable(start.copy()), neuronet.Variable(start.copy())
    opt_sliced, opt_whole = MAKERS[name](), MAKERS[name]()
    ran = []
    real = runtime.threads.run_slices
    monkeypatch.setattr(runtime.threads, "run_slices", lambda *a: ran.append(len(a[1])) or real(*a))
    with runtime.policy_override(num_threads=2, parallel=parallel, threaded_blas_macs=None):
        for g in grads:
            opt_sliced.apply([g], [sliced])
    assert ran and all(n == 2 for n in ran)  # the update did run in slices
    with runtime.policy_override(num_threads=1):
        for g in grads:
            opt_whole.apply([g], [whole])
    np.testing.assert_array_equal(sliced.data, whole.data)
    for key, value in opt_sliced.state_dict().items():
        np.testing.assert_array_equal(value, opt_whole.state_dict()[key])
