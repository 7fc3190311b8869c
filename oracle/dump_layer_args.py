"""Writes the constructor arguments of every built-in layer and initializer, as real Keras declares them.

The model core (io.keras4j.core.LayerArgs) uses the tables to drop config keys the target Keras does not accept when it converts an
architecture between dialects (Keras 3 refuses `input_length`, `implementation`, ...; tf_keras refuses
`quantization_config`, initializer `input_axes`, ...).
Usage: python oracle/dump_layer_args.py keras3|tf_keras OUT.json
"""
import inspect
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def own_args(cls):
    params = inspect.signature(cls.__init__).parameters
    return sorted(p for p, v in params.items()
                  if p != "self" and v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL))


def layer_classes(module, base):
    """Each class once, under the name Keras writes in a config (cls.__name__): aliases such as MaxPool2D are skipped,
    and a class exported only under an alias (GroupedQueryAttention as GroupQueryAttention) is still found."""
    found = {}
    for name in dir(module):
        cls = getattr(module, name)
        if inspect.isclass(cls) and issubclass(cls, base):
            found[cls.__name__] = cls
    return found


def classes(module, base):
    return {name: own_args(cls) for name, cls in sorted(layer_classes(module, base).items())}


def closed(module, base):
    """Classes whose __init__ takes no **kwargs, so the base Layer's arguments (trainable, ...) are refused too:
    Keras 3's SpatialDropout2D(rate, data_format, seed, name, dtype) rejects `trainable`."""
    out = []
    for name, cls in layer_classes(module, base).items():
        params = inspect.signature(cls.__init__).parameters.values()
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            out.append(name)
    return sorted(out)


def operations():
    """Keras 3's operation classes by name, with the module Keras 3 writes for them in a config: a functional model
    records calls such as x != 0 (a mask) as operation nodes (module keras.src.ops.numpy, class NotEqual), and a Keras 3
    legacy .h5 leaves the module out, which a .keras must carry."""
    import importlib
    import pkgutil

    import keras.src.ops as ops
    from keras.src.ops.operation import Operation

    out = {}
    for info in pkgutil.iter_modules(ops.__path__):
        if info.name.endswith("_test"):
            continue
        module = importlib.import_module("keras.src.ops." + info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Operation) and cls.__module__ == module.__name__:
                out.setdefault(name, module.__name__)
    return dict(sorted(out.items()))


def main(which, out):
    if which == "keras3":
        import keras
        from keras.src.layers.layer import Layer
        # Layer.__init__ pops these from **kwargs before refusing the rest.
        base = own_args(Layer) + ["input_dim", "input_shape"]
        version = keras.__version__
    else:
        import tf_keras as keras
        from tf_keras.src.engine.base_layer import Layer
        # The allowed_kwargs of tf_keras's base_layer.Layer.__init__.
        base = own_args(Layer) + ["input_dim", "input_shape", "batch_input_shape", "batch_size", "weights",
                                  "activity_regularizer", "autocast", "implementation"]
        version = keras.__version__
    table = {"keras_version": version, "base": sorted(set(base)),
             "layers": classes(keras.layers, Layer),
             "closed_layers": closed(keras.layers, Layer),
             "operations": operations() if which == "keras3" else {},
             "initializers": classes(keras.initializers, keras.initializers.Initializer),
             "optimizers": classes(keras.optimizers, keras.optimizers.Optimizer)}
    with open(out, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
