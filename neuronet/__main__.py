"""``python -m neuronet``: the ``neuronet`` command (see :mod:`neuronet.cli`)."""

from neuronet.cli import main

raise SystemExit(main())
