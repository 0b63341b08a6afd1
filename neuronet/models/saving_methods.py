"""``model.save``, ``save_weights``, ``load_weights`` and ``to_json``: conveniences over :mod:`neuronet.saving`.

Saving sits above models (it rebuilds Sequential and functional models from files), so these methods
import it when called, never when ``neuronet.models`` is imported.
"""

from __future__ import annotations

__all__ = ["SavingMixin"]


class SavingMixin:
    """``save``, ``save_weights``, ``load_weights`` and ``to_json`` methods for models (Keras 3 signatures)."""

    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save the whole model to a ``.keras`` file (see :func:`neuronet.saving.save_model`)."""
        from ..saving import api

        api.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights to a ``.weights.h5`` or ``.weights.safetensors`` file (see
        :func:`neuronet.saving.save_weights`)."""
        from ..saving import api

        api.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> None:
        """Load weights from a ``.weights.h5``, ``.keras``, ``.h5``, ``.weights.safetensors`` or ``.npz``
        file (see :func:`neuronet.saving.load_weights`)."""
        from ..saving import api

        api.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string (see :func:`neuronet.saving.model_to_json`)."""
        from ..saving import api

        return api.model_to_json(self, **kwargs)
