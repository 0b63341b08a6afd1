"""Load a package's submodules and names on first attribute access (PEP 562), so imports stay fast.

``import neuronet`` should take a fraction of a second and load only what a script uses: the data
sets, the diagnostics, the preprocessing layers and the like are imported the first time one of
their names is looked up (``neuronet.datasets``, ``neuronet.layers.Rescaling``), never before. A
package declares what it loads lazily and installs the two module hooks PEP 562 defines::

    __getattr__, __dir__ = lazy.attach(__name__, globals(),
                                       submodules=("datasets", "diagnostics"),
                                       names={"Rescaling": "preprocessing"})

After that ``package.datasets`` imports ``package.datasets``, and ``package.Rescaling`` imports
``package.preprocessing`` and returns its ``Rescaling``; each value is then stored in the package, so
the hook runs once per name. ``from package import Rescaling`` and ``dir(package)`` see the lazy names
too. Only the fixed names written in the package's source are ever imported.
"""

from __future__ import annotations

import importlib


def attach(package: str, namespace: dict, submodules=(), names: dict | None = None):
    """The ``__getattr__`` and ``__dir__`` of a package with lazily loaded submodules and names.

    Args:
        package: the package's ``__name__``.
        namespace: the package's ``globals()``; a loaded value is stored there.
        submodules: names of submodules (``package.<name>``) imported on first access.
        names: ``{attribute: submodule}``: the attribute is ``package.<submodule>.<attribute>``,
            imported on first access. Defaults to none.

    Returns:
        ``(__getattr__, __dir__)`` to assign at the package's top level.
    """
    submodules = frozenset(submodules)
    names = dict(names or {})

    def __getattr__(name: str):
        if name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in names:
            value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list:
        return sorted(set(namespace) | submodules | set(names))

    return __getattr__, __dir__
