"""Writes Keras 3 models of the Hashing and ContrastLimitedAdaptiveHistogramEqualization layers, and what Keras computed.

usage: hashing_clahe.py OUT_DIR

OUT_DIR/<case>/model.keras, inputs.npy and outputs.npy per case: Hashing over floats (truncated to integers, negative
ones and values past 2^24 too) and over int64 inputs, with and without salt (one integer, or a pair, which keys
SipHash) and mask_value (bin 0 kept for it); CLAHE with other value ranges, clip limits (none, fractional), tile grids
that need symmetric padding, channels_first, and values outside the range (clipped into the histogram).
"""
import os
import sys

import numpy as np
import keras

out = sys.argv[1]
rng = np.random.default_rng(20261205)


def save(name, layer, x):
    inputs = keras.Input(batch_shape=(None,) + x.shape[1:], dtype=str(x.dtype))
    model = keras.Model(inputs, layer(inputs))
    os.makedirs(os.path.join(out, name), exist_ok=True)
    model.save(os.path.join(out, name, "model.keras"))
    np.save(os.path.join(out, name, "inputs.npy"), x)
    np.save(os.path.join(out, name, "outputs.npy"), np.asarray(model.predict(x, verbose=0)))


floats = np.concatenate([rng.normal(0, 40, (3, 6)), [[0.0, -0.9, 0.9, 3e7, -3e7, 123456.0]]]).astype("float32")
ints = rng.integers(-1000, 1000, (4, 6)).astype("int64")
ints[0, :3] = 0
save("hashing_floats", keras.layers.Hashing(num_bins=7), floats)
save("hashing_salt_pair", keras.layers.Hashing(num_bins=11, salt=[133, 2**40 + 7]), floats)
save("hashing_salt_int", keras.layers.Hashing(num_bins=3, salt=1337), ints)
save("hashing_mask", keras.layers.Hashing(num_bins=5, mask_value=0), ints)
save("hashing_mask_salt", keras.layers.Hashing(num_bins=4, mask_value=0, salt=[1, 2]), ints)
save("hashing_one_bin_mask", keras.layers.Hashing(num_bins=1, mask_value=0), ints)

images = rng.uniform(-0.1, 1.1, (2, 7, 10, 3)).astype("float32")
save("clahe_unit_range", keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
    value_range=(0, 1), clip_limit=2.5, tile_grid_size=(2, 3)), images)
save("clahe_no_clip", keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
    value_range=(0, 1), clip_limit=0, tile_grid_size=(3, 4)), images)
save("clahe_fractional_clip", keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
    value_range=(-1, 2), clip_limit=0.3, tile_grid_size=(4, 4)), images)
pixels = rng.integers(0, 256, (2, 3, 9, 8)).astype("float32")
save("clahe_channels_first", keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
    tile_grid_size=(2, 2), data_format="channels_first"), pixels)
