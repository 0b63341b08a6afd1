"""The ``neuronet`` command: ``train``, ``predict``, ``evaluate``, ``summary``, ``demo`` (CSV files) and
``playground`` (the browser playground, :mod:`neuronet.playground`).

Each subcommand is a module here with ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args)``
(returning the exit status); :data:`COMMANDS` lists them and :func:`main` dispatches. A user's mistake
is one line on stderr (``neuronet train: error: ...``) and exit status 1 (2 for a bad command line),
with nothing written; Ctrl-C exits with status 130, leaving no half-written file.

``import neuronet`` does not import this package.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import demo, evaluate, playground, predict, summary, train
from .common import CLIError

__all__ = ["main", "COMMANDS", "CLIError"]

COMMANDS = [train, predict, evaluate, summary, demo, playground]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``neuronet train: error: ... (see neuronet train --help)``."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(prog="neuronet", description="Train and use neural networks on CSV files with neuronet.")
    parser.add_argument("--version", action="version", version=f"neuronet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in COMMANDS:
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"neuronet {args.command}"
    try:
        return args.run(args)
    except CLIError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted; no file was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of stdout went away (`neuronet summary m.keras | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as err:  # a bug or an unforeseen case: still one line, the traceback on request
        if os.environ.get("NEURONET_DEBUG"):
            raise
        detail = str(err).splitlines()[0] if str(err) else ""
        print(f"{prog}: error: {type(err).__name__}: {detail} (NEURONET_DEBUG=1 shows the traceback)",
              file=sys.stderr)
    return 1
