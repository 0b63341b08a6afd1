"""Pictures (matplotlib, the ``plot`` extra, imported only when a function here is called)."""

from __future__ import annotations

from .stats import layer_grad_norms

__all__ = ["plot_gradient_flow"]


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
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plot_gradient_flow needs matplotlib: pip install matplotlib (or neuronet[plot])") from exc
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
