"""Recurrent ops: a whole sequence of SimpleRNN, LSTM or GRU steps as ONE differentiable op.

Each op runs the forward loop over time on raw arrays and writes backpropagation through time (BPTT)
out beside it, so the autograd graph holds one node per layer call instead of one per time step.
They compute exactly what the cells in :mod:`neuronet.layers.rnn_cells` compute one step at a time
with autograd ops — ``SimpleRNNCell.call``, ``LSTMCell.call`` and ``GRUCell.call`` are the readable
reference, about ten lines each — and tests/ops/test_recurrent.py checks every kernel against its
cell unrolled over time (values and all gradients, float64, with masks, go_backwards and several
blocks of steps). The layout and gate order are Keras's, so weights can be exchanged with Keras
(and, after reordering, with PyTorch):

    SimpleRNN  kernel (features, units)       recurrent_kernel (units, units)      bias (units,)
    LSTM       kernel (features, 4·units)     recurrent_kernel (units, 4·units)    bias (4·units,)
               gates i, f, c, o
    GRU        kernel (features, 3·units)     recurrent_kernel (units, 3·units)    gates z, r, h
               bias (2, 3·units) [input bias; recurrent bias] with reset_after=True, else (3·units,)

What makes them fast on NumPy (see BENCHMARKS.md): the input projections of all steps are one GEMM
before the loop (the LSTM folds them into its step product instead); inside the loop there is one
GEMM with the recurrent kernel and one in-place activation call per gate group, on preallocated
buffers (the activations and their derivatives from the output: ``ops.activations.FUSED_ACTIVATIONS``);
the weight gradients are single GEMMs over all steps (the LSTM's, one per block of steps, while the
block is in cache).

Masks (varying lengths) follow Keras: ``mask`` is a boolean (batch, time) array; at a masked step the
state is carried over unchanged, and the output repeats the previous output (zeros before the first
valid step), or is zero when ``zero_output_for_mask`` is True (as inside Bidirectional).
``recurrent_mask`` (recurrent dropout) is a (batch, units) factor on h_{t-1} wherever it meets the
recurrent kernel.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..autograd import Function
from .activations import FUSED_ACTIVATIONS, fused_activation

__all__ = ["simple_rnn", "lstm", "gru", "RECURRENT_ACTIVATIONS"]

#: Activation names the fused recurrent kernels support (for ``activation`` and ``recurrent_activation``).
RECURRENT_ACTIVATIONS = tuple(FUSED_ACTIVATIONS)


def _activation(name: str):
    """``(act, act_grad)``: the in-place activation and its derivative from the output."""
    return fused_activation(name, "recurrent op")


# ----------------------------------------------------------------------------- shared sequence logic
class _SequenceOp(Function):
    """Shared bookkeeping of the recurrent ops: layout, masks, outputs and their gradients.

    Internally a step's arrays are *transposed*: states are (units, batch) and pre-activations
    (gates·units, batch), stacked over time as (time, ·, batch). Then every gate is a block of
    contiguous rows, so each elementwise pass runs on contiguous memory (on (batch, gates·units) rows a
    gate is a strided column block, which NumPy walks several times slower), and the step's product
    is one GEMM, ``recurrent_kernelᵀ @ h``. ``self.valid`` (time, 1, batch) marks the unmasked steps in
    processing order; ``self.weight`` is the 0/1 factor from the state sequence to the output sequence
    (see the module docstring). Subclasses write the loops in ``_forward`` and ``_backward``, for the
    samples they are given.
    """

    STATES = 1       # initial states that follow x in the arguments (LSTM: h and c)
    BLOCK = 8        # steps whose forward-only factors the backward computes together

    # Samples are independent, so the runtime may run the forward on slices of the batch, each slice
    # as an op of its own that keeps its state until its backward (neuronet.runtime.stateful; extra
    # slices run in helper processes on Linux). A subclass with a KIND is entered in the runtime's
    # table of ops a helper process may run.
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "KIND" in cls.__dict__:
            runtime.register_slice_op(cls)

    def forward(self, *args, mask=None, recurrent_mask=None, **kwargs):
        x, batched = args[0], 1 + self.STATES
        _, steps, features = x.shape
        units, gates = args[1].shape[1], args[batched + 1].shape[1]
        self.run = runtime.forward_in_slices(
            self, args, batched=batched, keyword_arrays={"mask": mask, "recurrent_mask": recurrent_mask},
            options=kwargs, work_per_row=steps * gates * (features + units))  # the products per sample
        return self.run.outputs

    def backward(self, gy):
        return self.run.backward(gy, self.needs_input_grad)

    @classmethod
    def _reply_nbytes(cls, args, options) -> int:
        """An upper bound of the bytes a slice's forward or backward results take (``args``: the
        slice's arguments of ``_forward``)."""
        x, h0 = args[0], args[1]
        out = h0.nbytes * (x.shape[1] if options.get("return_sequences", True) else 1)
        grads = x.nbytes + cls.STATES * h0.nbytes + sum(a.nbytes for a in args[1 + cls.STATES:] if a is not None)
        return max(out + cls.STATES * h0.nbytes, grads) + 64 * (len(args) + 2)

    def _blocks_backward(self, steps: int) -> list:
        """Slices of :attr:`BLOCK` steps from the last step to the first, the order BPTT visits them."""
        return [slice(max(stop - self.BLOCK, 0), stop) for stop in range(steps, 0, -self.BLOCK)]

    def _prepare(self, x, mask, go_backwards, zero_output_for_mask, recurrent_mask, copy_x=True):
        """Masks, the step order and ``self.xt``: x as (time, features, batch), a contiguous copy unless
        ``copy_x`` is False (then a view, for an op that copies it into a buffer of its own)."""
        batch, steps, _ = x.shape
        self.batch, self.steps, self.go_backwards = batch, steps, go_backwards
        xt = x.transpose(1, 2, 0)                                    # (time, features, batch)
        if go_backwards:
            xt = xt[::-1]
        self.xt = np.ascontiguousarray(xt) if copy_x else xt
        self.rmask = None if recurrent_mask is None else np.ascontiguousarray(recurrent_mask.T)
        self.valid = self.pad_steps = self.weight = None
        if mask is not None:
            valid = np.asarray(mask, dtype=bool).T
            if go_backwards:
                valid = valid[::-1]
            valid = np.ascontiguousarray(valid)[:, None, :]
            if not valid.all():
                self.valid = valid
                self.invalid = ~valid
                self.pad_steps = (~valid).any(axis=(1, 2))
                self.weight = valid if zero_output_for_mask else np.logical_or.accumulate(valid, axis=0)

    def _input_projection(self, kernel, bias):
        """kernelᵀ x_t + bias for every step at once: (time, gates, batch)."""
        z = np.matmul(np.ascontiguousarray(kernel.T), self.xt)
        if bias is not None:
            z += bias[:, None]
        return z

    def _outputs(self, H, return_sequences, extra_states=()):
        """(output, final h, *final other states) from the states H (time + 1, units, batch)."""
        self.return_sequences = return_sequences
        steps = self.steps
        if return_sequences:
            seq = H[1:]
            if self.weight is not None:
                seq = seq * self.weight
            out = np.ascontiguousarray(seq.transpose(2, 0, 1))
        else:
            last = H[steps] * self.weight[steps - 1] if self.weight is not None else H[steps]
            out = np.ascontiguousarray(last.T)
        return (out, np.ascontiguousarray(H[steps].T)) + tuple(np.ascontiguousarray(s.T) for s in extra_states)

    def _output_grads(self, gout, gh):
        """The running dh (units, batch) at the last step, and the per-step output gradients or None."""
        dh = gh.T.copy()  # updated in place below: never a view of the incoming gradient
        if self.return_sequences:
            g_seq = np.ascontiguousarray(gout.transpose(1, 2, 0))
            if self.weight is not None:
                g_seq *= self.weight
            return dh, g_seq
        if self.weight is not None:
            dh += gout.T * self.weight[self.steps - 1]
        else:
            dh += gout.T
        return dh, None

    def _input_grad(self, D, kernel):
        """dx (batch, time, features) from the flat pre-activation gradients D (gates, time·batch)."""
        dx = (kernel @ D).reshape(kernel.shape[0], self.steps, self.batch)  # (features, time, batch)
        if self.go_backwards:
            dx = dx[:, ::-1]
        return np.ascontiguousarray(dx.transpose(2, 1, 0))

    @staticmethod
    def _step_sum(A, D):
        """Σ over steps and samples of a_t d_tᵀ for flat A (rows, time·batch) and D (gates, time·batch):
        a weight gradient as one GEMM (computed as (D Aᵀ)ᵀ, which OpenBLAS runs ~15 % faster here)."""
        return np.ascontiguousarray((D @ A.T).T)

    @staticmethod
    def _bias_sum(D):
        """Σ over steps and samples of the flat gradients D (gates, time·batch): a bias gradient, as a
        matrix-vector product (~4× faster here than ``D.sum(axis=1)``, which walks rows one by one)."""
        return D @ np.ones(D.shape[1], D.dtype)

    @staticmethod
    def _flat(a):
        """(time, rows, batch) → (rows, time·batch), so sums over steps and samples are one GEMM."""
        return np.ascontiguousarray(a.transpose(1, 0, 2)).reshape(a.shape[1], -1)

    def _hidden_for_kernel(self, H):
        """The states that multiplied the recurrent kernel, as (units, time·batch)."""
        hp = H[:-1]
        if self.rmask is not None:
            hp = hp * self.rmask
        return self._flat(hp)

    @staticmethod
    def _state(s):
        return np.ascontiguousarray(s.T)


# ----------------------------------------------------------------------------- SimpleRNN
class SimpleRNNSequence(_SequenceOp):
    KIND = "simple_rnn"  # the name a helper process knows it by (neuronet.runtime.helpers)
    # The reference: SimpleRNNCell.call (neuronet/layers/rnn_cells.py).
    #   h_t = act(x_t W + h_{t-1} U + b)
    # BPTT, with dh the gradient reaching h_t (from h_{t+1} and from the output at t):
    #   da_t = dh·act'(h_t);  dh_{t-1} = da_t Uᵀ;  dx_t = da_t Wᵀ
    #   dW = Σ_t x_tᵀ da_t,  dU = Σ_t h_{t-1}ᵀ da_t,  db = Σ_t da_t   (one GEMM each, after the loop)
    def _forward(self, x, h0, kernel, recurrent_kernel, bias, mask=None, recurrent_mask=None,
                 activation="tanh", go_backwards=False, return_sequences=True, zero_output_for_mask=False):
        act, self.act_grad = _activation(activation)
        self._prepare(x, mask, go_backwards, zero_output_for_mask, recurrent_mask)
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        Z = self._input_projection(kernel, bias)
        steps, units, batch = Z.shape
        RT = np.ascontiguousarray(recurrent_kernel.T)
        H = np.empty((steps + 1, units, batch), x.dtype)
        H[0] = h0.T
        rec = np.empty((units, batch), x.dtype)
        for t in range(steps):
            h = H[t] if self.rmask is None else H[t] * self.rmask
            np.matmul(RT, h, out=rec)
            z = Z[t]
            z += rec
            act(z, out=z)
            H[t + 1] = z
            if self.pad_steps is not None and self.pad_steps[t]:
                np.copyto(H[t + 1], H[t], where=self.invalid[t])
        self.Z, self.H = Z, H
        return self._outputs(H, return_sequences)

    def _backward(self, gy):
        gout, gh = gy
        dh, g_seq = self._output_grads(gout, gh)
        Z, R = self.Z, np.ascontiguousarray(self.recurrent_kernel)
        dZ = np.empty_like(Z)
        for t in range(self.steps - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            da = self.act_grad(dh, Z[t], out=dZ[t])
            masked = self.pad_steps is not None and self.pad_steps[t]
            if masked:
                da *= self.valid[t]
            dh_prev = R @ da
            if self.rmask is not None:
                dh_prev *= self.rmask
            if masked:
                np.copyto(dh_prev, dh, where=self.invalid[t])
            dh = dh_prev
        need = self.needs_input_grad
        D = self._flat(dZ)
        gx = self._input_grad(D, self.kernel) if need[0] else None
        gW = self._step_sum(self._flat(self.xt), D) if need[2] else None
        gU = self._step_sum(self._hidden_for_kernel(self.H), D) if need[3] else None
        gb = self._bias_sum(D) if need[4] else None
        return gx, (self._state(dh) if need[1] else None), gW, gU, gb


# ----------------------------------------------------------------------------- LSTM
_KERAS_GATES = "ifco"  # Keras's LSTM gate order (c: the candidate, g below)


def _gates_as(a, names: str, order: str = _KERAS_GATES, axis: int = -1):
    """``a`` with its four gate blocks along ``axis`` rearranged from ``order`` (Keras's by default) to
    ``names``, as a new contiguous array.

    Copies whole blocks (slices), which is several times faster than indexing with a permutation."""
    u = a.shape[axis] // 4
    lead = (slice(None),) * (axis % a.ndim)  # the axes before ``axis``, whole
    return np.concatenate([a[lead + (slice(k * u, (k + 1) * u),)] for k in map(order.index, names)], axis=axis)


class LSTMSequence(_SequenceOp):
    KIND = "lstm"
    STATES = 2
    # The reference: LSTMCell.call (neuronet/layers/rnn_cells.py), with σ the recurrent activation
    # and tanh the activation (their defaults):
    #   [a_i, a_f, a_c, a_o] = x_t W + h_{t-1} U + b
    #   i, f, o = σ(a_i), σ(a_f), σ(a_o);   g = tanh(a_c)
    #   c_t = f·c_{t-1} + i·g;   h_t = o·tanh(c_t)
    # BPTT with dh, dc the gradients reaching h_t, c_t:
    #   do = dh·tanh(c_t);  dc += dh·o·tanh'(c_t);  di = dc·g;  df = dc·c_{t-1};  dg = dc·i
    #   da = [di·σ'(i), df·σ'(f), dg·tanh'(g), do·σ'(o)];  dh_{t-1} = da Uᵀ;  dc_{t-1} = dc·f
    #   dx_t = da Wᵀ;  [dU; dW; db] = Σ_t [h_{t-1}; x_t; 1] da_t
    #
    # Layout. The forward keeps, for step t, one GEMM input and one buffer of gates:
    #   HX[t] = [h_{t-1}; x_t; 1]                   (units + features + 1, batch)
    #   Z[t]  = [i, f, o, g, c_{t-1}]               (5·units, batch)
    # so the step's pre-activations, input projection and bias included, are ONE product
    # [U; W; b]ᵀ HX[t], the sigmoid gates are adjacent (one activation call), and the cell update
    # multiplies the adjacent pairs [i, f]·[g, c_{t-1}] in one call. The backward keeps, per step,
    #   E[t] = [g, i, f, o, k]                      (5·units, batch)
    # first the forward-only factors of the chain rule, then (in place) the pre-activation gradients:
    # the blocks scaled by dc (g, i, f) are adjacent, and so are the two scaled by dh (o and
    # k = o·tanh'(c_t), the path from h_t into c_t). E holds one block of steps at a time: after each
    # block its gradients add their share to the weight gradients [dU; dW; db] (one GEMM with the
    # block's HX) and to dx, while they are still in cache.
    FORWARD = "ifoc"   # gate order of Z (Keras names: c is the candidate g)
    BACKWARD = "cifo"  # gate order of E

    def _forward(self, x, h0, c0, kernel, recurrent_kernel, bias, mask=None, recurrent_mask=None,
                 activation="tanh", recurrent_activation="sigmoid", go_backwards=False, return_sequences=True,
                 zero_output_for_mask=False):
        act, self.act_grad = _activation(activation)
        rec_act, self.rec_grad = _activation(recurrent_activation)
        self._prepare(x, mask, go_backwards, zero_output_for_mask, recurrent_mask, copy_x=False)
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        dtype = x.dtype
        steps, features, batch = self.xt.shape
        u = h0.shape[1]
        u3, u4 = 3 * u, 4 * u
        rows = u + features + 1
        # [U; W; b] with the columns in the forward gate order. With sigmoid gates their columns are
        # halved, so that σ(a) = ½·tanh(a/2) + ½ needs no extra pass and one tanh call covers all four
        # blocks (with a tanh cell activation).
        stacked = np.concatenate([recurrent_kernel, kernel, np.zeros((1, u4), dtype) if bias is None else bias[None]])
        KT = _gates_as(stacked.T, self.FORWARD, axis=0)  # [U; W; b]ᵀ, gate rows in the forward order
        sigmoid_gates = recurrent_activation == "sigmoid"
        if sigmoid_gates:
            KT[:u3] *= 0.5
        HX = np.empty((steps + 1, rows, batch), dtype)
        HX[:steps, u:u + features] = self.xt
        HX[:, u + features] = 1.0
        Z = np.empty((steps + 1, 5 * u, batch), dtype)
        Z5 = Z.reshape(steps + 1, 5, u, batch)
        Z5[0, 4] = c0.T
        TC = np.empty((steps, u, batch), dtype)
        pair = np.empty((2, u, batch), dtype)
        rmask = self.rmask
        if rmask is None:
            H = HX[:, :u]  # the states are read straight from the GEMM inputs
            H[0] = h0.T
        else:
            H = np.empty((steps + 1, u, batch), dtype)
            H[0] = h0.T
            np.multiply(H[0], rmask, out=HX[0, :u])
        tanh_all = sigmoid_gates and activation == "tanh"
        for t in range(steps):
            z = Z[t, :u4]                                        # [a_i, a_f, a_o, a_c]
            np.matmul(KT, HX[t], out=z)
            gates, cand = Z[t, :u3], Z[t, u3:u4]
            if tanh_all:
                np.tanh(z, out=z)                                # [tanh(a_i/2), …, g]
            elif sigmoid_gates:
                np.tanh(gates, out=gates)
                act(cand, out=cand)
            else:
                rec_act(gates, out=gates)
                act(cand, out=cand)
            if sigmoid_gates:                                    # [i, f, o] = ½·tanh(a/2) + ½
                gates *= 0.5
                gates += 0.5
            np.multiply(Z5[t, 0:2], Z5[t, 3:5], out=pair)       # [i·g, f·c_{t-1}]
            c = Z5[t + 1, 4]
            np.add(pair[0], pair[1], out=c)                      # c_t
            tc = act(c, out=TC[t])                               # act(c_t)
            np.multiply(Z5[t, 2], tc, out=H[t + 1])              # h_t = o·act(c_t)
            if self.pad_steps is not None and self.pad_steps[t]:
                np.copyto(c, Z5[t, 4], where=self.invalid[t])
                np.copyto(H[t + 1], H[t], where=self.invalid[t])
            if rmask is not None:
                np.multiply(H[t + 1], rmask, out=HX[t + 1, :u])
        self.Z, self.HX, self.H, self.TC = Z, HX, H, TC
        self.default_activations = activation == "tanh" and recurrent_activation == "sigmoid"
        return self._outputs(H, return_sequences, (Z5[steps, 4],))

    def _factors(self, e, z, tc, h):
        """The forward-only factors of the chain rule for a block of steps, written into ``e``:
        ``E_g = i·act'(g),  E_i = g·σ'(i),  E_f = c_{t-1}·σ'(f),  E_o = act(c_t)·σ'(o),  k = o·act'(c_t)``.

        ``z`` holds the steps' [i, f, o, g, c_{t-1}], ``tc`` act(c_t) and ``h`` h_t. With tanh and
        sigmoid the derivatives are written through products, one pass each: with [p_i, p_f] =
        [i·g, f·c_{t-1}], ``[E_i, E_f] = [p_i, p_f]·(1 - [i, f])``, ``E_g = i - p_i·g``,
        ``E_o = h·(1 - o)`` and ``k = o - h·act(c_t)`` (a masked step's values are never used).
        """
        i, o, g = z[:, 0], z[:, 2], z[:, 3]
        if self.default_activations:
            p = e[:, 3:5]  # [p_i, p_f], until E_o and k take their place
            np.multiply(z[:, 0:2], z[:, 3:5], out=p)
            np.subtract(1.0, z[:, 0:2], out=e[:, 1:3])
            e[:, 1:3] *= p
            np.multiply(p[:, 0], g, out=e[:, 0])
            np.subtract(i, e[:, 0], out=e[:, 0])
            np.subtract(1.0, o, out=e[:, 3])
            e[:, 3] *= h
            np.multiply(h, tc, out=e[:, 4])
            np.subtract(o, e[:, 4], out=e[:, 4])
            return
        self.act_grad(i, g, out=e[:, 0])
        self.rec_grad(z[:, 3:5], z[:, 0:2], out=e[:, 1:3])
        self.rec_grad(tc, o, out=e[:, 3])
        self.act_grad(o, tc, out=e[:, 4])

    def _backward(self, gy):
        gout, gh, gc = gy
        dh, g_seq = self._output_grads(gout, gh)
        dc = gc.T.copy()  # updated in place below: never a view of the incoming gradient
        Z, HX, TC = self.Z, self.HX, self.TC
        steps, _, batch = Z.shape
        steps -= 1
        u = TC.shape[1]
        u4 = 4 * u
        Z5 = Z.reshape(steps + 1, 5, u, batch)
        R = _gates_as(self.recurrent_kernel, self.BACKWARD)
        need = self.needs_input_grad
        weights = need[3] or need[4] or need[5]
        # One block of steps at a time: E holds the block's factors, then its pre-activation gradients,
        # which go into the weight and input gradients before the next block reuses E (so all of this
        # stays in cache).
        E = np.empty((self.BLOCK, 5 * u, batch), Z.dtype)
        E5 = E.reshape(self.BLOCK, 5, u, batch)
        D = np.empty((u4, self.BLOCK * batch), Z.dtype)          # a block's gradients, (gates, steps·batch)
        A = np.empty((HX.shape[1], self.BLOCK * batch), Z.dtype)  # its [h; x; 1], (rows, steps·batch)
        GT = np.zeros((u4, HX.shape[1]), Z.dtype) if weights else None
        part = np.empty_like(GT) if weights else None
        kernel = _gates_as(self.kernel, self.BACKWARD) if need[0] else None
        gx = np.empty((kernel.shape[0], steps, batch), Z.dtype) if need[0] else None  # (features, time, batch)
        dh_prev = np.empty_like(dh)
        dc_kept = np.empty_like(dc) if self.pad_steps is not None else None
        for s in self._blocks_backward(steps):
            n = s.stop - s.start
            self._factors(E5[:n], Z5[s], TC[s], self.H[s.start + 1:s.stop + 1])
            for t in range(s.stop - 1, s.start - 1, -1):
                j = t - s.start
                if g_seq is not None:
                    dh += g_seq[t]
                masked = self.pad_steps is not None and self.pad_steps[t]
                if masked:
                    np.copyto(dc_kept, dc)
                by_dh = E5[j, 3:5]
                np.multiply(by_dh, dh, out=by_dh)                  # [da_o, dh·k]
                np.add(dc, E5[j, 4], out=dc)                       # dc_t
                by_dc = E5[j, 0:3]
                np.multiply(by_dc, dc, out=by_dc)                  # [da_g, da_i, da_f]
                np.multiply(dc, Z5[t, 1], out=dc)                  # dc_{t-1} = dc_t·f
                da = E[j, :u4]
                if masked:
                    da *= self.valid[t]
                    np.copyto(dc, dc_kept, where=self.invalid[t])
                if t == 0 and not need[1]:
                    break  # dh_{-1} is the initial state's gradient, and nobody asked for it
                np.matmul(R, da, out=dh_prev)
                if self.rmask is not None:
                    dh_prev *= self.rmask
                if masked:
                    np.copyto(dh_prev, dh, where=self.invalid[t])
                dh, dh_prev = dh_prev, dh
            d = D[:, :n * batch]
            d.reshape(u4, n, batch)[...] = E[:n, :u4].transpose(1, 0, 2)
            if weights:  # this block's share of [dU; dW; db] = Σ HX[t] da_tᵀ
                a = A[:, :n * batch]
                a.reshape(-1, n, batch)[...] = HX[s].transpose(1, 0, 2)
                np.matmul(d, a.T, out=part)
                GT += part
            if need[0]:
                np.matmul(kernel, d, out=gx.reshape(len(gx), -1)[:, s.start * batch:s.stop * batch])
        gW = gU = gb = None
        if weights:  # back to Keras's gate order
            G = _gates_as(GT.T, _KERAS_GATES, order=self.BACKWARD)
            gU, gW, gb = G[:u], G[u:-1], G[-1]
        if gx is not None:
            gx = gx[:, ::-1] if self.go_backwards else gx
            gx = np.ascontiguousarray(gx.transpose(2, 1, 0))
        return (gx, (self._state(dh) if need[1] else None), (self._state(dc) if need[2] else None),
                gW if need[3] else None, gU if need[4] else None, gb if need[5] else None)


# ----------------------------------------------------------------------------- GRU
class GRUSequence(_SequenceOp):
    KIND = "gru"
    # The reference: GRUCell.call (neuronet/layers/rnn_cells.py), σ and tanh as in the LSTM.
    # reset_after=True (Keras 3 and cuDNN/PyTorch convention), bias = [b_in; b_rec]:
    #   [xz, xr, xh] = x_t W + b_in,   [rz, rr, rh] = h_{t-1} U + b_rec
    #   z = σ(xz + rz),  r = σ(xr + rr),  hh = tanh(xh + r·rh),  h_t = z·h_{t-1} + (1 - z)·hh
    # reset_after=False (original GRU), bias (3·units,):
    #   z, r as above without b_rec,  hh = tanh(xh + (r·h_{t-1}) U_h)
    # BPTT, with dh the gradient reaching h_t:
    #   dz = dh·(h_{t-1} - hh)·σ'(z),  dxh = dh·(1 - z)·tanh'(hh)
    #   reset_after:  dr = dxh·rh·σ'(r),               dh_{t-1} = dh·z + [dz, dr, dxh·r] Uᵀ
    #   otherwise:    dr = (dxh U_hᵀ)·h_{t-1}·σ'(r),   dh_{t-1} = dh·z + [dz, dr] U_zrᵀ + (dxh U_hᵀ)·r
    def _forward(self, x, h0, kernel, recurrent_kernel, bias, mask=None, recurrent_mask=None,
                 activation="tanh", recurrent_activation="sigmoid", go_backwards=False, return_sequences=True,
                 zero_output_for_mask=False, reset_after=True):
        act, self.act_grad = _activation(activation)
        rec_act, self.rec_grad = _activation(recurrent_activation)
        self._prepare(x, mask, go_backwards, zero_output_for_mask, recurrent_mask)
        self.kernel, self.recurrent_kernel = kernel, recurrent_kernel
        self.reset_after = reset_after
        if bias is not None and reset_after:
            b_in, b_rec = bias[0], bias[1][:, None]
        else:
            b_in, b_rec = bias, None
        Z = self._input_projection(kernel, b_in)
        steps, u3, batch = Z.shape
        units = u3 // 3
        u2 = 2 * units
        dtype = x.dtype
        H = np.empty((steps + 1, units, batch), dtype)
        H[0] = h0.T
        # reset_after: rh = U_hᵀ h + b_rec_h (needed for dr); otherwise r·h (needed for dU_h)
        RH = np.empty((steps, units, batch), dtype)
        rec = np.empty((u3 if reset_after else u2, batch), dtype)
        rec_h = np.empty((units, batch), dtype)
        RT = np.ascontiguousarray(recurrent_kernel.T)
        R_zrT, R_hT = RT[:u2], RT[u2:]
        for t in range(steps):
            hp = H[t] if self.rmask is None else H[t] * self.rmask
            z = Z[t]
            if reset_after:
                np.matmul(RT, hp, out=rec)
                if b_rec is not None:
                    rec += b_rec
                zr = z[:u2]
                zr += rec[:u2]
                rec_act(zr, out=zr)                              # [z, r]
                RH[t] = rec[u2:]
                np.multiply(z[units:u2], RH[t], out=rec_h)       # r·rh
            else:
                np.matmul(R_zrT, hp, out=rec)
                zr = z[:u2]
                zr += rec
                rec_act(zr, out=zr)                              # [z, r]
                np.multiply(z[units:u2], hp, out=RH[t])
                np.matmul(R_hT, RH[t], out=rec_h)                # (r·h_{t-1}) U_h
            hh = z[u2:]
            hh += rec_h
            act(hh, out=hh)
            # h = z·h_prev + (1 - z)·hh = hh + z·(h_prev - hh)
            hn = H[t + 1]
            np.subtract(H[t], hh, out=hn)
            hn *= z[:units]
            hn += hh
            if self.pad_steps is not None and self.pad_steps[t]:
                np.copyto(hn, H[t], where=self.invalid[t])
        self.Z, self.H, self.RH = Z, H, RH
        return self._outputs(H, return_sequences)

    def _backward(self, gy):
        gout, gh = gy
        dh, g_seq = self._output_grads(gout, gh)
        Z, H, RH = self.Z, self.H, self.RH
        steps, u3, batch = Z.shape
        units = u3 // 3
        u2 = 2 * units
        reset_after = self.reset_after
        R = np.ascontiguousarray(self.recurrent_kernel)
        R_zr, R_h = np.ascontiguousarray(R[:, :u2]), np.ascontiguousarray(R[:, u2:])
        dZ = np.empty_like(Z)                                   # gradients of x W + b_in
        dR = np.empty_like(Z) if reset_after else None          # gradients of h U + b_rec
        # As in the LSTM, the factors that depend only on the forward are computed a block of steps
        # at a time before the loop reaches them (brackets below), leaving the loop the products:
        #   dz = dh·[(h_{t-1} - hh)·σ'(z)],  dxh = dh·[(1 - z)·act'(hh)],
        #   dr = dxh·[rh·σ'(r)] (reset_after)  or  (dxh U_hᵀ)·[(h_{t-1}·mask)·σ'(r)]
        tmp, d_rh = np.empty_like(dh), np.empty_like(dh)
        dh_spare = np.empty_like(dh)
        for s in self._blocks_backward(steps):
            y, f = Z[s], dZ[s]                                   # the block's [z, r, hh] and their factors
            f_z, f_r, f_h = f[:, :units], f[:, units:u2], f[:, u2:]
            np.subtract(H[s], y[:, u2:], out=f_z)
            self.rec_grad(f_z, y[:, :units], out=f_z)
            np.subtract(1.0, y[:, :units], out=f_h)
            self.act_grad(f_h, y[:, u2:], out=f_h)
            if reset_after:
                np.copyto(f_r, RH[s])
            else:
                np.multiply(H[s], 1.0 if self.rmask is None else self.rmask, out=f_r)
            self.rec_grad(f_r, y[:, units:u2], out=f_r)
            for t in range(s.stop - 1, s.start - 1, -1):
                if g_seq is not None:
                    dh += g_seq[t]
                z, dz_all = Z[t], dZ[t]
                zg, r = z[:units], z[units:u2]
                dzg, dr, dxh = dz_all[:units], dz_all[units:u2], dz_all[u2:]
                dzg *= dh
                dxh *= dh
                masked = self.pad_steps is not None and self.pad_steps[t]
                if masked:
                    dzg *= self.valid[t]
                    dxh *= self.valid[t]
                dh_rec = dh_spare
                if reset_after:
                    dr *= dxh
                    dr_all = dR[t]
                    dr_all[:u2] = dz_all[:u2]
                    np.multiply(dxh, r, out=dr_all[u2:])
                    np.matmul(R, dr_all, out=dh_rec)
                else:
                    np.matmul(R_h, dxh, out=d_rh)                # gradient of r·h_prev
                    dr *= d_rh
                    np.matmul(R_zr, dz_all[:u2], out=dh_rec)
                    np.multiply(d_rh, r, out=tmp)
                    dh_rec += tmp
                if self.rmask is not None:
                    dh_rec *= self.rmask
                np.multiply(dh, zg, out=tmp)
                dh_rec += tmp
                if masked:
                    np.copyto(dh_rec, dh, where=self.invalid[t])
                dh, dh_spare = dh_rec, dh
        need = self.needs_input_grad
        D = self._flat(dZ)
        gx = self._input_grad(D, self.kernel) if need[0] else None
        gW = self._step_sum(self._flat(self.xt), D) if need[2] else None
        gU = gb = None
        hp = self._hidden_for_kernel(H) if need[3] else None
        if reset_after:
            DR = self._flat(dR)
            if need[3]:
                gU = self._step_sum(hp, DR)
            if need[4]:
                gb = np.stack([self._bias_sum(D), self._bias_sum(DR)])
        else:
            if need[3]:
                gU = np.empty_like(R)
                gU[:, :u2] = self._step_sum(hp, D[:u2])
                gU[:, u2:] = self._step_sum(self._flat(RH), D[u2:])
            if need[4]:
                gb = self._bias_sum(D)
        return gx, (self._state(dh) if need[1] else None), gW, gU, gb


# ----------------------------------------------------------------------------- public functions
def simple_rnn(inputs, initial_state, kernel, recurrent_kernel, bias=None, *, mask=None, recurrent_mask=None,
               activation: str = "tanh", go_backwards: bool = False, return_sequences: bool = True,
               zero_output_for_mask: bool = False):
    """A fully-connected RNN over a whole sequence: ``h_t = activation(x_t W + h_{t-1} U + b)``.

    The same values and gradients as :class:`~neuronet.layers.SimpleRNNCell` unrolled over time, in
    one graph node.

    Args:
        inputs: (batch, time, features).
        initial_state: h_0, (batch, units).
        kernel: W, (features, units). recurrent_kernel: U, (units, units). bias: b, (units,) or None.
        mask: optional boolean (batch, time); False steps keep the state (see module docstring).
        recurrent_mask: optional (batch, units) factor applied to h_{t-1} before U (recurrent dropout).
        activation: one of :data:`RECURRENT_ACTIVATIONS`. Defaults to 'tanh'.
        go_backwards: process the sequence from the last step to the first; the output sequence is
            then in processing (reversed) order, as in Keras. Defaults to False.
        return_sequences: output every step's h (batch, time, units) rather than the last (batch, units).
        zero_output_for_mask: zeros, not the previous output, at masked steps. Defaults to False.

    Returns:
        ``(output, h_T)`` as Tensors.
    """
    return SimpleRNNSequence.apply(inputs, initial_state, kernel, recurrent_kernel, bias, mask=mask,
                                   recurrent_mask=recurrent_mask, activation=activation,
                                   go_backwards=go_backwards, return_sequences=return_sequences,
                                   zero_output_for_mask=zero_output_for_mask)


def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, *, mask=None, recurrent_mask=None,
         activation: str = "tanh", recurrent_activation: str = "sigmoid", go_backwards: bool = False,
         return_sequences: bool = True, zero_output_for_mask: bool = False):
    """Long short-term memory over a whole sequence, Keras gate order (i, f, c, o).

    ``i, f, o = σ(x W + h U + b)``, ``g = tanh(…)``, ``c_t = f·c_{t-1} + i·g``, ``h_t = o·tanh(c_t)``;
    the additive cell path ``c`` lets gradients cross many steps without vanishing. The same values
    and gradients as :class:`~neuronet.layers.LSTMCell` unrolled over time, in one graph node.

    Args:
        inputs: (batch, time, features). initial_h, initial_c: (batch, units).
        kernel: (features, 4·units). recurrent_kernel: (units, 4·units). bias: (4·units,) or None.
        mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask: as :func:`simple_rnn`.
        activation: for the candidate and the cell output. Defaults to 'tanh'.
        recurrent_activation: for the gates i, f, o. Defaults to 'sigmoid'.

    Returns:
        ``(output, h_T, c_T)`` as Tensors.
    """
    return LSTMSequence.apply(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias, mask=mask,
                              recurrent_mask=recurrent_mask, activation=activation,
                              recurrent_activation=recurrent_activation, go_backwards=go_backwards,
                              return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)


def gru(inputs, initial_state, kernel, recurrent_kernel, bias=None, *, mask=None, recurrent_mask=None,
        activation: str = "tanh", recurrent_activation: str = "sigmoid", go_backwards: bool = False,
        return_sequences: bool = True, zero_output_for_mask: bool = False, reset_after: bool = True):
    """Gated recurrent unit over a whole sequence, Keras gate order (z, r, h).

    ``z = σ(…)``, ``r = σ(…)``, ``hh = tanh(x W_h + r·(h U_h + b_rh))`` (reset_after=True) or
    ``tanh(x W_h + (r·h) U_h + b_h)`` (reset_after=False), ``h_t = z·h_{t-1} + (1 - z)·hh``. The same
    values and gradients as :class:`~neuronet.layers.GRUCell` unrolled over time, in one graph node.

    Args:
        inputs: (batch, time, features). initial_state: (batch, units).
        kernel: (features, 3·units). recurrent_kernel: (units, 3·units).
        bias: (2, 3·units) with reset_after=True (input bias, recurrent bias), (3·units,) otherwise, or None.
        reset_after: apply the reset gate after the recurrent matrix product. Defaults to True.
        Other arguments: as :func:`lstm`.

    Returns:
        ``(output, h_T)`` as Tensors.
    """
    return GRUSequence.apply(inputs, initial_state, kernel, recurrent_kernel, bias, mask=mask,
                             recurrent_mask=recurrent_mask, activation=activation,
                             recurrent_activation=recurrent_activation, go_backwards=go_backwards,
                             return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask,
                             reset_after=reset_after)
