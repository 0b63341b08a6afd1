"""Run an example's ``main(argv)`` in this process and return what it printed ."""

import contextlib
import importlib.util
import io
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *argv: str) -> str:
    """Import ``examples/<name>`` under a private module name (the examples folder on the path for its
    helpers), call its ``main(list(argv))`` and return its standard output."""
    added = str(EXAMPLES) not in sys.path
    if added:
        sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(f"_example_{Path(name).stem}", EXAMPLES / name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            module.main(list(argv))
        return out.getvalue()
    finally:
        if added:
            sys.path.remove(str(EXAMPLES))
