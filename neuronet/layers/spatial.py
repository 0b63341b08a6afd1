"""Spatial reshaping layers: padding, cropping, upsampling."""

__all__: list = []
