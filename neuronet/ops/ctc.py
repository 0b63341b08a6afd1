"""Connectionist temporal classification (Graves et al. 2006): the CTC loss with its gradient, and
greedy and beam-search decoding, with Keras's arguments and outputs.

The loss sums the probabilities of every alignment of a label sequence to the frames by the
forward–backward recursion over the label with blanks between (and around) its symbols, in log space:

    α_t(s) = logsumexp(α_{t-1}(s), α_{t-1}(s-1), α_{t-1}(s-2) if z_s ≠ blank and z_s ≠ z_{s-2}) + log y_t(z_s)
    loss = -logsumexp(α_{T-1}(S-1), α_{T-1}(S-2))
    d loss / d logit_t(k) = y_t(k) - Σ_{s: z_s = k} exp(α_t(s) + β_t(s) - log y_t(k) + loss)

where ``y_t = softmax(logits_t)`` and β is the same recursion run backward from the last frame.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["ctc_loss", "ctc_decode"]

_LOG_ZERO = -1e5  # log of "impossible", finite as in optax/Keras (an impossible target gives a large loss)


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _logsumexp(*terms):
    stacked = np.stack(terms)
    top = stacked.max(axis=0)
    return top + np.log(np.exp(stacked - top).sum(axis=0))


def _one_sample(logp: np.ndarray, labels: np.ndarray, blank: int) -> tuple:
    """Loss and d loss / d log-probabilities for one sequence: ``logp`` (T, K), ``labels`` (U,)."""
    t_len = logp.shape[0]
    ext = np.full(2 * len(labels) + 1, blank, np.int64)
    ext[1::2] = labels
    n = len(ext)
    skip = np.zeros(n, bool)  # may jump from s-2 to s
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    emit = logp[:, ext]  # (T, S)
    alpha = np.full((t_len, n), _LOG_ZERO)
    alpha[0, 0] = emit[0, 0]
    if n > 1:
        alpha[0, 1] = emit[0, 1]
    for t in range(1, t_len):
        prev = alpha[t - 1]
        one = np.concatenate([[_LOG_ZERO], prev[:-1]])
        two = np.where(skip, np.concatenate([[_LOG_ZERO, _LOG_ZERO], prev[:-2]]), _LOG_ZERO)
        alpha[t] = _logsumexp(prev, one, two) + emit[t]
    beta = np.full((t_len, n), _LOG_ZERO)
    beta[-1, -1] = emit[-1, -1]
    if n > 1:
        beta[-1, -2] = emit[-1, -2]
    skip_next = np.concatenate([skip[2:], [False, False]])  # may jump from s to s+2
    for t in range(t_len - 2, -1, -1):
        nxt = beta[t + 1]
        one = np.concatenate([nxt[1:], [_LOG_ZERO]])
        two = np.where(skip_next, np.concatenate([nxt[2:], [_LOG_ZERO, _LOG_ZERO]]), _LOG_ZERO)
        beta[t] = _logsumexp(nxt, one, two) + emit[t]
    log_p = _logsumexp(alpha[-1, -1], alpha[-1, -2]) if n > 1 else alpha[-1, -1]
    occupancy = np.exp(alpha + beta - emit - log_p)  # Σ over alignments through (t, s), / p
    grad_logp = np.zeros_like(logp)
    np.add.at(grad_logp, (slice(None), ext), -occupancy)
    return -log_p, grad_logp


class CTCLoss(Function):
    # loss_b = -log Σ_{alignments} Π_t y_t(π_t)      d loss_b / d logits = softmax - occupancy (see module doc)
    def forward(self, logits, labels, label_lengths, logit_lengths, blank):
        logp = _log_softmax(logits.astype(np.float64))
        losses = np.zeros(len(logits))
        self.grad = np.zeros_like(logp)
        for b in range(len(logits)):
            t_len, u_len = int(logit_lengths[b]), int(label_lengths[b])
            loss, g_logp = _one_sample(logp[b, :t_len], labels[b, :u_len], blank)
            losses[b] = loss
            # through log_softmax: d/dlogit = g - softmax · Σ_k g
            self.grad[b, :t_len] = g_logp - np.exp(logp[b, :t_len]) * g_logp.sum(axis=-1, keepdims=True)
        self.dtype = logits.dtype
        return losses.astype(logits.dtype)

    def backward(self, gy):
        return (gy[:, None, None] * self.grad).astype(self.dtype)


def ctc_loss(target, output, target_length, output_length, mask_index: int = 0) -> Tensor:
    """The CTC loss of each sequence, as Keras's ``ops.ctc_loss``.

    Args:
        target: integer labels, shape ``(batch, max_label_length)``.
        output: logits (unnormalized), shape ``(batch, max_time, num_classes)``.
        target_length: the length of each label sequence, ``(batch,)``.
        output_length: the number of valid frames of each output, ``(batch,)``.
        mask_index: the class of the blank. Defaults to 0.

    Returns:
        The loss of each sequence, shape ``(batch,)``; differentiable in ``output``.
    """
    logits = _data(output)
    labels = _data(target).astype(np.int64)
    if logits.ndim != 3 or labels.ndim != 2 or len(labels) != len(logits):
        raise ValueError(f"ctc_loss: expected output (batch, time, classes) and target (batch, labels), received "
                         f"{logits.shape} and {labels.shape}")
    if logits.dtype.kind != "f":
        output = logits = logits.astype("float32")
    return CTCLoss.apply(output, labels=labels, label_lengths=_data(target_length).astype(np.int64).reshape(-1),
                         logit_lengths=_data(output_length).astype(np.int64).reshape(-1), blank=int(mask_index))


def _greedy(inputs: np.ndarray, lengths: np.ndarray, merge_repeated: bool, blank: int) -> tuple:
    batch, max_len, _ = inputs.shape
    indices = inputs.argmax(axis=-1).astype(np.int32)
    scores = inputs.max(axis=-1)
    beyond = np.arange(max_len)[None, :] >= lengths[:, None]
    indices = np.where(beyond, blank, indices)
    scores = np.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = np.pad(indices[:, 1:] == indices[:, :-1], ((0, 0), (1, 0)))
        indices = np.where(repeat, blank, indices)
    dropped = indices == blank
    indices = np.where(dropped, -1, indices)
    order = np.argsort(np.where(dropped, max_len, np.arange(max_len)[None, :]), axis=-1, kind="stable")
    indices = np.take_along_axis(indices, order, axis=-1)
    return indices[None], -scores.sum(axis=1, keepdims=True)


def _beam_search(logp: np.ndarray, length: int, beam_width: int, top_paths: int, blank: int) -> list:
    """CTC prefix beam search on one sequence of log-probabilities: [(prefix, log p)] best first."""
    beams = {(): (0.0, -np.inf)}  # prefix -> (log p ending in blank, log p ending in a symbol)
    for t in range(length):
        frame = logp[t]
        candidates: dict = {}

        def add(prefix, blank_p, symbol_p):
            old_b, old_s = candidates.get(prefix, (-np.inf, -np.inf))
            candidates[prefix] = (np.logaddexp(old_b, blank_p), np.logaddexp(old_s, symbol_p))

        for prefix, (p_b, p_s) in beams.items():
            total = np.logaddexp(p_b, p_s)
            add(prefix, total + frame[blank], -np.inf)
            for k in range(len(frame)):
                if k == blank:
                    continue
                if prefix and prefix[-1] == k:
                    add(prefix, -np.inf, p_s + frame[k])  # a repeat merges, unless a blank came between
                    add(prefix + (k,), -np.inf, p_b + frame[k])
                else:
                    add(prefix + (k,), -np.inf, total + frame[k])
        ranked = sorted(candidates.items(), key=lambda item: -np.logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))
    return [(prefix, float(np.logaddexp(*p))) for prefix, p in ranked[:top_paths]]


def ctc_decode(inputs, sequence_lengths, strategy: str = "greedy", beam_width: int = 100, top_paths: int = 1,
               merge_repeated: bool = True, mask_index: int = 0) -> tuple:
    """Decode CTC outputs into label sequences, as Keras's ``ops.ctc_decode``.

    Args:
        inputs: scores of shape ``(batch, max_time, num_classes)`` (logits or probabilities for 'greedy';
            logits for 'beam_search', which applies log_softmax).
        sequence_lengths: the number of valid frames of each sequence.
        strategy: 'greedy' (best class per frame, repeats merged, blanks dropped) or 'beam_search'.
        beam_width, top_paths: the beam size and the number of best sequences returned (beam search).
        merge_repeated: merge repeated classes (greedy). Defaults to True.
        mask_index: the class of the blank. Defaults to 0.

    Returns:
        ``(decoded, scores)``: ``decoded`` of shape ``(top_paths, batch, max_time)``, each sequence padded
        with -1; ``scores`` of shape ``(batch, top_paths)``: for greedy minus the sum of each frame's best
        score, for beam search each sequence's log-probability.
    """
    scores_in = _data(inputs).astype(np.float32 if _data(inputs).dtype != np.float64 else np.float64)
    lengths = _data(sequence_lengths).astype(np.int64).reshape(-1)
    if scores_in.ndim != 3 or len(lengths) != len(scores_in):
        raise ValueError(f"ctc_decode: expected inputs (batch, time, classes) and one length per sequence, received "
                         f"{scores_in.shape} and {lengths.shape}")
    if strategy == "greedy":
        decoded, scores = _greedy(scores_in, lengths, merge_repeated, int(mask_index))
        return Tensor._wrap(decoded), Tensor._wrap(scores.astype(scores_in.dtype))
    if strategy != "beam_search":
        raise ValueError(f"ctc_decode: strategy must be 'greedy' or 'beam_search', received {strategy!r}")
    batch, max_len, _ = scores_in.shape
    logp = _log_softmax(scores_in.astype(np.float64))
    decoded = np.full((top_paths, batch, max_len), -1, np.int32)
    scores = np.full((batch, top_paths), -np.inf)
    for b in range(batch):
        for i, (prefix, score) in enumerate(_beam_search(logp[b], int(lengths[b]), int(beam_width), int(top_paths),
                                                         int(mask_index))):
            decoded[i, b, :len(prefix)] = prefix
            scores[b, i] = score
    return Tensor._wrap(decoded), Tensor._wrap(scores.astype(scores_in.dtype))
