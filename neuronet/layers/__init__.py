"""Layers with the Keras contract (``keras.layers``), one family per file.

The everyday families (core, activation, conv, pooling, recurrent, normalization, regularization,
reshaping, merge, embedding) load with the package; the rarer ones (preprocessing, attention, 3-D
convolution, EinsumDense, spatial padding/cropping/upsampling, wrappers, Masking, OperatorLayer) load
the first time one of their names is used (:mod:`neuronet._lazy`): ``neuronet.layers.Rescaling`` and
``from neuronet.layers import MultiHeadAttention`` work as usual.
"""

from .. import _lazy
from ..ops.symbolic import set_symbolic_recorder
from .activation import *  # noqa: F401,F403
from .base import InputSpec, Layer  # noqa: F401
from .conv import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .merge import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .reshaping import *  # noqa: F401,F403
from . import activation, conv, core, embedding, merge, normalization, pooling, recurrent, regularization, reshaping

# The rarer families: {module: its public names} (tests/test_lazy_imports.py checks each list against the
# module's __all__). preprocessing's Normalization (the adapting layer) is layers.Normalization, as in Keras.
_LAZY_FAMILIES = {
    "attention": ("Attention", "AdditiveAttention", "MultiHeadAttention"),
    "conv3d": ("Conv3D", "Convolution3D", "MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D",
               "GlobalAveragePooling3D", "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D", "GlobalAvgPool3D",
               "ZeroPadding3D", "Cropping3D", "UpSampling3D"),
    "conv_lstm": ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"),
    "einsum_dense": ("EinsumDense",),
    "masking": ("Masking",),
    "operator": ("OperatorLayer",),
    "spatial": ("ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D"),
    "wrappers": ("Bidirectional", "SpectralNormalization", "TimeDistributed", "Wrapper"),
    "preprocessing": ("AutoContrast", "CategoryEncoding", "CenterCrop", "CutMix", "Discretization", "Equalization",
                      "HashedCrossing", "Hashing", "IntegerLookup", "MelSpectrogram", "MixUp", "Normalization",
                      "Pipeline", "RandAugment", "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter",
                      "RandomContrast", "RandomCrop", "RandomErasing", "RandomFlip", "RandomGaussianBlur",
                      "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPosterization", "RandomRotation",
                      "RandomSaturation", "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom",
                      "Rescaling", "Resizing", "Solarization", "StringLookup", "TextVectorization"),
}
_EAGER = (activation, conv, core, embedding, merge, normalization, pooling, recurrent, regularization, reshaping)

__all__ = sorted({"InputSpec", "Layer", "deserialize", "serialize", *(n for m in _EAGER for n in m.__all__),
                  *(n for names in _LAZY_FAMILIES.values() for n in names)})


def serialize(layer) -> dict:
    """``{"class_name", "config", ...}`` describing ``layer`` (``keras.layers.serialize``); see
    :func:`neuronet.saving.serialize_keras_object`."""
    from ..saving import serialize_keras_object

    if not isinstance(layer, Layer):
        raise TypeError(f"layers.serialize: expected a Layer, received {type(layer).__name__}")
    return serialize_keras_object(layer)


def deserialize(config, custom_objects: dict | None = None):
    """A new layer from :func:`serialize`'s output (``keras.layers.deserialize``); classes come only from
    the registry, ``custom_objects`` first."""
    from ..saving import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects, kind="layers")


def _record_op(name, fn, args, kwargs):
    """Records an op called on symbolic tensors (``ops.softmax(Input(...))``) until layers/operator.py, loaded
    lazily with its first use, registers its own recorder."""
    from .operator import record_op

    return record_op(name, fn, args, kwargs)


set_symbolic_recorder(_record_op)

__getattr__, __dir__ = _lazy.attach(
    __name__, globals(), submodules=_LAZY_FAMILIES,
    names={name: module for module, names in _LAZY_FAMILIES.items() for name in names},
)
