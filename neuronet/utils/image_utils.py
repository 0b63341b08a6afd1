"""Images from files: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``, ``smart_resize`` and
``image_dataset_from_directory`` (Keras's ``keras.utils`` names).

Decoding and encoding image files needs Pillow, an optional extra: ``pip install neuronet[image]``. It is
imported only when a file is read or written, with a one-line error when missing.
"""

from __future__ import annotations

import os

import numpy as np

from .. import config
from .directory_dataset import directory_datasets

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "smart_resize", "image_dataset_from_directory"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_COLOR_MODES = {"rgb": ("RGB", 3), "rgba": ("RGBA", 4), "grayscale": ("L", 1)}


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Reading or writing image files needs Pillow: pip install 'neuronet[image]' "
                          "(or pip install pillow)") from None
    return Image


def _resize(array: np.ndarray, size, interpolation: str, crop_to_aspect_ratio: bool = False,
            pad_to_aspect_ratio: bool = False) -> np.ndarray:
    from ..autograd import Tensor, no_grad
    from ..ops.resampling import resize

    with no_grad():
        out = resize(Tensor._wrap(array.astype("float32")), size, interpolation,
                     crop_to_aspect_ratio=crop_to_aspect_ratio, pad_to_aspect_ratio=pad_to_aspect_ratio)
    return out.data


def smart_resize(x, size, interpolation: str = "bilinear", data_format: str = "channels_last", backend_module=None):
    """Resize image(s) ``(H, W, C)`` or ``(batch, H, W, C)`` to ``size`` without distorting them: the largest
    centred window with the target's aspect ratio is cut, then resized (Keras ``smart_resize``)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"smart_resize: neuronet images are channels-last only, received data_format={data_format!r}")
    return _resize(np.asarray(x), size, interpolation, crop_to_aspect_ratio=True)


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Load an image file as a PIL image (Keras ``keras.utils.load_img``).

    Args:
        path: the file.
        color_mode: 'rgb', 'rgba' or 'grayscale'. Defaults to 'rgb'.
        target_size: ``(height, width)`` to resize to. Defaults to None (the file's size).
        interpolation: Pillow's resampling for ``target_size``: 'nearest', 'bilinear', 'bicubic',
            'lanczos', 'box' or 'hamming'. Defaults to 'nearest'.
        keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing. Defaults to False.
    """
    Image = _pil()
    if color_mode not in _COLOR_MODES:
        raise ValueError(f"load_img: color_mode must be one of {sorted(_COLOR_MODES)}, received {color_mode!r}")
    with open(os.fspath(path), "rb") as f:
        img = Image.open(f)
        img.load()
    mode = _COLOR_MODES[color_mode][0]
    if img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        height, width = int(target_size[0]), int(target_size[1])
        if img.size != (width, height):
            methods = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC,
                       "lanczos": Image.LANCZOS, "box": Image.BOX, "hamming": Image.HAMMING}
            if interpolation not in methods:
                raise ValueError(f"load_img: interpolation must be one of {sorted(methods)}, received "
                                 f"{interpolation!r}")
            if keep_aspect_ratio:
                w, h = img.size
                crop_w, crop_h = min(w, int(h * width / height)), min(h, int(w * height / width))
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize((width, height), methods[interpolation])
    return img


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """A PIL image as a float array ``(height, width, channels)`` (Keras ``img_to_array``)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"img_to_array: neuronet images are channels-last only, received {data_format!r}")
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}")
    return x


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """An array ``(height, width, channels)`` (1, 3 or 4 channels) as a PIL image; with ``scale`` the values
    are first mapped to [0, 255]."""
    Image = _pil()
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"array_to_img: expected an image array (height, width, 1|3|4), received shape {x.shape}")
    if scale:
        x = x - x.min()
        peak = x.max()
        if peak != 0:
            x = x / peak
        x = x * 255
    x = np.clip(x, 0, 255).astype("uint8")
    if x.shape[-1] == 1:
        return Image.fromarray(x[:, :, 0], "L")
    return Image.fromarray(x, "RGBA" if x.shape[-1] == 4 else "RGB")


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Save an image array to a file (the format from ``file_format`` or the file name)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpeg" or str(path).lower().endswith((".jpg", ".jpeg"))):
        img = img.convert("RGB")
    img.save(os.fspath(path), format=file_format, **kwargs)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode: str = "rgb", batch_size: int | None = 32, image_size=(256, 256),
                                 shuffle: bool = True, seed=None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format=None,
                                 format: str = "tf", verbose: bool = True):  # noqa: A002 - Keras name
    """A dataset of the images of a folder, labelled by sub-folder (Keras
    ``keras.utils.image_dataset_from_directory``).

    ``directory/cats/*.jpg`` and ``directory/dogs/*.png`` give images with labels 0 and 1 (the sorted
    sub-folder names). Files ending in .bmp, .gif, .jpeg, .jpg or .png are read (with Pillow: the
    ``image`` extra), converted to ``color_mode`` and resized to ``image_size`` with Keras's kernels.

    Args:
        directory: the folder.
        labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
            follow_links, verbose: as :func:`~neuronet.utils.text_dataset_from_directory`.
        color_mode: 'rgb' (3 channels), 'rgba' (4) or 'grayscale' (1). Defaults to 'rgb'.
        image_size: ``(height, width)`` (or one int) of the images. Defaults to (256, 256).
        interpolation: 'bilinear', 'nearest', 'bicubic', 'area', 'lanczos3' or 'lanczos5'. Defaults to
            'bilinear'.
        crop_to_aspect_ratio: cut the largest centred window with the target aspect ratio first.
        pad_to_aspect_ratio: pad the shorter side with zeros to the target aspect ratio first.
        data_format: 'channels_last' (or None).
        format: 'tf' (accepted; a neuronet Dataset is returned either way).

    Returns:
        A :class:`~neuronet.utils.Dataset` of batches ``(images, labels)`` — images float32
        ``(batch, height, width, channels)`` with values 0-255 — or images alone; ``class_names`` and
        ``file_paths`` are set on it. With ``subset='both'``, a list ``[train, validation]``.

    Example::

        train_ds, val_ds = image_dataset_from_directory("pets", validation_split=0.2, subset="both", seed=1337,
                                                        image_size=(180, 180), batch_size=32)
        model.fit(train_ds, validation_data=val_ds, epochs=10)
    """
    where = "image_dataset_from_directory"
    if color_mode not in _COLOR_MODES:
        raise ValueError(f"{where}: color_mode must be one of {sorted(_COLOR_MODES)}, received "
                         f"color_mode={color_mode!r}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if (not isinstance(image_size, (list, tuple)) or len(image_size) != 2
            or not all(isinstance(s, (int, np.integer)) and s > 0 for s in image_size)):
        raise ValueError(f"{where}: image_size must be a tuple of 2 positive integers, received {image_size!r}")
    interpolation = str(interpolation).lower()
    supported = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
    if interpolation not in supported:
        raise ValueError(f"{where}: interpolation must be one of {supported}, received {interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{where}: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{where}: neuronet images are channels-last only, received data_format={data_format!r}")
    if format not in ("tf", "grain"):
        raise ValueError(f"{where}: format should be 'tf' or 'grain', received format={format!r}")
    _pil()  # fail now, with the install hint, rather than at the first batch
    mode = color_mode
    size = (int(image_size[0]), int(image_size[1]))

    def read(path):
        array = img_to_array(load_img(path, color_mode=mode), dtype="float32")
        return _resize(array, size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio)

    return directory_datasets(where, directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                              validation_split, subset, follow_links, verbose, ALLOWLIST_FORMATS, read, "image")
