"""One Keras generation's worker of conformance.py: builds, seeds, predicts and saves one minimal model per layer
class and config variant, and writes a partial manifest.

Keras 3 runs with `--gen k3`, tf_keras with `--gen k2` and TF_USE_LEGACY_KERAS=1, each in its own process.
How a case is derived (README.md, "Conformance set"): the class's required constructor arguments come from FILL,
keyed by argument name; the input is the first of CANDIDATE_SHAPES (and call style: one tensor, a list of two, two
positional tensors) with which the model builds and predicts; variants come from the constructor and call
signatures. OVERRIDES is the short list of classes that need something the name table cannot give.
"""

import argparse
import inspect
import json
import os
import re
import shutil
import sys
import time
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def first_line(e):
    """`Type: message` of an exception, the message's first line; for Keras's wrapper ("Exception encountered when
    calling layer ...") the line after it, which says what went wrong."""
    lines = [line for line in (ANSI.sub("", raw).strip() for raw in str(e).splitlines()) if line]
    text = lines[0] if lines else type(e).__name__
    if text.startswith("Exception encountered when calling") and len(lines) > 1:
        text = lines[1]
    return f"{type(e).__name__}: {text}"


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--gen", required=True, choices=["k3", "k2"])
    p.add_argument("--out", required=True)
    p.add_argument("--only", default="")
    p.add_argument("--manifest", required=True)
    return p.parse_args()


ARGS = parse_args()
if ARGS.gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import logging as absl_logging  # noqa: E402

from gen_common import compare, describe, layer_info, log, predict, weights_by_layer  # noqa: E402
from set_workers import json_and_export_loaders  # noqa: E402

absl_logging.set_verbosity(absl_logging.ERROR)
tf.get_logger().setLevel("ERROR")
warnings.filterwarnings("ignore")

if ARGS.gen == "k2":
    import tf_keras as k  # noqa: E402
    from tf_keras.src.engine.base_layer import Layer as BASE  # noqa: E402
    k.__internal__.enable_unsafe_deserialization()
else:
    import keras as k  # noqa: E402
    from keras.src.layers.layer import Layer as BASE  # noqa: E402
    k.config.enable_unsafe_deserialization()
L = k.layers

# Abstract bases and classes that need something outside the model (a file, another framework, feature columns,
# string data): no case, the reason in the manifest.
SKIPPED = {
    "Layer": "abstract base class",
    "Wrapper": "abstract base class",
    "AbstractRNNCell": "abstract base class",
    "JaxLayer": "wraps JAX functions (another framework)",
    "FlaxLayer": "wraps a Flax module (another framework)",
    "TorchModuleWrapper": "wraps a PyTorch module (another framework)",
    "TFSMLayer": "wraps a SavedModel read from disk (an external resource)",
    "DenseFeatures": "needs tf.feature_column definitions (an external resource)",
    "InputLayer": "every case's model starts with one",
    "StringLookup": "needs a vocabulary and string inputs",
    "TextVectorization": "needs a vocabulary and string inputs",
    "IntegerLookup": "needs a vocabulary",
    "HashedCrossing": "crosses categorical features given as a tuple of string/int tensors",
}

# Shapes of one sample tried in order; the first with which the model builds and predicts is the case's.
CANDIDATE_SHAPES = [(4,), (5, 3), (6, 6, 3), (4, 4, 4, 2), (3, 4, 4, 4, 2)]
INT_RANGE = 5  # ids of integer inputs are in [0, INT_RANGE): input_dim / num_tokens below


def _inner_dense():
    return L.Dense(2, name="inner")


def _cell():
    return L.SimpleRNNCell(2, name="inner")


# Required constructor arguments by NAME (a value, or a function of the sample shape / of nothing).
FILL = {
    "units": 3, "filters": 2, "kernel_size": 2, "pool_size": 2, "rate": 0.5, "n": 2, "output_dim": 3,
    "input_dim": INT_RANGE, "num_tokens": INT_RANGE, "num_heads": 2, "key_dim": 2, "head_dim": 2,
    "num_query_heads": 2, "num_key_value_heads": 1, "factor": 0.2, "height": 4, "width": 4,
    "height_factor": 0.2, "width_factor": 0.2, "scale": 0.5, "bin_boundaries": [0.0, 0.5], "num_bins": 3,
    "output_shape": 3, "equation": "ab,bc->ac", "axes": -1, "output_size": 2, "num_classes": 3,
    "sequence_length": 5, "stddev": 0.5, "max_value": 1.0, "threshold": 0.1, "size": 2, "cropping": 1,
    "activation": "tanh", "max_number": 2,
    "layer": lambda shape: _inner_dense(), "cell": lambda shape: _cell(),
    "cells": lambda shape: [L.SimpleRNNCell(2, name="inner_0"), L.SimpleRNNCell(2, name="inner_1")],
    "function": lambda shape: (lambda x: x * 2.0 + 1.0),
    "target_shape": lambda shape: tuple(reversed(shape)),
    "dims": lambda shape: tuple(range(len(shape), 0, -1)),
    "layers": lambda shape: [L.Rescaling(2.0, name="inner")],
}

# The few classes the name table cannot serve, and why.
OVERRIDES = {
    # Only a recurrent layer can be run both ways.
    "Bidirectional": {"layer": lambda shape: L.LSTM(2, name="inner")},
    # The default 32 groups need 32k channels.
    "GroupNormalization": {"groups": 1},
    # Without adapt() the statistics must be given.
    "Normalization": {"mean": 0.5, "variance": 2.0},
    # Optional in the signature, yet the layer refuses to build without them.
    "CategoryEncoding": {"num_tokens": INT_RANGE},
    "Discretization": {"bin_boundaries": [0.0, 0.5]},
    # Its factor is a number of bits in [1, 8], not FILL's fraction.
    "RandomPosterization": {"factor": 2},
}


class NoCase(Exception):
    """No candidate input shape and call style builds the model and predicts in Keras."""


def fill_value(value, shape):
    return value(shape) if callable(value) and not isinstance(value, type) and getattr(value, "__name__", "") == "<lambda>" \
        else value


def constructor(cls):
    return inspect.signature(cls.__init__).parameters


def required_kwargs(cls, shape):
    """Every required argument from FILL (KeyError names the one it lacks), then the class's overrides."""
    kwargs = {}
    for name, p in constructor(cls).items():
        if name == "self" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.default is not p.empty:
            continue
        if name not in FILL:
            raise KeyError(f"no value for the required argument {name!r}: add it to FILL")
        kwargs[name] = fill_value(FILL[name], shape)
    for name, value in OVERRIDES.get(cls.__name__, {}).items():
        kwargs[name] = fill_value(value, shape)
    return kwargs


def is_cell(cls):
    return cls.__name__.endswith("Cell") or cls.__name__ == "StackedRNNCells"


def int_inputs(cls):
    params = constructor(cls)
    return "input_dim" in params or "num_tokens" in params


def call_masks(cls):
    try:
        return "mask" in inspect.signature(cls.call).parameters
    except (TypeError, ValueError):
        return False


def variants(cls):
    """(variant name, extra constructor kwargs, masked input) the signatures call for."""
    params = constructor(cls)
    out = [("default", {}, False)]
    if "data_format" in params:
        out.append(("channels_first", {"data_format": "channels_first"}, False))
    if "return_sequences" in params:
        out.append(("return_sequences", {"return_sequences": True}, False))
    if "mask_zero" in params:
        out.append(("mask_zero", {"mask_zero": True}, False))
    elif call_masks(cls) and not is_cell(cls) and not int_inputs(cls):
        out.append(("masked", {}, True))
    return out


def seed_of(*parts):
    return zlib.crc32("/".join(parts).encode())


def reference_inputs(seed, shape, count, ints, masked):
    rng = np.random.default_rng(seed)
    xs = []
    for _ in range(count):
        if ints:
            x = rng.integers(1, INT_RANGE, size=(2,) + shape).astype("int32")
            x[0, -2:] = 0  # trailing padding (mask_zero) in the first sample
        else:
            x = rng.normal(0.0, 1.0, size=(2,) + shape).astype("float32")
            if masked:
                x[0, -2:] = 0.0  # the first sample's last two steps are masked
        xs.append(x)
    return xs


def seed_weights(model, seed):
    """Every float variable drawn from a seeded normal (variances from a positive range), so no output is trivially
    zero and a reader that mixes weights up cannot match."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        dtype = np.dtype(w.dtype.as_numpy_dtype if hasattr(w.dtype, "as_numpy_dtype") else w.dtype)
        if not np.issubdtype(dtype, np.floating):
            continue
        shape = tuple(int(d) for d in w.shape)
        name = w.name.split("/")[-1].split(":")[0]
        value = rng.uniform(0.5, 1.5, shape) if "variance" in name else rng.normal(0.0, 0.5, shape)
        w.assign(value.astype(dtype))


CALLS = {
    "one": (1, lambda layer, xs: layer(xs[0])),
    "list": (2, lambda layer, xs: layer([xs[0], xs[1]])),
    "pair": (2, lambda layer, xs: layer(xs[0], xs[1])),
}


def build(cls, shape, call, kwargs, masked, ints):
    k.backend.clear_session()  # layer names restart, so names (and messages naming them) are the same every run
    count, apply = CALLS[call]
    inputs = [k.Input(shape=shape, name=f"input_{i}", dtype="int32" if ints else "float32") for i in range(count)]
    xs = [L.Masking(0.0, name=f"masking_{i}")(x) for i, x in enumerate(inputs)] if masked else inputs
    layer = L.RNN(cls(**required_kwargs(cls, shape), **kwargs), name="layer") if is_cell(cls) \
        else cls(name="layer", **required_kwargs(cls, shape), **kwargs)
    y = apply(layer, xs)
    if not isinstance(y, (list, tuple)):
        y = [y]
    if not all(hasattr(t, "shape") and hasattr(t, "dtype") for t in y):
        raise TypeError(f"the layer returns {type(y[0]).__name__}, not tensors")
    return k.Model(inputs, y if len(y) > 1 else y[0], name="conformance")


def kernel_missing(e):
    """As reverse_check.py decides: no TensorFlow kernel here ('only supports NHWC', NDHWC, 'the NHWC tensor format')."""
    return isinstance(e, tf.errors.UnimplementedError) or re.search(r"only supports (the )?N[A-Z]*C\b", str(e)) is not None


# Classes whose weights' layout follows data_format: the same weights channels_last are another function.
NO_TWIN = {"LocallyConnected1D": "its kernel's layout follows data_format",
           "LocallyConnected2D": "its kernel's layout follows data_format"}


def channels_last_twin(cls, shape, call, kwargs, masked, ints, model, inputs):
    """What a channels_first model computes, by the same layer channels_last with the same weights on inputs with the
    channels moved last, outputs moved back. The channel axis of a sample is its first, after the time axis for
    recurrent layers (their constructors take return_sequences); an output keeps it where it has the input's rank,
    and a recurrent layer's last-step output (one axis fewer) has it first."""
    if cls.__name__ in NO_TWIN:
        raise ValueError(f"no channels_last twin of {cls.__name__}: {NO_TWIN[cls.__name__]}")
    recurrent = "return_sequences" in constructor(cls)
    axis = 1 if recurrent else 0  # of the sample
    moved = tuple(d for i, d in enumerate(shape) if i != axis) + (shape[axis],)
    twin = build(cls, moved, call, dict(kwargs, data_format="channels_last"), masked, ints)
    twin.set_weights(model.get_weights())
    outs = predict(twin, [np.moveaxis(x, axis + 1, -1) for x in inputs])
    back = []
    for o in outs:
        if o.ndim == len(shape) + 1:
            o = np.moveaxis(o, -1, axis + 1)
        elif recurrent and o.ndim == len(shape):
            o = np.moveaxis(o, -1, 1)
        back.append(np.ascontiguousarray(o))
    return back


TWIN_DISAGREES = "channels_last twin: Keras's channels_first kernel on this CPU computes otherwise"


def checked_by_twin(cls, shape, call, kwargs, masked, ints, model, inputs, outputs):
    """Keras's channels_first outputs, unless the channels_last twin disagrees: oneDNN's channels_first kernels, where
    a CPU has them, compute some layers otherwise (Keras 3 Conv1D here: 8e-2 apart), and a CPU without them computes
    the twin's result; the twin's outputs then keep the reference the same on every machine (reference says so)."""
    try:
        twin = channels_last_twin(cls, shape, call, kwargs, masked, ints, model, inputs)
    except Exception as e:  # no twin for this class: Keras's own outputs stand
        log(f"{cls.__name__}/channels_first: no channels_last twin: {first_line(e)}")
        return outputs, "keras"
    diff, same = compare(outputs, twin)
    if diff == float("inf"):  # other shapes: the twin is not the same function (image layers' crops, sizes)
        log(f"{cls.__name__}/channels_first: the channels_last twin has other output shapes")
        return outputs, "keras"
    return (outputs, "keras") if same else (twin, f"{TWIN_DISAGREES} (max_abs_diff={diff:.3g})")


def derive(cls, variant, kwargs, masked, seed):
    """The first candidate shape and call style with which the model builds and Keras predicts finite outputs."""
    ints = int_inputs(cls)
    errors = []
    for call in CALLS:  # a class that takes one tensor is called with one, whatever the shape it needs
        for shape in CANDIDATE_SHAPES:
            if masked and len(shape) < 2:
                continue
            try:
                model = build(cls, shape, call, kwargs, masked, ints)
            except Exception as e:  # this shape or call style does not fit the class
                errors.append((call, first_line(e)))
                continue
            seed_weights(model, seed)
            inputs = reference_inputs(seed, shape, CALLS[call][0], ints, masked)
            reference = "keras"
            try:
                outputs = predict(model, inputs)
            except Exception as e:
                if not (variant == "channels_first" and kernel_missing(e)):
                    errors.append((call, first_line(e)))
                    continue
                outputs = channels_last_twin(cls, shape, call, kwargs, masked, ints, model, inputs)
                reference = "channels_last twin (no channels_first kernel on this CPU)"
            else:
                if variant == "channels_first":
                    outputs, reference = checked_by_twin(cls, shape, call, kwargs, masked, ints, model, inputs, outputs)
            if not all(np.all(np.isfinite(o)) for o in outputs):
                errors.append((call, "Keras predicts non-finite outputs"))
                continue
            return model, shape, call, ints, inputs, outputs, reference
    # The single-tensor call's last error says most: the other call styles fail for taking one tensor.
    single = [text for call, text in errors if call == "one"]
    raise NoCase((single or [text for _, text in errors] or ["no candidate input shape"])[-1])


# ------------------------------------------------------------------------------------------------ formats

def write_json(model, path):
    with open(path, "w") as f:
        f.write(model.to_json())


def _fresh(ctx):
    model = build(*ctx["rebuild"])
    for w in model.weights:
        w.assign(np.zeros(tuple(int(d) for d in w.shape), dtype=np.dtype(
            w.dtype.as_numpy_dtype if hasattr(w.dtype, "as_numpy_dtype") else w.dtype)))
    return model


def load_model(ctx, path):
    return predict(k.models.load_model(path, safe_mode=False) if ARGS.gen == "k3"
                   else k.models.load_model(path, safe_mode=False), ctx["inputs"])


def load_weights(ctx, path):
    model = _fresh(ctx)
    status = model.load_weights(path)
    if status is not None:
        status.expect_partial()
    return predict(model, ctx["inputs"])


load_json, load_export = json_and_export_loaders(k, tf, predict)


# (format, path under the case folder, write, load, hashed as, only for the default variant)
if ARGS.gen == "k3":
    FORMATS = [
        ("keras", "model.keras", lambda m, p: m.save(p), load_model, "file", False),
        ("weights-h5", "model.weights.h5", lambda m, p: m.save_weights(p), load_weights, "file", False),
        ("h5", "model.h5", lambda m, p: m.save(p), load_model, "file", False),
        ("json", "model.json", write_json, load_json, "file", False),
        ("savedmodel", "savedmodel", lambda m, p: m.export(p, format="tf_saved_model", verbose=False),
         load_export, "dir", True),
    ]
else:
    FORMATS = [
        ("h5", "model.h5", lambda m, p: m.save(p), load_model, "file", False),
        ("weights-h5-k2", "weights.h5", lambda m, p: m.save_weights(p), load_weights, "file", False),
        ("checkpoint", "ckpt/ckpt", lambda m, p: m.save_weights(p, save_format="tf"), load_weights, "folder", False),
        ("json", "model.json", write_json, load_json, "file", False),
        ("savedmodel", "savedmodel", lambda m, p: m.save(p, save_format="tf"), load_model, "dir", True),
    ]


def save_case(case, ctx, root, base, default_variant):
    for fmt, rel, write, load, kind, default_only in FORMATS:
        if default_only and not default_variant:
            continue
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            write(ctx["model"], path)
        except Exception as e:  # Keras itself cannot save this model in this format
            target = os.path.dirname(path) if kind == "folder" else path
            shutil.rmtree(target, ignore_errors=True) if os.path.isdir(target) else (
                os.path.exists(target) and os.remove(target))
            case["skipped"].append({"format": fmt, "reason": first_line(e)})
            continue
        entry = {"path": f"{base}/{rel}", "format": fmt}
        entry.update({key: value for key, value in describe(ARGS.out, path, kind).items() if key != "members"})
        try:
            diff, same = compare(ctx["outputs"], load(ctx, path))
            entry.update({"keras_loads": same, "load_error": None if same else
                          f"predictions differ from the reference (max_abs_diff={diff:.3g})"})
        except Exception as e:
            entry.update({"keras_loads": False, "load_error": first_line(e)})
        case["files"].append(entry)


def public_classes():
    found = {}
    for name in dir(L):
        cls = getattr(L, name)
        if inspect.isclass(cls) and issubclass(cls, BASE):
            found.setdefault(cls.__name__, cls)
    return dict(sorted(found.items()))


def main():
    only = set(filter(None, ARGS.only.split(",")))
    cases, skipped = [], []
    started = time.time()
    for name, cls in public_classes().items():
        if only and name not in only:
            continue
        if name in SKIPPED:
            skipped.append({"gen": ARGS.gen, "class": name, "variant": None, "reason": SKIPPED[name]})
            continue
        for variant, kwargs, masked in variants(cls):
            base = f"{ARGS.gen}/{name}/{variant}"
            seed = seed_of(ARGS.gen, name, variant)
            try:
                k.utils.set_random_seed(seed % 2**31)
                model, shape, call, ints, inputs, outputs, reference = derive(cls, variant, kwargs, masked, seed)
            except Exception as e:
                reason = str(e) if isinstance(e, NoCase) else first_line(e)
                log(f"{base}: no case: {reason}")
                skipped.append({"gen": ARGS.gen, "class": name, "variant": variant,
                                "reason": f"no candidate input builds and predicts in Keras: {reason}"})
                continue
            root = os.path.join(ARGS.out, base)
            os.makedirs(root, exist_ok=True)
            for i, x in enumerate(inputs):
                np.save(os.path.join(root, f"inputs_{i}.npy"), x)
            for i, y in enumerate(outputs):
                np.save(os.path.join(root, f"outputs_{i}.npy"), y)
            np.savez(os.path.join(root, "weights.npz"), **weights_by_layer(model))
            case = {"id": base, "gen": ARGS.gen, "keras_version": k.__version__, "class": name, "variant": variant,
                    "input_shape": list(shape), "call": call, "input_dtype": "int32" if ints else "float32",
                    "masked_input": masked, "reference": reference,
                    "keras_kernel_disagrees": reference.startswith(TWIN_DISAGREES),
                    "inputs": [f"{base}/inputs_{i}.npy" for i in range(len(inputs))],
                    "outputs": [f"{base}/outputs_{i}.npy" for i in range(len(outputs))],
                    "weights": f"{base}/weights.npz", "layers": layer_info(model),
                    "params": int(model.count_params()), "files": [], "skipped": []}
            ctx = {"model": model, "inputs": inputs, "outputs": outputs,
                   "rebuild": (cls, tuple(shape), call, kwargs, masked, ints)}
            t = time.time()
            save_case(case, ctx, root, base, variant == "default")
            log(f"{base}: {shape} {call}, {len(case['files'])} files, {len(case['skipped'])} unwritable "
                f"({time.time() - t:.1f} s)")
            cases.append(case)
    log(f"{ARGS.gen}: {len(cases)} cases, {len(skipped)} skipped, {time.time() - started:.0f} s")
    with open(ARGS.manifest, "w") as f:
        json.dump({"cases": cases, "skipped_classes": skipped}, f)


if __name__ == "__main__":
    main()
