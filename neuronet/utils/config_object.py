"""``keras.utils.Config``: a dict whose keys are also attributes, which can be frozen (for experiment
settings: ``config.batch_size`` instead of ``config["batch_size"]``)."""

from __future__ import annotations

import json

__all__ = ["Config"]


class Config:
    """Settings as attributes and keys at once; ``freeze()`` makes them read-only.

    Example::

        config = Config(learning_rate=1e-3, layers=[64, 64])
        config.epochs = 10
        config["epochs"]            # 10
        config.freeze()
        config.epochs = 20          # ValueError: the config is frozen
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        """Whether the config refuses changes."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse every later change."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        """Accept changes again."""
        object.__setattr__(self, "_frozen", False)

    def _check_not_frozen(self) -> None:
        if self._frozen:
            raise ValueError("Config: the config is frozen and cannot be changed; call unfreeze() first")

    def as_dict(self) -> dict:
        """A copy of the settings as a plain dict."""
        return dict(self._values)

    def to_json(self) -> str:
        """The settings as a JSON string."""
        return json.dumps(self._values)

    def keys(self):
        return self._values.keys()

    def values(self):
        return self._values.values()

    def items(self):
        return self._values.items()

    def get(self, key, default=None):
        return self._values.get(key, default)

    def pop(self, *args):
        self._check_not_frozen()
        return self._values.pop(*args)

    def update(self, *args, **kwargs) -> None:
        self._check_not_frozen()
        self._values.update(*args, **kwargs)

    def __setattr__(self, name, value) -> None:
        self._check_not_frozen()
        self._values[name] = value

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"Config has no setting {name!r}; it has: {sorted(map(str, values))}")

    def __setitem__(self, key, value) -> None:
        self._check_not_frozen()
        self._values[key] = value

    def __getitem__(self, key):
        return self._values[key]

    def __delitem__(self, key) -> None:
        self._check_not_frozen()
        del self._values[key]

    def __contains__(self, key) -> bool:
        return key in self._values

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<Config {self._values!r}>"
