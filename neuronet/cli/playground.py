"""``neuronet playground [--port N] [--no-browser]``: the playground in the browser (see :mod:`neuronet.playground`)."""

from ..playground.cli import HELP, NAME, add_arguments, run

__all__ = ["HELP", "NAME", "add_arguments", "run"]
