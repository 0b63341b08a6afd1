"""Pictures (matplotlib, the ``plot`` extra, imported only when a function here is called).

* :func:`plot_history` — loss and metrics per epoch, training against validation;
* :func:`plot_confusion_matrix` — which classes are taken for which;
* :func:`plot_gradient_flow` — the gradient norm of each layer (vanishing gradients at a glance);
* :func:`plot_step_gradients` — the gradient reaching each time step of a recurrent layer;
* :func:`plot_activations` — the guide's activation functions beside their derivatives (computed by
  backpropagation through the library's own ops);
* :func:`plot_lr_finder` — the learning-rate range test;
* :func:`save_figure` — write any of them to a PNG file.
"""

from __future__ import annotations

import os

import numpy as np

from .stats import layer_grad_norms

__all__ = ["plot_activations", "plot_confusion_matrix", "plot_gradient_flow", "plot_history", "plot_lr_finder",
           "plot_step_gradients", "save_figure"]


def _pyplot(where: str):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"{where} needs matplotlib: pip install matplotlib (or neuronet[plot])") from exc
    return plt


def _axes(ax, where: str, size=(6.0, 4.0)):
    plt = _pyplot(where)
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def save_figure(figure, path: str, dpi: int = 100) -> str:
    """Save a matplotlib Figure (or the figure of an Axes, or of an array of Axes) as an image file.

    Args:
        figure: a Figure, an Axes, or a sequence/array of Axes (as the ``plot_*`` functions return).
        path: the file to write (``.png`` for a PNG); missing folders are created.
        dpi: resolution. Defaults to 100.

    Returns:
        The absolute path written.
    """
    fig = figure
    if isinstance(fig, (list, tuple, np.ndarray)):
        fig = np.asarray(fig, dtype=object).ravel()[0]
    fig = getattr(fig, "figure", fig)
    if not hasattr(fig, "savefig"):
        raise TypeError(f"save_figure: expected a matplotlib Figure or Axes, received {type(figure).__name__}")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    _pyplot("save_figure").close(fig)
    return os.path.abspath(path)


def plot_history(history, keys=None, axes=None, title: str | None = None):
    """Loss and metrics per epoch: one panel per quantity, training and validation curves together.

    Args:
        history: what ``fit`` returns (a ``History``) or its ``.history`` dict.
        keys: the quantities to draw ('loss', 'accuracy', ...; their 'val_' twins are added). Defaults to
            every key without the 'val_' prefix.
        axes: matplotlib Axes to draw on, one per key. Defaults to None (a new figure).
        title: a title over the panels. Defaults to None.

    Returns:
        The list of Axes.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(f"plot_history: expected a History or its non-empty .history dict, received "
                         f"{type(history).__name__}")
    keys = list(keys) if keys is not None else [k for k in logs if not k.startswith("val_")]
    missing = [k for k in keys if k not in logs]
    if missing:
        raise ValueError(f"plot_history: no {missing} in the history; its keys are {list(logs)}")
    plt = _pyplot("plot_history")
    if axes is None:
        _, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.5), squeeze=False)
        axes = list(axes[0])
    for ax, key in zip(axes, keys):
        epochs = np.arange(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], marker="o", label=f"training {key}")
        if f"val_{key}" in logs:
            ax.plot(np.arange(1, len(logs[f"val_{key}"]) + 1), logs[f"val_{key}"], marker="s",
                    label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.legend(fontsize="small")
    if title:
        axes[0].figure.suptitle(title)
    return axes


def plot_confusion_matrix(y_true, y_pred, labels=None, ax=None, normalize: bool = False,
                          title: str = "Confusion matrix"):
    """The confusion matrix as an image: row = true class, column = predicted class, counts written in.

    Args:
        y_true: true class labels (integers), or one-hot rows.
        y_pred: predicted labels, one-hot rows or class probabilities (the argmax is taken).
        labels: names of the classes. Defaults to 0, 1, ...
        ax: a matplotlib Axes. Defaults to None (a new figure).
        normalize: show each row as fractions of its true class. Defaults to False (counts).
        title: the title. Defaults to 'Confusion matrix'.

    Returns:
        The Axes; ``ax.matrix`` holds the counts (rows true, columns predicted).
    """
    t, p = np.asarray(y_true), np.asarray(y_pred)
    t = t.argmax(axis=-1) if t.ndim > 1 and t.shape[-1] > 1 else t.reshape(len(t), -1)[:, 0]
    p = p.argmax(axis=-1) if p.ndim > 1 and p.shape[-1] > 1 else p.reshape(len(p), -1)[:, 0]
    if len(t) != len(p):
        raise ValueError(f"plot_confusion_matrix: y_true has {len(t)} labels but y_pred has {len(p)}")
    t, p = t.astype(np.int64), np.rint(p).astype(np.int64)
    n = int(max(t.max(initial=0), p.max(initial=0))) + 1 if labels is None else len(labels)
    matrix = np.zeros((n, n), np.int64)
    np.add.at(matrix, (t, p), 1)
    shown = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    ax = _axes(ax, "plot_confusion_matrix", (1.0 + 0.55 * n, 0.8 + 0.5 * n))
    ax.imshow(shown, cmap="Blues")
    names = [str(i) for i in range(n)] if labels is None else [str(x) for x in labels]
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(names)
    ax.set_yticklabels(names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    top = shown.max() if shown.size else 1
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}" if normalize else str(matrix[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize="small",
                    color="white" if shown[i, j] > 0.6 * top else "black")
    ax.set_title(title)
    ax.matrix = matrix
    return ax


def plot_step_gradients(norms, ax=None, title: str = "Gradient reaching each time step"):
    """``‖∂L/∂x_t‖`` against the time step ``t`` (log scale), one line per layer or per check.

    Args:
        norms: ``{name: array of per-step norms}`` (e.g. one entry per recurrent layer), or
            :class:`~neuronet.callbacks.GradientMonitor`'s ``history['step_grad_norms'][layer]`` (a list,
            one array per check).
        ax: a matplotlib Axes. Defaults to None (a new figure).
        title: the title.

    Returns:
        The Axes.
    """
    if isinstance(norms, (list, tuple)):
        norms = {f"check {i + 1}": v for i, v in enumerate(norms)}
    if not isinstance(norms, dict) or not norms:
        raise ValueError(f"plot_step_gradients: expected a non-empty dict of per-step norms, received "
                         f"{type(norms).__name__}")
    ax = _axes(ax, "plot_step_gradients")
    for name, values in norms.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(1, len(values) + 1), np.maximum(values, 1e-30), marker=".", label=str(name))
    ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel("|dL/dx_t|")
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


GUIDE_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")


def plot_activations(names=GUIDE_ACTIVATIONS, x_range=(-4.0, 4.0), axes=None):
    """Each activation function beside its derivative, the derivative computed by backpropagation.

    The derivative curve is ``x.grad`` after ``f(x).sum().backward()`` through the library's own op —
    the same backward a network uses — so the picture shows, e.g., why a sigmoid passes back at most
    1/4 of a gradient and a ReLU either all or nothing.

    Args:
        names: activation names. Defaults to sigmoid, tanh, relu, leaky_relu, elu, softplus.
        x_range: the interval drawn. Defaults to (-4, 4).
        axes: Axes to draw on, one per name. Defaults to None (a grid).

    Returns:
        The list of Axes; each has ``.curves = (x, f(x), f'(x))``.
    """
    from .. import activations
    from ..autograd import Tensor

    fns = [activations.get(n) for n in names]  # unknown names fail here, before matplotlib is imported
    plt = _pyplot("plot_activations")
    if axes is None:
        cols = min(3, len(fns))
        rows = -(-len(fns) // cols)
        _, grid = plt.subplots(rows, cols, figsize=(4.0 * cols, 3.0 * rows), squeeze=False)
        axes = list(grid.ravel())
        for ax in axes[len(fns):]:
            ax.set_visible(False)
    x = np.linspace(x_range[0], x_range[1], 401)
    for ax, name, fn in zip(axes, names, fns):
        t = Tensor(x, requires_grad=True)
        y = fn(t)
        y.sum().backward()
        ax.axhline(0.0, color="0.8", lw=0.8)
        ax.axvline(0.0, color="0.8", lw=0.8)
        ax.plot(x, y.data, label=f"{name}(x)")
        ax.plot(x, t.grad, "--", label="derivative")
        ax.set_title(name)
        ax.legend(fontsize="small")
        ax.curves = (x, y.data.copy(), np.asarray(t.grad).copy())
    return axes[: len(fns)]


def plot_lr_finder(result, ax=None, title: str = "Learning-rate range test"):
    """The loss (raw and smoothed) against the learning rate (log scale), the suggestion marked.

    Args:
        result: what :func:`~neuronet.diagnostics.find_learning_rate` returns.
        ax: a matplotlib Axes. Defaults to None (a new figure).

    Returns:
        The Axes.
    """
    rates = np.asarray(getattr(result, "rates", None) or [], dtype=np.float64)
    if rates.size == 0:
        raise ValueError("plot_lr_finder: expected the result of find_learning_rate")
    ax = _axes(ax, "plot_lr_finder")
    losses, smoothed = np.asarray(result.losses), np.asarray(result.smoothed)
    finite = np.isfinite(smoothed)
    ax.plot(rates, losses, color="0.75", lw=0.8, label="batch loss")
    ax.plot(rates[finite], smoothed[finite], label="smoothed")
    if result.suggestion is not None:
        ax.axvline(result.suggestion, color="C3", ls="--", label=f"suggestion {result.suggestion:.1e}")
    ax.set_xscale("log")
    top = np.nanmax(smoothed[finite]) if finite.any() else 1.0
    ax.set_ylim(top=min(top * 1.2, np.nanmax(losses[np.isfinite(losses)]) * 1.05))
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def plot_gradient_flow(stats, ax=None, title: str = "Gradient flow"):
    """Bar chart of the gradient norm of each layer (log scale), input side on the left.

    Needs matplotlib (``pip install neuronet[plot]``); it is imported only when this is called.

    Args:
        stats: the result of :func:`layer_gradients`, a dict ``{layer name: gradient norm}`` (one bar per
            layer), or :class:`~neuronet.callbacks.GradientMonitor`'s ``history['grad_norm']`` (one line
            per recorded epoch: watch the gradients change as training goes on).
        ax: a matplotlib Axes to draw on. Defaults to None (a new figure).
        title: the plot title. Defaults to 'Gradient flow'.

    Returns:
        The matplotlib Axes.
    """
    if not isinstance(stats, dict) or not stats:
        raise ValueError(f"plot_gradient_flow: expected the non-empty dict returned by layer_gradients, received "
                         f"{type(stats).__name__}")
    values = list(stats.values())
    if all(isinstance(v, (list, tuple)) for v in values):  # GradientMonitor.history['grad_norm']
        curves = [{layer: v[i] for layer, v in stats.items() if i < len(v)} for i in range(max(map(len, values)))]
    elif all(isinstance(v, (int, float)) for v in values):
        curves = [stats]
    else:
        curves = [layer_grad_norms(stats)]
    plt = _pyplot("plot_gradient_flow")
    names = list(curves[0]) if len(curves) == 1 else list(stats)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(names) + 2.0), 3.5))
    if len(curves) == 1:
        ax.bar(range(len(names)), [max(float(curves[0][n]), 1e-30) for n in names])
    else:  # one line per recorded epoch, darker as training goes on
        for i, norms in enumerate(curves):
            shade = 0.2 + 0.8 * i / (len(curves) - 1)
            ax.plot([names.index(n) for n in norms], [max(float(v), 1e-30) for v in norms.values()], marker="o",
                    color=(0.1, 0.3, 0.8, shade), label=f"check {i + 1}")
        ax.legend(fontsize="small")
    ax.set_yscale("log")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45, ha="right")
    ax.set_ylabel("gradient norm |dL/dW|")
    ax.set_title(title)
    return ax
