"""Generates Keras 3 exports of the keras.applications models for the graph interpreter (issue #18): every public
constructor of `keras.applications` is found by introspection and grouped by the module that defines it (its family:
convnext, efficientnet, mobilenet_v3, ...); by default the family member with the fewest parameters is exported (a
family's members share their ops and differ in depth and width), with --all every constructor. weights=None (seeded
initializers), the default input size, include_top=True except VGG (its 4096-wide Dense top is ~90% of the file and
only Dense ops). Each case holds model.export()'s SavedModel, seeded inputs and Keras's own predictions (where the
graph interpreter disagrees, GraphInterpreterTest asks TensorFlow what the export computes).

Run with the oracle venv's python:  $(oracle/venv.sh) oracle/applications.py --out DIR [--all] [--only MobileNet,...]
DIR/manifest.json lists the cases (schema of the conformance set: id, gen, class, inputs, outputs, files).
"""

import argparse
import gc
import inspect
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

from generate import prepare_out, versions  # noqa: E402

SEED = 1234
TOP_IS_MOST_OF_IT = {"vgg16", "vgg19"}


def constructors(keras):
    out = {}
    for name, fn in sorted(vars(keras.applications).items()):
        if not name[0].isupper() or not callable(fn):
            continue
        out[name] = fn.__module__.rsplit(".", 1)[-1]
    return out


def build(keras, name, family):
    keras.utils.set_random_seed(SEED)
    fn = getattr(keras.applications, name)
    kwargs = {"weights": None}
    if family in TOP_IS_MOST_OF_IT:
        kwargs.update(include_top=False, pooling="avg")
    return fn(**kwargs), kwargs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--all", action="store_true", help="every constructor, not one per family")
    p.add_argument("--only", default="", help="comma separated constructor names")
    args = p.parse_args()
    out = os.path.abspath(args.out)
    prepare_out(out)
    import keras
    import numpy as np

    ctors = constructors(keras)
    only = [n for n in args.only.split(",") if n]
    if only:
        chosen = {n: ctors[n] for n in only}
    elif args.all:
        chosen = ctors
    else:
        # The smallest member of each family, by parameter count (built without weights to count them).
        best = {}
        for name, family in ctors.items():
            model, _ = build(keras, name, family)
            params = model.count_params()
            if family not in best or params < best[family][1]:
                best[family] = (name, params)
            del model
            keras.backend.clear_session()
            gc.collect()
        chosen = {name: family for family, (name, _) in sorted(best.items())}
    print(f"{len(chosen)} of {len(ctors)} application constructors: {sorted(chosen)}", file=sys.stderr)

    cases = []
    for name, family in sorted(chosen.items()):
        case_dir = os.path.join(out, "k3", name)
        os.makedirs(case_dir)
        model, kwargs = build(keras, name, family)
        rng = np.random.default_rng(SEED)
        # Constructors without a fixed input size (MobileNetV3's None x None) get their documented default, 224.
        shape = (2, *(224 if d is None else d for d in model.inputs[0].shape[1:]))
        # Pixel-like values: the applications' own preprocessing layers (Rescaling, Normalization) expect 0-255.
        x = rng.uniform(0, 255, size=shape).astype("float32")
        y = model.predict(x, verbose=0)
        np.save(os.path.join(case_dir, "inputs_0.npy"), x)
        np.save(os.path.join(case_dir, "outputs_0.npy"), y)
        export = os.path.join(case_dir, "savedmodel")
        model.export(export, format="tf_saved_model", verbose=False)
        cases.append({
            "id": f"k3/{name}", "gen": "k3", "class": name, "family": family, "variant": "default",
            "constructor_args": kwargs, "params": int(model.count_params()),
            "inputs": [f"k3/{name}/inputs_0.npy"], "outputs": [f"k3/{name}/outputs_0.npy"],
            "files": [{"path": f"k3/{name}/savedmodel", "format": "savedmodel"}],
        })
        print(f"{name}: {model.count_params()} params", file=sys.stderr, flush=True)
        del model
        keras.backend.clear_session()
        gc.collect()

    manifest = {"schema": 1, "kind": "applications", "versions": versions(), "all": bool(args.all or only),
                "constructors": ctors, "cases": cases}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
