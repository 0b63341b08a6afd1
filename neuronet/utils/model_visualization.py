"""``plot_model`` and ``model_to_dot``: a model's graph drawn by Graphviz, as Keras 3 draws it.

Each layer is a box (its name and class, and on request its input/output shapes, dtype, activation
and whether it is trainable); arrows follow the tensors from layer to layer. Needs the optional
extra ``plot_model`` (``pip install 'neuronet[plot_model]'``, which brings pydot) and Graphviz's
``dot`` program (e.g. ``apt-get install graphviz``) to write an image.

Example::

    model = neuronet.Model(inputs, outputs)
    neuronet.utils.plot_model(model, to_file="model.png", show_shapes=True)
"""

from __future__ import annotations

import os
import shutil

__all__ = ["plot_model", "model_to_dot"]


def _pydot(where: str):
    try:
        import pydot
    except ImportError:
        raise ImportError(f"{where} needs pydot, the optional extra 'plot_model': pip install 'neuronet[plot_model]' "
                          "(or pip install pydot)") from None
    return pydot


def _check_graphviz(pydot, where: str) -> None:
    message = (f"{where} needs Graphviz's 'dot' program, which was not found on PATH: install Graphviz (e.g. apt-get "
               "install graphviz, brew install graphviz)")
    if shutil.which("dot") is None:
        raise ImportError(message)
    try:
        pydot.Dot.create(pydot.Dot())
    except (OSError, getattr(pydot, "PydotException", OSError)) as err:
        raise ImportError(f"{message}; running it failed: {err}") from None


def _format_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    return str(tuple(shape))


def _io(layer, owner) -> tuple:
    """``(input shape, output shape, output dtype)`` of the layer's first call, each None when unknown.

    The call's input is every tensor it consumed (a list when several, e.g. an attention's query and
    value); a layer inside a Sequential that was built from shapes alone takes them from the model.
    """
    def one_or_list(values):
        return values[0] if len(values) == 1 else list(values)

    if layer._inbound_nodes:
        node = layer._inbound_nodes[0]
        deps, outs = node.dependencies, node.output_tensors
        return (one_or_list([t.shape for t in deps]) if deps else None, one_or_list([t.shape for t in outs]),
                one_or_list([t.dtype for t in outs]))
    from ..models.sequential import Sequential

    if isinstance(owner, Sequential) and layer in owner.layers:
        i = owner.layers.index(layer)
        before = owner._layer_shape(owner.layers[i - 1]) if i else getattr(owner, "_input_batch_shape", None)
        out = owner._layer_shape(layer)
        return before, out, (layer.dtype if out is not None else None)
    return None, None, None


def _activation_name(layer) -> str:
    fn = layer.activation
    try:
        from ..activations import serialize

        return serialize(fn)
    except (ValueError, TypeError, AttributeError):
        return getattr(fn, "__name__", str(fn))


def _label(layer, owner, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable) -> str:
    """The HTML-like Graphviz label of one layer's box (Keras's layout)."""
    class_name = getattr(layer, "keras_class_name", type(layer).__name__)  # an op node shows its op: 'Softmax'
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    table = ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
             f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" color="white">{title}'
             "</font></td></tr>")
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        table += (f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
                  f"Activation: <b>{_activation_name(layer)}</b></font></td></tr>")
    cols = []
    cell = '<td bgcolor="white"><font point-size="14">{}: <b>{}</b></font></td>'
    input_shape, output_shape, dtype = _io(layer, owner)
    if show_shapes:
        if class_name != "InputLayer":
            cols.append(cell.format("Input shape", _format_shape(input_shape)))
        cols.append(cell.format("Output shape", _format_shape(output_shape)))
    if show_dtype:
        cols.append(cell.format("Output dtype", dtype or "?"))
    if show_trainable and layer.weights:
        color, text = ("forestgreen", "Trainable") if layer.trainable else ("firebrick", "Non-trainable")
        cols.append(f'<td bgcolor="{color}"><font point-size="14" color="white"><b>{text}</b></font></td>')
    if cols:
        table += f"<tr>{''.join(cols)}</tr>"
    return table + "</table>>"


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
                 **kwargs):
    """The model's graph as a ``pydot.Dot`` (or a ``pydot.Cluster`` when ``subgraph``), as Keras's.

    Args: as :func:`plot_model` (``show_layer_names`` defaults to True here, as in Keras), plus
        ``subgraph``: return a dashed cluster named after the model (for nesting). Defaults to False.

    Raises:
        ValueError: when the model is not built, or for an unknown keyword argument.
        ImportError: when pydot is missing (one line naming the extra to install).
    """
    from ..models.functional import Functional
    from ..models.sequential import Sequential
    from ..models.summary import functional_layout

    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("model_to_dot: the argument layer_range is not supported (as in Keras 3)")
    if kwargs:
        raise ValueError(f"model_to_dot: unexpected keyword argument(s) {sorted(kwargs)}")
    if not model.built:
        raise ValueError(f"model_to_dot: model '{model.name}' has not been built yet; call it on data or give it an "
                         "input shape first")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"model_to_dot: rankdir must be 'TB', 'LR', 'BT' or 'RL', received rankdir={rankdir!r}")
    pydot = _pydot("model_to_dot")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations, show_trainable=show_trainable)

    def add_node(layer):
        node = pydot.Node(str(id(layer)), label=_label(layer, model, **options))
        node.set("fontname", "Helvetica")
        node.set("border", "0")
        node.set("margin", "0")
        dot.add_node(node)

    def add_edge(source, destination):
        src, dst = str(id(source)), str(id(destination))
        if not dot.get_edge(src, dst):
            edge = pydot.Edge(src, dst)
            edge.set("penwidth", "2")
            dot.add_edge(edge)

    is_model = (Functional, Sequential)
    if isinstance(model, Sequential):
        layers, nodes = list(model.layers), None
    elif isinstance(model, Functional):
        layers, nodes, _ = functional_layout(model)
    else:  # a subclassed model is one box
        add_node(model)
        return dot
    for layer in layers:
        if expand_nested and isinstance(layer, is_model):
            dot.add_subgraph(model_to_dot(layer, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
                                          dpi, subgraph=True, show_layer_activations=show_layer_activations,
                                          show_trainable=show_trainable))
        else:
            add_node(layer)
    if nodes is None:  # Sequential: a chain
        if not expand_nested:
            for a, b in zip(layers, layers[1:]):
                add_edge(a, b)
            return dot
        pairs = list(zip(layers, layers[1:]))
    else:
        ids = {id(n) for n in nodes}
        pairs = []
        for layer in layers:
            for node in layer._inbound_nodes:
                if id(node) not in ids:
                    continue
                for position, tensor in enumerate(node.dependencies):
                    pairs.append((tensor, layer, position))
    for pair in pairs:
        if len(pair) == 2:  # nested Sequential: from one layer to the next
            source, destination, position, index = pair[0], pair[1], 0, 0
        else:
            tensor, destination, position = pair
            source, index = tensor._node.layer, tensor._index
        if expand_nested:
            while isinstance(source, is_model):  # into a nested model: the layer making that output
                out = source.outputs[index] if isinstance(source, Functional) else None
                if out is None:
                    source, index = source.layers[-1], 0
                else:
                    source, index = out._node.layer, out._index
            while isinstance(destination, is_model):  # ...and the layer reading that input
                destination = (destination.inputs[position]._node.layer if isinstance(destination, Functional)
                               else destination.layers[0])
        add_edge(source, destination)
    return dot


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho", **kwargs):
    """Draw the model's graph into an image file (Keras's ``keras.utils.plot_model``).

    Args:
        model: a built model (Sequential, functional; a subclassed model is drawn as one box).
        to_file: the image file; its extension picks the format ('png', 'svg', 'pdf', 'dot', ...).
            Defaults to 'model.png'.
        show_shapes: show each layer's input and output shapes. Defaults to False.
        show_dtype: show each layer's output dtype. Defaults to False.
        show_layer_names: show the layers' names beside their classes. Defaults to False.
        rankdir: 'TB' (top to bottom) or 'LR' (left to right), as Graphviz. Defaults to 'TB'.
        expand_nested: draw the layers of nested models inside dashed boxes. Defaults to False.
        dpi: the image resolution. Defaults to 200.
        show_layer_activations: show the activation of layers that have one. Defaults to False.
        show_trainable: mark each layer with weights trainable or not. Defaults to False.
        splines: how edges are drawn ('ortho', 'curved', 'polyline', 'spline', 'line'). Defaults to 'ortho'.

    Returns:
        An ``IPython.display.Image`` of the file when IPython is installed (so a notebook shows it),
        else None.

    Raises:
        ImportError: one line naming what to install when pydot or Graphviz's ``dot`` is missing.
        ValueError: when the model is not built.
    """
    if not model.built:
        raise ValueError(f"plot_model: model '{model.name}' has not been built yet; call it on data or give it an "
                         "input shape first")
    pydot = _pydot("plot_model")
    _check_graphviz(pydot, "plot_model")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable,
                       splines=splines, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
