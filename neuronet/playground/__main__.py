"""``python -m neuronet.playground [--port N] [--no-browser]``."""

import sys

from .cli import main

sys.exit(main())
