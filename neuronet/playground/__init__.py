"""The playground: a page in the browser that trains a small network with neuronet itself, live.

Pick a data set (the guide's make_classification example, XOR, circles, spirals, moons, a 1-D curve), build
a feedforward network (layers, units, activations, optimizer, learning rate, batch size, regularization),
then train, pause, reset or step one mini-batch while the decision boundary, the loss curves, the weights
and every neuron's output over the input plane move. "Explain this step" shows the numbers of one
backpropagation step as :func:`neuronet.diagnostics.explain_step` computes them; the health monitor
(:func:`neuronet.diagnostics.measure_health` and :func:`~neuronet.diagnostics.diagnose`) greys out dead
units and marks vanishing gradients, with the remedy. The network exports as a Keras script and the
trained model as a ``.keras`` file.

The server is the standard library's (no extra dependency), listens on 127.0.0.1 only and streams to the
page with Server-Sent Events; the page is plain HTML, CSS and JavaScript shipped in the package, with no
network access.

From a shell: ``neuronet playground`` (or ``python -m neuronet.playground``). From Python::

    from neuronet import playground
    playground.serve()                      # opens the page; Ctrl+C stops it
    server = playground.serve(block=False)  # in Jupyter: returns at once; server.stop() ends it
"""

from __future__ import annotations

import sys

__all__ = ["serve", "DEFAULT_PORT"]

DEFAULT_PORT = 8765


def serve(port: int | None = None, open_browser: bool = True, block: bool | None = None):
    """Start the playground's server on 127.0.0.1 and open the page in the browser.

    Args:
        port: the TCP port. Defaults to None: 8765, or any free port if 8765 is taken. 0 picks a free port.
        open_browser: open the page in the default browser. Defaults to True.
        block: serve until Ctrl+C (True) or in a background thread and return at once (False). Defaults
            to None: block, except inside a Jupyter kernel.

    Returns:
        The :class:`~neuronet.playground.server.PlaygroundServer` (its ``url``; ``stop()`` ends it).

    Raises:
        OSError: when the chosen ``port`` cannot be used (e.g. another program listens on it).
    """
    from .server import PlaygroundServer

    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
        raise ValueError(f"serve: port must be an integer from 0 to 65535, received {port!r}")
    if port is None:
        try:
            server = PlaygroundServer(DEFAULT_PORT)
        except OSError:
            server = PlaygroundServer(0)
    else:
        try:
            server = PlaygroundServer(port)
        except OSError as err:
            raise OSError(f"serve: cannot listen on 127.0.0.1:{port} ({err.strerror or err}); pick another port "
                          "or 0 for any free one") from None
    if block is None:
        block = "ipykernel" not in sys.modules
    print(f"neuronet playground: {server.url}" + ("  (Ctrl+C stops it)" if block else ""), flush=True)
    if open_browser:
        import webbrowser

        try:
            webbrowser.open(server.url)
        except Exception:  # no browser here: the printed address is enough
            pass
    if not block:
        return server.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return server
