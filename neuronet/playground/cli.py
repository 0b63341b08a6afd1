"""The ``neuronet playground [--port N] [--no-browser]`` command.

:func:`add_subparser` adds the ``playground`` subcommand to an ``argparse`` subparsers object and
:func:`run` carries it out; :func:`main` is ``python -m neuronet.playground``.
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "add_subparser", "main", "run"]

HELP = "open the playground: train a small network in the browser, live, with neuronet"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--port`` and ``--no-browser`` to ``parser``."""
    parser.add_argument("--port", type=int, default=None,
                        help="TCP port on 127.0.0.1 (default: 8765, or a free one if taken; 0: any free port)")
    parser.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    parser.set_defaults(handler=run)
    return parser


def add_subparser(subparsers) -> argparse.ArgumentParser:
    """Add the ``playground`` subcommand to ``subparsers`` (from ``parser.add_subparsers()``)."""
    return add_arguments(subparsers.add_parser("playground", help=HELP, description=HELP))


def run(args: argparse.Namespace) -> int:
    """Serve the playground until Ctrl+C; 0 on success, 2 when the port cannot be used."""
    from . import serve

    if args.port is not None and not 0 <= args.port <= 65535:
        print(f"neuronet playground: --port must be from 0 to 65535, received {args.port}")
        return 2
    try:
        serve(port=args.port, open_browser=not args.no_browser, block=True)
    except OSError as err:
        print(f"neuronet playground: {err}")
        return 2
    return 0


def main(argv=None) -> int:
    parser = add_arguments(argparse.ArgumentParser(prog="python -m neuronet.playground", description=HELP))
    return run(parser.parse_args(argv))
