"""Generates the applications conformance set (issue #12): keras.applications models of both generations (Keras 3's
`keras.applications` and tf_keras's `tf_keras.applications`, found by introspection), each at the smallest input it
accepts, weights=None and seeded, saved by real Keras in every format of its generation (the formats of the
layer-class conformance set) with seeded inputs, Keras's own outputs and its weights. The set's manifest has the
schema of oracle/conformance.py's, so the same test reads it.

A family is the module that defines a constructor (convnext, efficientnet, regnet, ...): its members share their
layers and differ in depth and width. Which constructors become cases (--families):
  small   (default, what ./test.sh runs) the smallest member of every family whose smallest member has at most
          --budget parameters (the families that fit a CI run)
  all     the smallest member of every family
  every   every constructor (tens of GB; not run by the tests)

Run with the oracle venv's python:  $(oracle/venv.sh) oracle/application_formats.py --out DIR [--families all]
Keras 3 and tf_keras run in separate worker processes (this file with --gen), in parallel.
"""

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATIONS = ("k3", "k2")
SEED = 1234
CLASSES = 10  # a 10-way top: the classifier's ops without ImageNet's 1000-wide Dense, which only adds bytes
INPUT_SIDES = (32, 71, 75, 96, 128, 224)  # tried in order; the first the constructor builds and predicts with
DEFAULT_BUDGET = 4_200_000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--families", default="small", choices=["small", "all", "every"])
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="parameters, for --families small")
    p.add_argument("--only", default="", help="comma separated constructor names (both generations)")
    p.add_argument("--counts", default=os.path.join(HERE, "application_params.json"),
                   help="parameter counts of every constructor, written by an earlier run (counting the largest "
                        "constructors takes tens of minutes); recounted when it is not this Keras's")
    p.add_argument("--write-counts", action="store_true",
                   help="write this run's counts to --counts (after a Keras upgrade or a new constructor)")
    p.add_argument("--gen", choices=GENERATIONS, help="(worker) the generation to generate")
    p.add_argument("--manifest", help="(worker) where to write its partial manifest")
    return p.parse_args()


def main():
    args = parse_args()
    if args.gen:
        worker(args)
        return
    from generate import prepare_out, versions
    out = os.path.abspath(args.out)
    prepare_out(out)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1", PYTHONHASHSEED="0",
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("TF_USE_LEGACY_KERAS", None)
    with tempfile.TemporaryDirectory() as tmp:
        from set_workers import run_generation_workers
        parts = run_generation_workers(
            GENERATIONS, lambda gen, manifest: [sys.executable, os.path.abspath(__file__), "--gen", gen, "--out", out,
                                                "--families", args.families, "--budget", str(args.budget), "--only",
                                                args.only, "--counts", args.counts, "--manifest", manifest],
            env, tmp, "application")
    manifest = {"schema": 1, "kind": "conformance-applications", "versions": versions(), "families": args.families,
                "budget": args.budget if args.families == "small" else None,
                "constructors": {gen: parts[gen]["constructors"] for gen in GENERATIONS},
                "cases": [c for gen in GENERATIONS for c in parts[gen]["cases"]],
                "skipped_classes": [s for gen in GENERATIONS for s in parts[gen]["skipped_classes"]],
                # Families left out by --families small: their smallest member is over the parameter budget.
                "over_budget": [s for gen in GENERATIONS for s in parts[gen]["over_budget"]],
                "constructor_params": {gen: parts[gen]["counts"] for gen in GENERATIONS}}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    if args.write_counts:
        counts = {"versions": {gen: parts[gen]["version"] for gen in GENERATIONS},
                  **{gen: dict(sorted(parts[gen]["counts"].items())) for gen in GENERATIONS}}
        with open(args.counts, "w") as f:
            json.dump(counts, f, indent=1)
            f.write("\n")
    print(f"{len(manifest['cases'])} application cases, {sum(len(c['files']) for c in manifest['cases'])} files, "
          f"{len(manifest['skipped_classes'])} constructors without a case, in {out}", file=sys.stderr)


# ------------------------------------------------------------------------------------------------ worker

def worker(args):
    if args.gen == "k2":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import warnings

    import numpy as np
    import tensorflow as tf
    from absl import logging as absl_logging

    from gen_common import compare, describe, first_line, layer_info, log, predict, weights_by_layer

    absl_logging.set_verbosity(absl_logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore")
    if args.gen == "k2":
        import tf_keras as k
    else:
        import keras as k

    def constructors():
        found = {}
        for name, fn in sorted(vars(k.applications).items()):
            if name[0].isupper() and callable(fn):
                found[name] = fn.__module__.rsplit(".", 1)[-1]
        return found

    def build(name, side):
        k.backend.clear_session()  # layer names restart, so every run names the layers alike
        k.utils.set_random_seed(SEED)
        kwargs = {"weights": None, "input_shape": (side, side, 3), "classes": CLASSES}
        return getattr(k.applications, name)(**kwargs), kwargs

    def smallest_input(name):
        """The first side of INPUT_SIDES the constructor builds and predicts with: (model, kwargs, side)."""
        errors = []
        for side in INPUT_SIDES:
            try:
                model, kwargs = build(name, side)
                model.predict(np.zeros((1, side, side, 3), "float32"), verbose=0)
                return model, kwargs
            except Exception as e:  # the constructor's own check of the input size, or a layer that cannot fit it
                errors.append(f"{side}: {first_line(e)}")
        raise ValueError("no input side of " + str(INPUT_SIDES) + " builds: " + "; ".join(errors))

    def count_params(name):
        """The constructor's parameter count, built in a TensorFlow graph: its variables are declared, not filled, so
        counting the largest constructors (hundreds of millions of parameters) takes seconds."""
        errors = []
        for side in INPUT_SIDES:
            try:
                with tf.Graph().as_default():
                    return int(getattr(k.applications, name)(
                        weights=None, input_shape=(side, side, 3), classes=CLASSES).count_params())
            except Exception as e:
                errors.append(f"{side}: {first_line(e)}")
        raise ValueError("no input side of " + str(INPUT_SIDES) + " builds: " + "; ".join(errors))

    def committed_counts(path, version, found):
        """The counts an earlier run wrote to `path` (the manifest's constructor_params), when they are of this Keras
        version and of exactly the constructors found now; otherwise none (and each constructor is counted)."""
        try:
            with open(path) as f:
                saved = json.load(f)
        except OSError:
            log(f"{args.gen}: no parameter counts at {path}: counting every constructor")
            return {}
        mine = saved.get(args.gen, {})
        if saved.get("versions", {}).get(args.gen) != version or set(mine) != set(found):
            log(f"{args.gen}: {path} is not of Keras {version} and its {len(found)} constructors: counting every "
                f"constructor (write the new manifest's constructor_params there)")
            return {}
        return mine

    def seed_statistics(model, rng):
        """BatchNormalization's moving statistics drawn from a seeded range: at their initial 0 and 1 a reader that
        mixed them up with each other or with gamma/beta would still match."""
        for w in model.weights:
            name = w.name.split("/")[-1].split(":")[0]
            shape = tuple(int(d) for d in w.shape)
            if "moving_mean" in name:
                w.assign(rng.normal(0.0, 0.1, shape).astype("float32"))
            elif "moving_variance" in name:
                w.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))

    def write_json(model, path):
        with open(path, "w") as f:
            f.write(model.to_json())

    def load_model(ctx, path):
        return predict(k.models.load_model(path, safe_mode=False), ctx["inputs"])

    def load_weights(ctx, path):
        fresh, _ = build(ctx["name"], ctx["side"])
        for w in fresh.weights:  # zeros: a file that loads nothing cannot pass for the seeded weights
            w.assign(np.zeros(tuple(int(d) for d in w.shape), dtype="float32"))
        status = fresh.load_weights(path)
        if status is not None:
            status.expect_partial()
        return predict(fresh, ctx["inputs"])

    from set_workers import json_and_export_loaders
    load_json, load_export = json_and_export_loaders(k, tf, predict)

    # (format, path under the case folder, write, load, hashed as): the conformance set's formats.
    if args.gen == "k3":
        formats = [
            ("keras", "model.keras", lambda m, p: m.save(p), load_model, "file"),
            ("weights-h5", "model.weights.h5", lambda m, p: m.save_weights(p), load_weights, "file"),
            ("h5", "model.h5", lambda m, p: m.save(p), load_model, "file"),
            ("json", "model.json", write_json, load_json, "file"),
            ("savedmodel", "savedmodel", lambda m, p: m.export(p, format="tf_saved_model", verbose=False),
             load_export, "dir"),
        ]
    else:
        formats = [
            ("h5", "model.h5", lambda m, p: m.save(p), load_model, "file"),
            ("weights-h5-k2", "weights.h5", lambda m, p: m.save_weights(p), load_weights, "file"),
            ("checkpoint", "ckpt/ckpt", lambda m, p: m.save_weights(p, save_format="tf"), load_weights, "folder"),
            ("json", "model.json", write_json, load_json, "file"),
            ("savedmodel", "savedmodel", lambda m, p: m.save(p, save_format="tf"), load_model, "dir"),
        ]

    ctors = constructors()
    only = set(filter(None, args.only.split(",")))
    skipped, over_budget, counts = [], [], {}
    if only:
        chosen = sorted(n for n in ctors if n in only)
    elif args.families == "every":
        chosen = sorted(ctors)
    else:
        # The smallest member of each family by parameter count, each built at the smallest input it takes.
        known = committed_counts(args.counts, k.__version__, ctors)
        best = {}
        for name, family in ctors.items():
            try:
                params = known[name] if name in known else count_params(name)
            except Exception as e:
                skipped.append({"gen": args.gen, "class": name, "variant": None, "reason": str(e)})
                continue
            counts[name] = params
            if family not in best or params < best[family][1]:
                best[family] = (name, params)
        chosen = []
        for family, (name, params) in sorted(best.items()):
            if args.families == "small" and params > args.budget:
                over_budget.append({"gen": args.gen, "class": name, "family": family, "params": params})
            else:
                chosen.append(name)
        chosen.sort()
    log(f"{args.gen}: {len(chosen)} of {len(ctors)} application constructors: {chosen}")

    cases = []
    started = time.time()
    for name in chosen:
        base = f"{args.gen}/{name}/default"
        t = time.time()
        try:
            model, kwargs = smallest_input(name)
        except Exception as e:
            skipped.append({"gen": args.gen, "class": name, "variant": None, "reason": str(e)})
            continue
        rng = np.random.default_rng(zlib.crc32(base.encode()))
        seed_statistics(model, rng)
        if counts.get(name, model.count_params()) != model.count_params():
            sys.exit(f"{base}: {args.counts} says {counts[name]:,} parameters, the model has {model.count_params():,}: "
                     f"rerun with --families all --write-counts")
        side = kwargs["input_shape"][0]
        # Pixel-like values: the applications' own preprocessing layers (Rescaling, Normalization) expect 0-255.
        inputs = [rng.uniform(0, 255, size=(2, side, side, 3)).astype("float32")]
        outputs = predict(model, inputs)
        root = os.path.join(args.out, base)
        os.makedirs(root, exist_ok=True)
        np.save(os.path.join(root, "inputs_0.npy"), inputs[0])
        for i, y in enumerate(outputs):
            np.save(os.path.join(root, f"outputs_{i}.npy"), y)
        np.savez(os.path.join(root, "weights.npz"), **weights_by_layer(model))
        case = {"id": base, "gen": args.gen, "keras_version": k.__version__, "class": name, "variant": "default",
                "family": ctors[name], "constructor_args": {**kwargs, "input_shape": list(kwargs["input_shape"])},
                "input_shape": [side, side, 3], "call": "one", "input_dtype": "float32", "masked_input": False,
                "reference": "Keras's predict", "keras_kernel_disagrees": False,
                "inputs": [f"{base}/inputs_0.npy"], "outputs": [f"{base}/outputs_{i}.npy" for i in range(len(outputs))],
                "weights": f"{base}/weights.npz", "layers": layer_info(model), "params": int(model.count_params()),
                "files": [], "skipped": []}
        ctx = {"model": model, "inputs": inputs, "outputs": outputs, "name": name, "side": side}
        for fmt, rel, write, load, kind in formats:
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            try:
                write(model, path)
            except Exception as e:  # Keras itself cannot save this model in this format
                target = os.path.dirname(path) if kind == "folder" else path
                shutil.rmtree(target, ignore_errors=True) if os.path.isdir(target) else (
                    os.path.exists(target) and os.remove(target))
                case["skipped"].append({"format": fmt, "reason": first_line(e)})
                continue
            entry = {"path": f"{base}/{rel}", "format": fmt}
            entry.update({key: value for key, value in describe(args.out, path, kind).items() if key != "members"})
            try:
                diff, same = compare(outputs, load(ctx, path))
                entry.update({"keras_loads": same, "load_error": None if same else
                              f"predictions differ from the reference (max_abs_diff={diff:.3g})"})
            except Exception as e:
                entry.update({"keras_loads": False, "load_error": first_line(e)})
            case["files"].append(entry)
        log(f"{base}: {side}x{side}, {case['params']:,} params, {len(case['files'])} files, "
            f"{len(case['skipped'])} unwritable ({time.time() - t:.1f} s)")
        cases.append(case)
        del model, ctx
        gc.collect()
    log(f"{args.gen}: {len(cases)} cases, {len(skipped)} constructors without a case, {time.time() - started:.0f} s")
    with open(args.manifest, "w") as f:
        json.dump({"cases": cases, "skipped_classes": skipped, "over_budget": over_budget, "constructors": ctors,
                   "counts": counts, "version": k.__version__}, f)


if __name__ == "__main__":
    main()
