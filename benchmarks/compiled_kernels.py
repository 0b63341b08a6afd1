"""What a compiled kernel would gain where NumPy is the ceiling: measured, not adopted.

neuronet's ops are NumPy; each elementwise NumPy call is one pass over memory, and transcendentals
(tanh) run at NumPy's speed. This script times, on one thread, the NumPy code neuronet runs today
against the same formula compiled with Numba (an optional package; nothing in neuronet imports it):

- **Adam over the mlp's 670k parameters**: neuronet's ``Adam._update_arrays`` (a dozen passes over
  the gradient, the values, two slots and a scratch array) against one fused loop (one pass);
- **one LSTM time step's elementwise work** (batch 64, 128 units, the lstm workload's): the gates'
  activations and the cell update as ``LSTMSequence._forward`` runs them (tanh of the four gate blocks,
  ½·t + ½ for the sigmoid gates, c = f·c + i·g, h = o·tanh(c)), against one fused loop with the same
  arithmetic.

Both compiled versions are checked against the NumPy results before timing (float32, tolerance 1e-6
relative). Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/compiled_kernels.py        # needs `pip install numba`
"""

from __future__ import annotations

import math
import statistics
import sys
import time

import numpy as np


def best_us(fn, repeats: int = 7, number: int = 50) -> tuple:
    """(min, median) µs per call over ``repeats`` blocks of ``number`` calls (CPU time of this process)."""
    fn()
    blocks = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(number):
            fn()
        blocks.append((time.process_time() - start) / number * 1e6)
    return min(blocks), statistics.median(blocks)


def adam_numpy(g, var, m, v, s, alpha, b1, b2, eps):
    """neuronet's Adam update on arrays (optimizers/adam.py, without amsgrad)."""
    np.subtract(g, m, out=s)
    s *= 1.0 - b1
    m += s
    np.multiply(g, g, out=s)
    s -= v
    s *= 1.0 - b2
    v += s
    np.sqrt(v, out=s)
    s += eps
    np.divide(m, s, out=s)
    s *= alpha
    var -= s


def lstm_step_numpy(z, c_prev, c, h):
    """The elementwise part of one LSTM step as LSTMSequence._forward runs it: z holds the step's
    [a_i/2, a_f/2, a_o/2, a_c] (4·units, batch) after the product; writes c_t and h_t."""
    u = c.shape[0]
    np.tanh(z, out=z)
    gates = z[:3 * u]
    gates *= 0.5
    gates += 0.5
    i, f, o, g = z[:u], z[u:2 * u], z[2 * u:3 * u], z[3 * u:]
    np.multiply(i, g, out=c)
    tmp = f * c_prev
    c += tmp
    np.tanh(c, out=h)
    h *= o


def main() -> int:
    try:
        import numba
    except ImportError:
        print("numba is not installed (pip install numba): nothing to compare")
        return 0

    @numba.njit(cache=False, fastmath=True)
    def adam_fused(g, var, m, v, alpha, one_minus_b1, one_minus_b2, eps):
        for k in range(g.size):  # float32 throughout (the arguments are float32 scalars)
            gk = g[k]
            mk = m[k] + (gk - m[k]) * one_minus_b1
            vk = v[k] + (gk * gk - v[k]) * one_minus_b2
            m[k] = mk
            v[k] = vk
            var[k] -= alpha * mk / (np.sqrt(vk) + eps)

    @numba.njit(cache=False, fastmath=True)
    def lstm_step_fused(z, c_prev, c, h):
        u, batch = c.shape
        for j in range(u):
            for b in range(batch):
                i = np.float32(0.5) * np.tanh(z[j, b]) + np.float32(0.5)
                f = np.float32(0.5) * np.tanh(z[u + j, b]) + np.float32(0.5)
                o = np.float32(0.5) * np.tanh(z[2 * u + j, b]) + np.float32(0.5)
                g = np.tanh(z[3 * u + j, b])
                ct = i * g + f * c_prev[j, b]
                c[j, b] = ct
                h[j, b] = o * np.tanh(ct)

    rng = np.random.default_rng(0)
    f32 = np.float32
    print(f"numba {numba.__version__}, NumPy {np.__version__}; CPU µs per call on one thread (min / median)")

    # Adam over the mlp's parameters (784·512 + 512 + 512·512 + 512 + 512·10 + 10 = 669,706)
    n = 669_706
    g = rng.standard_normal(n, dtype=f32) * f32(0.01)
    start = rng.standard_normal(n, dtype=f32)
    alpha, b1, b2, eps = 1e-3 * math.sqrt(1 - 0.999**3) / (1 - 0.9**3), 0.9, 0.999, 1e-7
    var_a, m_a, v_a, s_a = start.copy(), np.zeros(n, f32), np.zeros(n, f32), np.empty(n, f32)
    var_b, m_b, v_b = start.copy(), np.zeros(n, f32), np.zeros(n, f32)
    adam_numpy(g, var_a, m_a, v_a, s_a, alpha, b1, b2, eps)
    adam_fused(g, var_b, m_b, v_b, f32(alpha), f32(1 - b1), f32(1 - b2), f32(eps))
    np.testing.assert_allclose(var_b, var_a, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(m_b, m_a, rtol=1e-6, atol=1e-9)
    numpy_us = best_us(lambda: adam_numpy(g, var_a, m_a, v_a, s_a, alpha, b1, b2, eps), number=20)
    fused_us = best_us(lambda: adam_fused(g, var_b, m_b, v_b, f32(alpha), f32(1 - b1), f32(1 - b2), f32(eps)),
                       number=20)
    print(f"Adam, 669,706 parameters:   NumPy {numpy_us[0]:8.1f} / {numpy_us[1]:8.1f}   fused {fused_us[0]:8.1f} / "
          f"{fused_us[1]:8.1f}   gain {numpy_us[0] / fused_us[0]:.2f}×")

    # one LSTM step's elementwise work, batch 64 × 128 units
    u, batch = 128, 64
    z0 = rng.standard_normal((4 * u, batch), dtype=f32)
    c_prev = rng.standard_normal((u, batch), dtype=f32)
    za, ca, ha = z0.copy(), np.empty((u, batch), f32), np.empty((u, batch), f32)
    cb, hb = np.empty((u, batch), f32), np.empty((u, batch), f32)
    lstm_step_numpy(za, c_prev, ca, ha)
    lstm_step_fused(z0, c_prev, cb, hb)
    np.testing.assert_allclose(cb, ca, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hb, ha, rtol=1e-5, atol=1e-6)

    def numpy_step():
        np.copyto(za, z0)
        lstm_step_numpy(za, c_prev, ca, ha)

    numpy_us = best_us(numpy_step, number=200)
    fused_us = best_us(lambda: lstm_step_fused(z0, c_prev, cb, hb), number=200)
    copy_us = best_us(lambda: np.copyto(za, z0), number=200)
    print(f"LSTM step (64 × 128 units): NumPy {numpy_us[0] - copy_us[0]:8.1f} / {numpy_us[1] - copy_us[1]:8.1f}   "
          f"fused {fused_us[0]:8.1f} / {fused_us[1]:8.1f}   gain {(numpy_us[0] - copy_us[0]) / fused_us[0]:.2f}×  "
          "(NumPy figures without the copy that restores z)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
