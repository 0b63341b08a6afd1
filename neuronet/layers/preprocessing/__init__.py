"""Preprocessing layers (``keras.layers`` preprocessing), one concept per file.

Feature preprocessing: Normalization, Rescaling, Discretization, CategoryEncoding, Hashing,
HashedCrossing, StringLookup, IntegerLookup, TextVectorization. Audio: MelSpectrogram. Image preprocessing: Resizing,
CenterCrop, AutoContrast, Equalization and the random augmentations (active in training only): RandomFlip,
RandomRotation, RandomZoom, RandomTranslation, RandomShear, RandomCrop, RandomContrast,
RandomBrightness, RandomGrayscale, RandomInvert, RandomSaturation, RandomHue,
RandomColorDegeneration, RandomColorJitter, RandomGaussianBlur, RandomErasing, RandomSharpness,
RandomPosterization, Solarization, MixUp, CutMix, RandAugment. Pipeline chains them.

They take raw NumPy data — numbers, or strings as ``str``/``object`` arrays and lists — and the ones
with state learn it with ``adapt(data)`` from arrays, pandas DataFrames/Series, PyDatasets or
generators of batches. Their state (statistics, vocabularies) is saved with the model: as weights
(Normalization) or in the layer config (vocabularies, bin boundaries).
"""

from .auto_contrast import AutoContrast
from .category_encoding import CategoryEncoding
from .center_crop import CenterCrop
from .cut_mix import CutMix
from .discretization import Discretization
from .equalization import Equalization
from .hashed_crossing import HashedCrossing
from .hashing import Hashing
from .integer_lookup import IntegerLookup
from .mel_spectrogram import MelSpectrogram
from .mix_up import MixUp
from .normalization import Normalization
from .pipeline import Pipeline
from .rand_augment import RandAugment
from .random_brightness import RandomBrightness
from .random_color_degeneration import RandomColorDegeneration
from .random_color_jitter import RandomColorJitter
from .random_contrast import RandomContrast
from .random_crop import RandomCrop
from .random_erasing import RandomErasing
from .random_flip import RandomFlip
from .random_gaussian_blur import RandomGaussianBlur
from .random_grayscale import RandomGrayscale
from .random_hue import RandomHue
from .random_invert import RandomInvert
from .random_posterization import RandomPosterization
from .random_rotation import RandomRotation
from .random_saturation import RandomSaturation
from .random_translation import RandomTranslation
from .random_zoom import RandomZoom
from .rescaling import Rescaling
from .random_sharpness import RandomSharpness
from .random_shear import RandomShear
from .resizing import Resizing
from .solarization import Solarization
from .string_lookup import StringLookup
from .text_vectorization import TextVectorization

__all__ = ["AutoContrast", "CategoryEncoding", "CenterCrop", "CutMix", "Discretization", "Equalization",
           "HashedCrossing", "Hashing", "IntegerLookup", "MelSpectrogram", "MixUp", "Normalization", "Pipeline",
           "RandAugment", "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast",
           "RandomCrop", "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue",
           "RandomInvert", "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness",
           "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing", "Solarization", "StringLookup",
           "TextVectorization"]
