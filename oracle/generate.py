"""Generates the Keras model zoo: every model in every format of Keras 3 and Keras 2,
reference inputs/outputs/weights, and DIR/manifest.json (schema in README.md).

Run with the oracle venv's python:  $(oracle/venv.sh) oracle/generate.py --out DIR
Keras 3 and tf_keras run in separate worker processes (gen_k3.py, gen_k2.py), in parallel.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

import zoo

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATIONS = {"k3": "gen_k3.py", "k2": "gen_k2.py"}

# The committed fixture set (fixtures/zoo) must stay small (~5 MB). It keeps every small
# model in every format except these bulky tf_keras SavedModels (rnn/k2 alone is 6 MB);
# the other k2 SavedModels still cover the format.
COMMITTED_EXCLUDED = {"k2": ["rnn:savedmodel", "attention:savedmodel", "resnet:savedmodel",
                             "timedistributed:savedmodel"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--only", default="", help="comma separated zoo model names")
    p.add_argument("--committed", action="store_true",
                   help="the small committed subset (fixtures/zoo)")
    args = p.parse_args()

    models = [m for m in zoo.MODELS if not (args.committed and m in zoo.LARGE_MODELS)]
    if args.only:
        only = args.only.split(",")
        unknown = set(only) - set(zoo.MODELS)
        if unknown:
            sys.exit(f"unknown zoo models: {sorted(unknown)}; known: {zoo.MODELS}")
        models = [m for m in models if m in only]

    out = os.path.abspath(args.out)
    prepare_out(out)
    with tempfile.TemporaryDirectory() as tmp:
        entries = run_workers(out, models, COMMITTED_EXCLUDED if args.committed else {}, tmp)

    order = {m: i for i, m in enumerate(zoo.MODELS)}
    entries.sort(key=lambda e: (order[e["model"]], list(GENERATIONS).index(e["gen"])))
    manifest = {"schema": 1, "versions": versions(), "models": entries}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write("\n")
    n_files = sum(len(e["files"]) for e in entries)
    failures = sum(not f["keras_loads"] for e in entries for f in e["files"])
    print(f"{len(entries)} model/generation pairs, {n_files} files "
          f"({failures} not loadable by Keras) in {out}", file=sys.stderr)


def prepare_out(out):
    """Empties a previous zoo in `out`; refuses to touch a non-empty directory that is not one."""
    if not os.path.isdir(out):
        os.makedirs(out)
        return
    if os.listdir(out) and not os.path.exists(os.path.join(out, "manifest.json")):
        sys.exit(f"{out} is not empty and holds no manifest.json; refusing to overwrite it")
    for name in os.listdir(out):
        path = os.path.join(out, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def run_workers(out, models, exclude, tmp):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1",
               PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    env.pop("TF_USE_LEGACY_KERAS", None)
    procs = {}
    for gen, script in GENERATIONS.items():
        worker_env = dict(env, TF_USE_LEGACY_KERAS="1") if gen == "k2" else env
        cmd = [sys.executable, os.path.join(HERE, script), "--out", out,
               "--models", ",".join(models), "--exclude", ",".join(exclude.get(gen, [])),
               "--manifest", os.path.join(tmp, f"{gen}.json")]
        procs[gen] = subprocess.Popen(cmd, env=worker_env, stdin=subprocess.DEVNULL)
    failed = [gen for gen, proc in procs.items() if proc.wait() != 0]
    if failed:
        sys.exit(f"generator worker(s) failed: {failed}")
    entries = []
    for gen in GENERATIONS:
        with open(os.path.join(tmp, f"{gen}.json")) as f:
            entries.extend(json.load(f))
    return entries


def versions():
    v = importlib.metadata.version
    return {"keras": v("keras"), "tensorflow": v("tensorflow-cpu"), "tf_keras": v("tf-keras"),
            "h5py": v("h5py"), "numpy": v("numpy"), "python": platform.python_version()}


if __name__ == "__main__":
    main()
