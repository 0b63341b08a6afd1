"""The ``neuronet playground [--port N] [--no-browser]`` command.

The module has the shape of a ``neuronet`` subcommand (``NAME``, ``HELP``, ``add_arguments(parser)``,
``run(args)`` returning the exit status); :func:`add_subparser` adds it to any ``argparse`` subparsers
object, and :func:`main` is ``python -m neuronet.playground``.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["HELP", "NAME", "add_arguments", "add_subparser", "main", "run"]

NAME = "playground"
HELP = "open the playground: train a small network in the browser, live, with neuronet"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--port`` and ``--no-browser`` to ``parser``."""
    parser.add_argument("--port", type=int, default=None,
                        help="TCP port on 127.0.0.1 (default: 8765, or a free one if taken; 0: any free port)")
    parser.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    return parser


def add_subparser(subparsers) -> argparse.ArgumentParser:
    """Add the ``playground`` subcommand to ``subparsers`` (from ``parser.add_subparsers()``); the parsed
    arguments carry ``run``, the function that carries the command out."""
    parser = add_arguments(subparsers.add_parser(NAME, help=HELP, description=HELP))
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Serve the playground until Ctrl+C. Exit status 0; 2 for a port out of range; 1 when the port is taken."""
    from . import serve

    if args.port is not None and not 0 <= args.port <= 65535:
        print(f"neuronet {NAME}: error: --port must be from 0 to 65535, received {args.port}", file=sys.stderr)
        return 2
    try:
        serve(port=args.port, open_browser=not args.no_browser, block=True)
    except OSError as err:
        print(f"neuronet {NAME}: error: {err}", file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    """``python -m neuronet.playground [--port N] [--no-browser]``."""
    parser = add_arguments(argparse.ArgumentParser(prog="python -m neuronet.playground", description=HELP))
    return run(parser.parse_args(argv))
