"""Generation driver shared by the Keras 3 (gen_k3.py) and Keras 2 (gen_k2.py) workers.

A worker describes its formats as `Format` rows; `generate_model` saves the model in
each, hashes what was written, records what the files contain, and loads each back
with real Keras to record whether it predicts the reference outputs.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import traceback
from dataclasses import dataclass
from typing import Callable

import h5py
import numpy as np

import zoo
import zoo_custom

# "Predicts the same" tolerance for Keras reloading its own files.
RTOL, ATOL = 1e-5, 1e-5


@dataclass
class Format:
    name: str                 # manifest "format"
    rel: str                  # path under <model>/<gen>/
    write: Callable           # write(model, abs_path)
    load: Callable            # load(ctx, abs_path) -> list of output arrays
    kind: str = "file"        # file | dir | folder (prefix or index file in its own folder)


@dataclass
class Context:
    name: str                 # zoo model name
    k: object                 # keras module
    model: object             # the model that was saved
    inputs: list              # reference inputs

    def fresh(self):
        """The same architecture built from code, every variable zeroed, so a load
        that silently skips variables cannot match the reference outputs."""
        model = zoo.build(self.name, self.k, train=False)
        for w in model.weights:
            w.assign(np.zeros_like(w.numpy()))
        return model


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--models", required=True, help="comma separated zoo names")
    p.add_argument("--exclude", default="", help="comma separated model:format pairs not to write")
    p.add_argument("--manifest", required=True, help="partial manifest to write")
    return p.parse_args()


def run_worker(gen, k, formats):
    """Worker main: generates every requested model and writes a partial manifest."""
    args = parse_args()
    exclude = set(filter(None, args.exclude.split(",")))
    entries = [generate_model(name, gen, k, [f for f in formats if f"{name}:{f.name}" not in exclude],
                              args.out)
               for name in args.models.split(",")]
    with open(args.manifest, "w") as f:
        json.dump(entries, f)


def generate_model(name, gen, k, formats, out):
    base = f"{name}/{gen}"
    root = os.path.join(out, base)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    log(f"{base}: building")
    model = zoo.build(name, k)
    inputs = zoo.reference_inputs(name)
    outputs = predict(model, inputs)
    for i, x in enumerate(inputs):
        np.save(os.path.join(root, f"inputs_{i}.npy"), x)
    for i, y in enumerate(outputs):
        np.save(os.path.join(root, f"outputs_{i}.npy"), y)
    np.savez(os.path.join(root, "weights.npz"), **weights_by_layer(model))

    ctx = Context(name, k, model, inputs)
    files, skipped = [], []
    for fmt in formats:
        path = os.path.join(root, fmt.rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            fmt.write(model, path)
        except Exception as e:  # Keras cannot write this model in this format.
            debug_trace()
            log(f"{base}: {fmt.name} skipped: {first_line(e)}")
            _remove_partial(fmt, path)
            skipped.append({"format": fmt.name, "reason": first_line(e)})
            continue
        entry = {"path": f"{base}/{fmt.rel}", "format": fmt.name,
                 "contains": contents(fmt, path)}
        entry.update(describe(out, path, fmt.kind))
        entry.update(check_load(ctx, fmt, path, outputs))
        status = "ok" if entry["keras_loads"] else f"LOAD FAILS: {entry['load_error']}"
        log(f"{base}: {fmt.name} {entry['bytes']} bytes, {status}")
        files.append(entry)

    return {
        "model": name, "gen": gen, "keras_version": k.__version__,
        "model_class": type(model).__name__,
        "inputs": [f"{base}/inputs_{i}.npy" for i in range(len(inputs))],
        "outputs": [f"{base}/outputs_{i}.npy" for i in range(len(outputs))],
        "weights": f"{base}/weights.npz",
        "layers": layer_info(model),
        "params": {"total": int(model.count_params()),
                   "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights))},
        "custom_objects": zoo_custom.registered_names(k) if name == "custom" else [],
        "files": files,
        "skipped": skipped,
    }


def predict(model, inputs):
    """Inference-mode outputs as a list of float32 arrays."""
    out = model(inputs if len(inputs) > 1 else inputs[0], training=False)
    return [np.asarray(o, dtype="float32") for o in (out if isinstance(out, (list, tuple)) else [out])]


def compare(expected, actual):
    """(max_abs_diff, same) for two lists of arrays."""
    if len(expected) != len(actual):
        return float("inf"), False
    diff, same = 0.0, True
    for e, a in zip(expected, actual):
        a = np.asarray(a, dtype="float32")
        if e.shape != a.shape:
            return float("inf"), False
        diff = max(diff, float(np.max(np.abs(e - a))) if e.size else 0.0)
        same = same and bool(np.allclose(a, e, rtol=RTOL, atol=ATOL))
    return diff, same


def check_load(ctx, fmt, path, outputs):
    try:
        diff, same = compare(outputs, fmt.load(ctx, path))
    except Exception as e:
        debug_trace()
        return {"keras_loads": False, "load_error": first_line(e), "max_abs_diff": None}
    error = None if same else f"predictions differ from the reference (max_abs_diff={diff:.3g})"
    return {"keras_loads": same, "load_error": error, "max_abs_diff": diff}


def short_name(weight):
    """`kernel` for Keras 3 `kernel` and Keras 2 `dense/kernel:0`."""
    return weight.name.split("/")[-1].split(":")[0]


def layer_info(model):
    return [{
        "name": layer.name,
        "class_name": type(layer).__name__,
        "weight_names": [short_name(w) for w in layer.weights],
        "weight_shapes": [[int(d) for d in w.shape] for w in layer.weights],
        "params": int(layer.count_params()) if layer.weights else 0,
    } for layer in model.layers]


def weights_by_layer(model):
    return {f"{layer.name}/{i}": np.asarray(w.numpy())
            for layer in model.layers for i, w in enumerate(layer.weights)}


def contents(fmt, path):
    """What a written file holds, read from the file itself."""
    has = {
        "keras": ["architecture", "weights"], "keras-dir": ["architecture", "weights"],
        "h5": ["architecture", "weights"], "json": ["architecture"],
        "savedmodel": ["weights"], "checkpoint": ["weights"],
        "weights-h5": ["weights"], "weights-h5-k2": ["weights"], "weights-sharded": ["weights"],
    }[fmt.name]
    if fmt.name == "savedmodel" and os.path.exists(os.path.join(path, "keras_metadata.pb")):
        has = ["architecture", "weights"]
    if fmt.name != "json" and _has_optimizer(fmt.name, path):
        has.append("optimizer")
    return has


def _has_optimizer(fmt, path):
    if fmt in ("checkpoint", "savedmodel"):
        import tensorflow as tf
        prefix = os.path.join(path, "variables", "variables") if fmt == "savedmodel" else path
        return any("optimizer" in n for n, _ in tf.train.list_variables(prefix))
    if fmt == "keras":
        import zipfile
        import io
        with zipfile.ZipFile(path) as z:
            return _h5_has_optimizer(io.BytesIO(z.read("model.weights.h5")))
    if fmt == "keras-dir":
        return _h5_has_optimizer(os.path.join(path, "model.weights.h5"))
    if fmt == "weights-sharded":
        folder = os.path.dirname(path)
        return any(_h5_has_optimizer(os.path.join(folder, f))
                   for f in os.listdir(folder) if f.endswith(".h5"))
    return _h5_has_optimizer(path)


def _h5_has_optimizer(source):
    found = []
    with h5py.File(source, "r") as f:
        f.visititems(lambda n, obj: found.append(n) if isinstance(obj, h5py.Dataset)
                     and "optimizer" in n else None)
    return bool(found)


def describe(out, path, kind):
    """bytes/sha256 of a file, or of a directory's members (see README: hashing rule)."""
    if kind == "file":
        return {"bytes": os.path.getsize(path), "sha256": sha256_file(path)}
    folder = path if kind == "dir" else os.path.dirname(path)
    members = []
    for dirpath, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(dirpath, n)
            members.append({"path": os.path.relpath(p, out).replace(os.sep, "/"),
                            "bytes": os.path.getsize(p), "sha256": sha256_file(p)})
    members.sort(key=lambda m: m["path"].encode())
    digest = hashlib.sha256()
    for m in members:
        with open(os.path.join(out, m["path"]), "rb") as f:
            digest.update(f.read())
    return {"bytes": sum(m["bytes"] for m in members), "sha256": digest.hexdigest(),
            "members": members}


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _remove_partial(fmt, path):
    """Deletes whatever a failed write left, so the output holds only listed files."""
    target = os.path.dirname(path) if fmt.kind == "folder" else path
    if os.path.isdir(target):
        shutil.rmtree(target)
    elif os.path.exists(target):
        os.remove(target)


def first_line(e):
    text = str(e).strip() or type(e).__name__
    return f"{type(e).__name__}: {text.splitlines()[0]}"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def debug_trace():
    """Full traceback on stderr when KERAS4J_ORACLE_DEBUG is set."""
    if os.environ.get("KERAS4J_ORACLE_DEBUG"):
        traceback.print_exc()
