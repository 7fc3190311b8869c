"""Writes the constructor arguments of every built-in Keras 3 layer, as real Keras declares them.

format-json uses the table to drop Keras 1/2 config keys that Keras 3 layers no longer accept
(`input_length`, `implementation`, `time_major`, ...) when converting an architecture to Keras 3.
Usage: python oracle/dump_layer_args.py OUT.json
"""
import inspect
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
from keras.src.layers.layer import Layer  # noqa: E402


def own_args(cls):
    params = inspect.signature(cls.__init__).parameters
    return sorted(p for p, v in params.items()
                  if p != "self" and v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL))


def main(out):
    base = own_args(Layer) + ["input_dim", "input_shape"]  # popped from **kwargs by Layer.__init__
    layers = {}
    for name in dir(keras.layers):
        cls = getattr(keras.layers, name)
        if inspect.isclass(cls) and issubclass(cls, Layer) and cls.__name__ == name:
            layers[name] = own_args(cls)
    table = {"keras_version": keras.__version__, "base": sorted(set(base)), "layers": layers}
    with open(out, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
