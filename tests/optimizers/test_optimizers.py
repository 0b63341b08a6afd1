"""neuronet.optimizers: every update against Keras 3's formula written out in NumPy and against PyTorch
where the formulas agree; clipping, weight decay, constraints, state_dict resume, dtypes, registry."""

import json
import math

import numpy as np
import pytest

import neuronet
from neuronet import optimizers
from neuronet.optimizers import schedules

SHAPES = [(3, 4), (4,)]
STEPS = 5


def _grads(seed=0, steps=STEPS, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def _start(seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(dtype) for s in SHAPES]


def _run(opt, grads_per_step, start=None, dtype=np.float64):
    variables = [neuronet.Variable(w, dtype=dtype) for w in (start or _start(dtype=dtype))]
    for grads in grads_per_step:
        opt.apply(grads, variables)
    return [v.data for v in variables]


# ------------------------------------------------------------------ Keras 3 formulas, written out
def keras_reference(name, cfg, grads_per_step, start):
    """The Keras 3 update rules, transcribed from its optimizer sources into plain NumPy."""
    ws = [w.copy() for w in start]
    lr = cfg.get("learning_rate", 0.01 if name == "sgd" else 0.001)
    state = [dict() for _ in ws]
    u_product = 1.0
    for it, grads in enumerate(grads_per_step):
        t = it + 1
        if name == "nadam":
            u_product *= cfg.get("beta_1", 0.9) * (1 - 0.5 * 0.96**t)
        for w, g, st in zip(ws, grads, state):
            if name == "sgd":
                mom = cfg.get("momentum", 0.0)
                if mom:
                    m = st.setdefault("m", np.zeros_like(w))
                    m[...] = -g * lr + m * mom
                    w += (-g * lr + m * mom) if cfg.get("nesterov") else m
                else:
                    w -= g * lr
            elif name == "rmsprop":
                rho, mom, eps = cfg.get("rho", 0.9), cfg.get("momentum", 0.0), cfg.get("epsilon", 1e-7)
                v = st.setdefault("v", np.zeros_like(w))
                v[...] = rho * v + (1 - rho) * g**2
                if cfg.get("centered"):
                    a = st.setdefault("a", np.zeros_like(w))
                    a[...] = rho * a + (1 - rho) * g
                    denom = v - a**2 + eps
                else:
                    denom = v + eps
                inc = lr * g / np.sqrt(denom)
                if mom > 0:
                    b = st.setdefault("b", np.zeros_like(w))
                    b[...] = mom * b + inc
                    w -= b
                else:
                    w -= inc
            elif name == "adagrad":
                acc = st.setdefault("acc", np.full_like(w, cfg.get("initial_accumulator_value", 0.1)))
                acc += g**2
                w -= lr * g / np.sqrt(acc + cfg.get("epsilon", 1e-7))
            elif name == "adadelta":
                rho, eps = cfg.get("rho", 0.95), cfg.get("epsilon", 1e-7)
                ag = st.setdefault("ag", np.zeros_like(w))
                ad = st.setdefault("ad", np.zeros_like(w))
                ag[...] = rho * ag + (1 - rho) * g**2
                delta = -np.sqrt(ad + eps) * g / np.sqrt(ag + eps)
                ad[...] = rho * ad + (1 - rho) * delta**2
                w += lr * delta
            elif name in ("adam", "adamw"):
                b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
                wd = cfg.get("weight_decay", 0.004 if name == "adamw" else None)
                if wd:
                    w -= w * wd * lr
                m = st.setdefault("m", np.zeros_like(w))
                v = st.setdefault("v", np.zeros_like(w))
                alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
                m += (g - m) * (1 - b1)
                v += (g**2 - v) * (1 - b2)
                if cfg.get("amsgrad"):
                    vh = st.setdefault("vh", np.zeros_like(w))
                    vh[...] = np.maximum(vh, v)
                    v = vh
                w -= alpha * m / (np.sqrt(v) + eps)
            elif name == "adamax":
                b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
                m = st.setdefault("m", np.zeros_like(w))
                u = st.setdefault("u", np.zeros_like(w))
                m += (g - m) * (1 - b1)
                u[...] = np.maximum(b2 * u, np.abs(g))
                w -= lr * m / ((1 - b1**t) * (u + eps))
            elif name == "nadam":
                b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
                m = st.setdefault("m", np.zeros_like(w))
                v = st.setdefault("v", np.zeros_like(w))
                u_t = b1 * (1 - 0.5 * 0.96**t)
                u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
                m += (g - m) * (1 - b1)
                v += (g**2 - v) * (1 - b2)
                m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
                v_hat = v / (1 - b2**t)
                w -= m_hat * lr / (np.sqrt(v_hat) + eps)
            elif name == "lion":
                b1, b2 = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.99)
                m = st.setdefault("m", np.zeros_like(w))
                w -= lr * np.sign(b1 * m + (1 - b1) * g)
                m[...] = b2 * m + (1 - b2) * g
            elif name == "lamb":
                b1, b2, eps = cfg.get("beta_1", 0.9), cfg.get("beta_2", 0.999), cfg.get("epsilon", 1e-7)
                m = st.setdefault("m", np.zeros_like(w))
                v = st.setdefault("v", np.zeros_like(w))
                m += (g - m) * (1 - b1)
                v += (g**2 - v) * (1 - b2)
                step = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
                w_norm, s_norm = np.sqrt((w**2).sum()), np.sqrt((step**2).sum())
                w -= lr * (w_norm / s_norm if w_norm > 0 and s_norm > 0 else 1.0) * step
            elif name == "ftrl":
                power = -cfg.get("learning_rate_power", -0.5)
                l1 = cfg.get("l1_regularization_strength", 0.0)
                l2 = cfg.get("l2_regularization_strength", 0.0) + cfg.get("beta", 0.0) / (2 * lr)
                n = st.setdefault("n", np.full_like(w, cfg.get("initial_accumulator_value", 0.1)))
                z = st.setdefault("z", np.zeros_like(w))
                n_new = n + g**2
                z += g + 2 * cfg.get("l2_shrinkage_regularization_strength", 0.0) * w \
                    - (n_new**power - n**power) / lr * w
                w[...] = (np.clip(z, -l1, l1) - z) / (n_new**power / lr + 2 * l2)
                n[...] = n_new
    return ws


CASES = [
    ("sgd", {}), ("sgd", {"momentum": 0.9}), ("sgd", {"momentum": 0.9, "nesterov": True, "learning_rate": 0.1}),
    ("rmsprop", {}), ("rmsprop", {"momentum": 0.5, "centered": True}), ("rmsprop", {"momentum": 0.9}),
    ("adagrad", {}), ("adagrad", {"initial_accumulator_value": 0.5, "learning_rate": 0.1}),
    ("adadelta", {}), ("adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    ("adam", {}), ("adam", {"amsgrad": True, "learning_rate": 0.01}), ("adam", {"beta_1": 0.5, "epsilon": 1e-3}),
    ("adamw", {}), ("adamw", {"weight_decay": 0.1, "learning_rate": 0.01}),
    ("adamax", {}), ("nadam", {}), ("nadam", {"learning_rate": 0.01, "beta_1": 0.8}),
    ("lion", {}), ("lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    ("lamb", {}), ("lamb", {"learning_rate": 0.01, "beta_1": 0.8, "epsilon": 1e-3}),
    ("ftrl", {}), ("ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7, "l1_regularization_strength": 0.05,
                            "l2_regularization_strength": 0.1, "l2_shrinkage_regularization_strength": 0.01,
                            "beta": 0.2, "initial_accumulator_value": 0.3}),
]


@pytest.mark.parametrize("name,cfg", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_keras_formula(name, cfg):
    grads = _grads()
    opt = optimizers.get(name).__class__(**cfg)
    got = _run(opt, grads)
    want = keras_reference(name, cfg, grads, _start())
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert opt.iterations == STEPS


# ------------------------------------------------------------------ PyTorch, where formulas agree
TORCH_CASES = [
    # (ours, torch class name, torch kwargs); ε is tiny where the two place it differently
    ("SGD", {"learning_rate": 0.1}, "SGD", {"lr": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}, "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, "SGD",
     {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {"learning_rate": 0.01, "epsilon": 1e-14}, "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-14}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "epsilon": 1e-14}, "RMSprop",
     {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "eps": 1e-14}),
    ("Adagrad", {"learning_rate": 0.1, "epsilon": 1e-14}, "Adagrad",
     {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-14}),
    ("Adadelta", {"learning_rate": 1.0}, "Adadelta", {"lr": 1.0, "rho": 0.95, "eps": 1e-7}),
    ("Adam", {"learning_rate": 0.01, "epsilon": 1e-14}, "Adam", {"lr": 0.01, "eps": 1e-14}),
    ("Adam", {"learning_rate": 0.01, "epsilon": 1e-14, "amsgrad": True}, "Adam",
     {"lr": 0.01, "eps": 1e-14, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01, "epsilon": 1e-14, "weight_decay": 0.1}, "AdamW",
     {"lr": 0.01, "eps": 1e-14, "weight_decay": 0.1}),
    ("Adamax", {"learning_rate": 0.01, "epsilon": 1e-14}, "Adamax", {"lr": 0.01, "eps": 1e-14}),
    ("Nadam", {"learning_rate": 0.01}, "NAdam", {"lr": 0.01, "eps": 1e-7, "momentum_decay": 1.0}),
]


@pytest.mark.parametrize("ours,cfg,theirs,tcfg", TORCH_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(TORCH_CASES)])
@pytest.mark.parametrize("steps", [1, STEPS])
def test_matches_torch(ours, cfg, theirs, tcfg, steps):
    torch = pytest.importorskip("torch")
    grads = _grads(steps=steps)
    got = _run(getattr(optimizers, ours)(**cfg), grads)
    params = [torch.tensor(w, requires_grad=True) for w in _start()]
    topt = getattr(torch.optim, theirs)(params, **tcfg)
    for step in grads:
        for p, g in zip(params, step):
            p.grad = torch.tensor(g)
        topt.step()
    for a, p in zip(got, params):
        np.testing.assert_allclose(a, p.detach().numpy(), atol=1e-6, rtol=0)


def test_adam_epsilon_placement_differs_from_torch_as_documented():
    # Keras's ε sits outside the bias correction: with a large ε the two visibly differ
    torch = pytest.importorskip("torch")
    grads = _grads(steps=1)
    got = _run(optimizers.Adam(learning_rate=0.1, epsilon=1.0), grads)
    params = [torch.tensor(w, requires_grad=True) for w in _start()]
    topt = torch.optim.Adam(params, lr=0.1, eps=1.0 / math.sqrt(1 - 0.999))  # ε / √(1 - β₂ᵗ) at t = 1
    for p, g in zip(params, grads[0]):
        p.grad = torch.tensor(g)
    topt.step()
    for a, p in zip(got, params):
        np.testing.assert_allclose(a, p.detach().numpy(), atol=1e-12)


# ------------------------------------------------------------------ clipping
def test_clipnorm_per_variable():
    g = [np.array([3.0, 4.0]), np.array([0.3, 0.4])]  # norms 5 and 0.5
    v = [neuronet.Variable(np.zeros(2), dtype="float64") for _ in g]
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply(g, v)
    np.testing.assert_allclose(v[0].data, [-0.6, -0.8])  # g · 1 / max(5, 1)
    np.testing.assert_allclose(v[1].data, [-0.3, -0.4])  # within the limit: unchanged


def test_global_clipnorm_and_clipvalue():
    g = [np.array([3.0, 0.0]), np.array([0.0, 4.0])]  # global norm 5
    v = [neuronet.Variable(np.zeros(2), dtype="float64") for _ in g]
    optimizers.SGD(learning_rate=1.0, global_clipnorm=2.5).apply(g, v)
    np.testing.assert_allclose(v[0].data, [-1.5, 0.0])
    np.testing.assert_allclose(v[1].data, [0.0, -2.0])
    v = neuronet.Variable(np.zeros(3), dtype="float64")
    optimizers.SGD(learning_rate=1.0, clipvalue=0.5).apply([np.array([-2.0, 0.1, 3.0])], [v])
    np.testing.assert_allclose(v.data, [0.5, -0.1, -0.5])


@pytest.mark.parametrize("kwargs", [{"clipnorm": 1.0, "clipvalue": 1.0}, {"clipnorm": 1.0, "global_clipnorm": 1.0},
                                    {"clipvalue": 1.0, "global_clipnorm": 1.0}])
def test_only_one_clipping_option(kwargs):
    with pytest.raises(ValueError, match="only one of clipnorm, clipvalue and global_clipnorm"):
        optimizers.Adam(**kwargs)


@pytest.mark.parametrize("name", sorted(optimizers._CLASSES))
def test_gradients_are_never_written_to(name):
    grads = _grads(steps=2)
    for step in grads:
        for g in step:
            g.flags.writeable = False
    before = [[g.copy() for g in step] for step in grads]
    _run(optimizers.get(name).__class__(clipnorm=0.5), grads)
    _run(optimizers.get(name), grads)
    for step, old in zip(grads, before):
        for g, o in zip(step, old):
            np.testing.assert_array_equal(g, o)


# ------------------------------------------------------------------ weight decay, constraints, step()
def test_weight_decay_is_decoupled_and_can_exclude_variables():
    w = neuronet.Variable(np.array([2.0]), dtype="float64", name="kernel")
    b = neuronet.Variable(np.array([2.0]), dtype="float64", name="bias")
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.array([1.0]), np.array([1.0])], [w, b])
    np.testing.assert_allclose(w.data, [2.0 - 2.0 * 0.5 * 0.1 - 0.1])
    np.testing.assert_allclose(b.data, [2.0 - 0.1])


@pytest.mark.parametrize("constraint", [lambda w: np.clip(w, 0.0, None), lambda w: neuronet.ops.relu(w)])
def test_constraint_applied_after_the_update(constraint):
    v = neuronet.Variable(np.array([0.5, -0.5]), dtype="float64", constraint=constraint)
    optimizers.SGD(learning_rate=1.0).apply([np.array([-1.0, 1.0])], [v])
    np.testing.assert_allclose(v.data, [1.5, 0.0])
    assert v.grad is None and v._ctx is None


def test_step_uses_grad_and_skips_none():
    a = neuronet.Variable(np.ones(2), dtype="float64")
    b = neuronet.Variable(np.ones(2), dtype="float64")
    a.grad = np.array([1.0, 2.0])
    opt = optimizers.SGD(learning_rate=0.5)
    opt.step([a, b])
    np.testing.assert_allclose(a.data, [0.5, 0.0])
    np.testing.assert_allclose(b.data, [1.0, 1.0])
    assert opt.iterations == 1
    opt.apply_gradients(zip([np.array([1.0, 1.0])], [b]))
    np.testing.assert_allclose(b.data, [0.5, 0.5])


def test_step_after_backward_trains():
    w = neuronet.Variable(np.array([[1.0], [-1.0]], dtype=np.float32))
    x, y = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32), None
    y = x @ np.array([[0.5], [2.0]], dtype=np.float32)
    opt = optimizers.Adam(learning_rate=0.1)
    first = None
    for _ in range(60):
        w.grad = None
        loss = neuronet.losses.MeanSquaredError()(y, neuronet.Tensor(x) @ w)
        first = first if first is not None else loss.item()
        loss.backward()
        opt.step([w])
    assert loss.item() < 0.05 * first


def test_apply_checks_lengths_and_shapes():
    v = neuronet.Variable(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="one gradient per variable"):
        optimizers.SGD().apply([np.zeros((2, 2)), np.zeros(1)], [v])
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\)"):
        optimizers.SGD().apply([np.zeros(3)], [v])


# ------------------------------------------------------------------ learning rate
def test_learning_rate_readable_and_assignable():
    opt = optimizers.Adam()
    assert opt.learning_rate == 0.001 and isinstance(opt.learning_rate, float)
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5
    v = neuronet.Variable(np.zeros(1), dtype="float64")
    sgd = optimizers.SGD(learning_rate=1.0)
    sgd.apply([np.ones(1)], [v])
    sgd.learning_rate = 0.25
    sgd.apply([np.ones(1)], [v])
    np.testing.assert_allclose(v.data, [-1.25])


def test_schedule_drives_the_rate():
    schedule = schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=schedule)
    v = neuronet.Variable(np.zeros(1), dtype="float64")
    for _ in range(3):
        opt.apply([np.ones(1)], [v])
    np.testing.assert_allclose(v.data, [-(1.0 + 0.5 + 0.25)])
    assert opt.learning_rate == 0.125
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.1


# ------------------------------------------------------------------ state_dict
@pytest.mark.parametrize("name,cfg", [(n, c) for n, c in CASES if c] + [("adam", {"amsgrad": True}),
                                                                      ("sgd", {"momentum": 0.9, "weight_decay": 0.1})])
def test_state_dict_resume_is_bit_identical(name, cfg):
    cls = optimizers.get(name).__class__
    grads = _grads(steps=8, dtype=np.float32)
    whole = _run(cls(**cfg), grads, dtype=np.float32)

    opt = cls(**cfg)
    variables = [neuronet.Variable(w) for w in _start(dtype=np.float32)]
    for step in grads[:4]:
        opt.apply(step, variables)
    state = {k: v.copy() for k, v in opt.state_dict().items()}
    saved = [v.data.copy() for v in variables]
    assert all(isinstance(v, np.ndarray) for v in state.values()) and int(state["iterations"]) == 4

    fresh = cls(**cfg)
    fresh.load_state_dict(state)
    again = [neuronet.Variable(w) for w in saved]
    for step in grads[4:]:
        fresh.apply(step, again)
    for a, b in zip(whole, again):
        np.testing.assert_array_equal(a, b.data)


def test_state_dict_with_a_schedule_resumes_the_rate():
    make = lambda: optimizers.SGD(learning_rate=schedules.InverseTimeDecay(1.0, 1, 1.0), momentum=0.5)  # noqa: E731
    grads = _grads(steps=6)
    whole = _run(make(), grads)
    opt = make()
    variables = [neuronet.Variable(w, dtype="float64") for w in _start()]
    for step in grads[:3]:
        opt.apply(step, variables)
    fresh = make()
    fresh.load_state_dict(opt.state_dict())
    assert "learning_rate" not in opt.state_dict()
    for step in grads[3:]:
        fresh.apply(step, variables)
    for a, b in zip(whole, variables):
        np.testing.assert_array_equal(a, b.data)


def test_load_state_dict_errors():
    opt = optimizers.Adam()
    v = neuronet.Variable(np.zeros((2, 2)))
    opt.apply([np.ones((2, 2))], [v])
    state = opt.state_dict()
    with pytest.raises(ValueError, match="unexpected key '0/accumulator'"):
        optimizers.Adam().load_state_dict({"iterations": np.array(1), "0/accumulator": np.zeros(1)})
    with pytest.raises(ValueError, match="no 'iterations'"):
        optimizers.Adam().load_state_dict({})
    bad = dict(state, **{"0/momentum": np.zeros(3)})
    with pytest.raises(ValueError, match=r"slot '0/momentum' has shape \(3,\), expected \(2, 2\)"):
        opt.load_state_dict(bad)
    late = optimizers.Adam()
    late.load_state_dict(bad)
    with pytest.raises(ValueError, match=r"slot '0/momentum' has shape \(3,\)"):
        late.apply([np.ones((2, 2))], [neuronet.Variable(np.zeros((2, 2)))])


# ------------------------------------------------------------------ dtypes and speed-related invariants
@pytest.mark.parametrize("name", sorted(optimizers._CLASSES))
def test_float32_stays_float32(name):
    cls = optimizers.get(name).__class__
    for opt in (cls(), cls(clipnorm=0.1, learning_rate=schedules.CosineDecay(0.01, 10)), cls(weight_decay=0.01)):
        variables = [neuronet.Variable(w) for w in _start(dtype=np.float32)]
        for step in _grads(steps=3, dtype=np.float32):
            opt.apply(step, variables)
        # float64 gradients for float32 variables must not promote either
        opt.apply([g.astype(np.float64) for g in _grads(steps=1)[0]], variables)
        assert all(v.data.dtype == np.float32 for v in variables)
        assert all(a.dtype == np.float32 for slots in opt._slots for a in slots.values())
        assert all(a.dtype == np.float32 for k, a in opt.state_dict().items() if "/" in k)


def test_slots_are_created_lazily_per_variable():
    opt = optimizers.Adam()
    assert opt.state_dict().keys() == {"iterations", "learning_rate"}
    a, b = neuronet.Variable(np.zeros(2)), neuronet.Variable(np.zeros(3))
    opt.apply([np.ones(2)], [a])
    opt.apply([np.ones(3)], [b])
    assert set(opt.state_dict()) == {"iterations", "learning_rate", "0/momentum", "0/velocity", "1/momentum",
                                     "1/velocity"}
    assert opt.variables == [a, b]


# ------------------------------------------------------------------ validation and registry
@pytest.mark.parametrize("cls,kwargs,message", [
    (optimizers.Adam, {"learning_rate": -0.1}, r"Adam: expected learning_rate >= 0, received -0.1"),
    (optimizers.Adam, {"beta_1": 1.0}, r"Adam: expected beta_1 in \[0, 1\), received 1.0"),
    (optimizers.Adam, {"beta_2": -0.5}, r"expected beta_2 in \[0, 1\), received -0.5"),
    (optimizers.Adam, {"epsilon": -1}, r"expected epsilon >= 0, received -1.0"),
    (optimizers.SGD, {"momentum": 1.5}, r"SGD: expected momentum in \[0, 1\], received 1.5"),
    (optimizers.RMSprop, {"rho": 1.0}, r"expected rho in \[0, 1\), received 1.0"),
    (optimizers.Adagrad, {"initial_accumulator_value": -1}, r"received -1.0"),
    (optimizers.Adadelta, {"rho": 2}, r"expected rho in \[0, 1\], received 2.0"),
    (optimizers.AdamW, {"weight_decay": -0.1}, r"expected weight_decay >= 0, received -0.1"),
    (optimizers.SGD, {"clipnorm": 0}, r"expected clipnorm > 0, received 0.0"),
    (optimizers.Nadam, {"learning_rate": float("nan")}, r"learning_rate >= 0, received nan"),
    (optimizers.Lion, {"beta_1": 0.0}, r"Lion: expected beta_1 in \(0, 1\], received 0.0"),
    (optimizers.Lamb, {"beta_2": 1.0}, r"Lamb: expected beta_2 in \[0, 1\), received 1.0"),
    (optimizers.Ftrl, {"learning_rate_power": 0.5}, r"Ftrl: expected learning_rate_power <= 0, received 0.5"),
    (optimizers.Ftrl, {"l1_regularization_strength": -1}, r"expected l1_regularization_strength >= 0"),
])
def test_hyperparameters_validated(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_unknown_arguments():
    with pytest.raises(TypeError, match="'lr' was renamed 'learning_rate'"):
        optimizers.Adam(lr=0.1)
    with pytest.raises(TypeError, match="unexpected argument 'betta_1'"):
        optimizers.Adam(betta_1=0.1)
    with pytest.raises(ValueError, match="use_ema=True is not supported"):
        optimizers.Adam(use_ema=True)
    optimizers.Adam(use_ema=False)  # Keras's default is accepted


def test_get_names_and_closest_match():
    for name in ("sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "adamax", "nadam", "Adam", "SGD"):
        assert isinstance(optimizers.get(name), optimizers.Optimizer)
    assert optimizers.get("sgd").name == "SGD" and optimizers.get("adam").name == "adam"
    opt = optimizers.RMSprop()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match=r"unknown optimizer 'addam' \(did you mean 'adam'\?\); valid names: adadelta"):
        optimizers.get("addam")


def test_keras_defaults():
    assert optimizers.SGD().get_config()["learning_rate"] == 0.01
    assert (optimizers.RMSprop().rho, optimizers.RMSprop().epsilon) == (0.9, 1e-7)
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adadelta().rho == 0.95
    adam = optimizers.Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (0.001, 0.9, 0.999, 1e-7,
                                                                                          False)
    assert optimizers.AdamW().weight_decay == 0.004


@pytest.mark.parametrize("name", sorted(optimizers._CLASSES))
def test_config_roundtrip(name):
    opt = optimizers.get(name).__class__(learning_rate=schedules.PiecewiseConstantDecay([2], [0.1, 0.01]),
                                         clipnorm=2.0)
    blob = json.loads(json.dumps(optimizers.serialize(opt)))
    again = optimizers.deserialize(blob)
    assert type(again) is type(opt)
    assert again.get_config() == opt.get_config()
    assert again.learning_rate == 0.1
    plain = optimizers.get(name)
    assert type(plain).from_config(plain.get_config()).get_config() == plain.get_config()


def test_callable_learning_rate():
    rate = {"value": 0.5}
    opt = optimizers.SGD(learning_rate=lambda: rate["value"])
    v = neuronet.Variable(np.zeros(1), dtype="float64")
    opt.apply([np.ones(1)], [v])
    rate["value"] = 0.25
    opt.apply([np.ones(1)], [v])
    np.testing.assert_allclose(v.data, [-0.75])
    assert opt.learning_rate == 0.25 and opt.get_config()["learning_rate"] == 0.25
