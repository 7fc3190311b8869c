"""Generates the layer-class conformance set: every public layer class of Keras 3 (`keras.layers`) and of
tf_keras (`tf_keras.layers`), found by introspection, as a minimal functional model per config variant, saved by
real Keras in every format of its generation, with seeded weights, seeded inputs and Keras's own outputs.

Run with the oracle venv's python:  $(oracle/venv.sh) oracle/conformance.py --out DIR [--only Dense,LSTM]
Keras 3 and tf_keras run in separate worker processes (conformance_worker.py), in parallel, as generate.py does.
DIR/manifest.json lists every case, its files, the formats Keras could not write (with Keras's error) and every
class that has no case (with the reason). Layout and rules: README.md, "Conformance set".
"""

import argparse
import json
import os
import sys
import tempfile

from generate import prepare_out, versions
from set_workers import run_generation_workers

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATIONS = ("k3", "k2")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--only", default="", help="comma separated layer class names (both generations)")
    args = p.parse_args()
    out = os.path.abspath(args.out)
    prepare_out(out)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1",
               PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    env.pop("TF_USE_LEGACY_KERAS", None)
    with tempfile.TemporaryDirectory() as tmp:
        parts = run_generation_workers(
            GENERATIONS, lambda gen, manifest: [sys.executable, os.path.join(HERE, "conformance_worker.py"), "--gen", gen,
                                                "--out", out, "--only", args.only, "--manifest", manifest],
            env, tmp, "conformance")
    manifest = {"schema": 1, "kind": "conformance-layers", "versions": versions(),
                "cases": [c for gen in GENERATIONS for c in parts[gen]["cases"]],
                "skipped_classes": [s for gen in GENERATIONS for s in parts[gen]["skipped_classes"]]}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    files = sum(len(c["files"]) for c in manifest["cases"])
    unwritable = sum(len(c["skipped"]) for c in manifest["cases"])
    print(f"{len(manifest['cases'])} cases, {files} files, {unwritable} formats Keras could not write, "
          f"{len(manifest['skipped_classes'])} classes/variants without a case, in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
