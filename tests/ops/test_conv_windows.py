"""The window helpers of the convolutions: tiles cover every output row once, in order and within
their byte budget, and a tile's im2col matrix is exactly its rows of the whole batch's."""

import numpy as np
import pytest

from neuronet.ops import conv_windows as cw


@pytest.mark.parametrize("n,oh,row_bytes,budget", [
    (128, 32, 36864, 1 << 20),   # 1.2 MB images: bands of rows
    (128, 16, 36864, 1 << 20),   # 590 kB images: one image a tile
    (64, 11, 12672, 1 << 20),    # small images: groups of images
    (5, 7, 1000, 50),            # a row larger than the budget: one row a tile
    (3, 4, 10, 1 << 20),         # everything in one tile
    (1, 1, 8, 4),
])
def test_tiles_cover_every_row_once_in_order_within_the_budget(n, oh, row_bytes, budget):
    tiles = cw.conv_tiles(n, oh, row_bytes, budget)
    covered = [(i, r) for images, rows in tiles for i in range(images.start, images.stop)
               for r in range(rows.start, rows.stop)]
    assert covered == [(i, r) for i in range(n) for r in range(oh)]
    for images, rows in tiles:
        size = (images.stop - images.start) * (rows.stop - rows.start) * row_bytes
        assert size <= budget or (images.stop - images.start, rows.stop - rows.start) == (1, 1)
        # whole images, or rows of one image: the tile's rows of a C-ordered array are one block
        assert rows == slice(0, oh) or images.stop - images.start == 1
    assert cw.conv_tiles(0, oh, row_bytes, budget) == []


def test_tiles_of_one_kind_are_of_nearly_equal_size():
    sizes = [im.stop - im.start for im, _ in cw.conv_tiles(100, 8, 1000, 30_000)]  # 3 images fit a tile
    assert max(sizes) - min(sizes) <= 1 and max(sizes) <= 3
    bands = [r.stop - r.start for _, r in cw.conv_tiles(2, 32, 36864, 1 << 20)]
    assert bands == [16, 16, 16, 16]


@pytest.mark.parametrize("h,w,k,s,padding,d", [
    (9, 8, (3, 3), (1, 1), "same", (1, 1)),
    (9, 8, (3, 3), (1, 1), "valid", (1, 1)),
    (10, 9, (4, 2), (2, 3), "same", (1, 1)),
    (11, 9, (3, 3), (1, 1), "same", (2, 1)),
    (7, 7, (1, 1), (1, 1), "valid", (1, 1)),
])
@pytest.mark.parametrize("channels", [2, 5])
def test_tile_cols_are_the_rows_of_the_whole_im2col(rng, h, w, k, s, padding, d, channels):
    x = rng.normal(size=(3, h, w, channels))
    oh, top, bottom = cw.conv_geometry(h, k[0], s[0], d[0], padding)
    ow, left, right = cw.conv_geometry(w, k[1], s[1], d[1], padding)
    g = cw.ConvGeometry(*k, *s, *d, top, left, oh, ow)
    whole = cw._im2col(cw._pad(x, (top, bottom, left, right)), *k, oh, ow, s, d).reshape(3, oh, ow, -1)
    taps = k[0] * k[1] * channels
    for budget in (1 << 20, 3 * ow * taps * 8, 1):  # one tile, bands of 3 rows, single rows
        tiles = cw.conv_tiles(3, oh, ow * taps * 8, budget)
        buffer = cw.tile_buffer(tiles, ow, taps + 1, x.dtype)
        for images, rows in tiles:
            expected = whole[images, rows].reshape(-1, taps)
            np.testing.assert_array_equal(cw.tile_cols(x, images, rows, g, buffer), expected)
            transposed = cw.tile_cols(x, images, rows, g, buffer, transposed=True, ones=True)
            np.testing.assert_array_equal(transposed[:-1], expected.T)
            assert (transposed[-1] == 1).all()


def test_padded_block_is_a_view_inside_the_image_and_zero_outside(rng):
    x = rng.normal(size=(2, 5, 6, 3))
    inside = cw._padded_block(x, slice(0, 2), 1, 3, 2, 4)
    assert np.shares_memory(inside, x) and inside.shape == (2, 3, 4, 3)
    block = cw._padded_block(x, slice(1, 2), -1, 7, -2, 9)
    assert block.shape == (1, 7, 9, 3)
    np.testing.assert_array_equal(block[0, 1:6, 2:8], x[1])
    assert not block[0, 0].any() and not block[0, 6].any() and not block[0, :, :2].any() and not block[0, :, 8].any()
