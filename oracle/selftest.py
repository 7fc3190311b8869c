"""Self-test of reverse_check.py on the generator's own files.

Builds reverse-check cases from a zoo directory (default: the committed fixtures/zoo):
every file Keras itself could load must pass against its own references, with every
loader exercised. Adds cases that must fail (an unknown loader, wrong references, the
files real Keras cannot load) to prove the checker does fail. Then runs reverse_check.py
as a user would and checks each case's outcome against the expectation.

Usage: oracle/selftest.sh [ZOO_DIR]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ZOO = os.path.join(os.path.dirname(HERE), "fixtures", "zoo")

LOADERS = {  # (gen, format) -> loaders that read that file
    ("k3", "keras"): ["keras3.load_model"], ("k3", "keras-dir"): ["keras3.load_model"],
    ("k3", "h5"): ["keras3.load_model"], ("k3", "weights-h5"): ["keras3.load_weights"],
    ("k3", "weights-sharded"): ["keras3.load_weights"], ("k3", "json"): ["keras3.model_from_json"],
    ("k3", "savedmodel"): ["tf.saved_model.load", "tf1.saved_model.loader"],
    ("k3", "checkpoint"): ["keras3.checkpoint_read"],
    ("k2", "h5"): ["tf_keras.load_model"], ("k2", "keras"): ["tf_keras.load_model"],
    ("k2", "savedmodel"): ["tf_keras.load_model", "tf.saved_model.load", "tf1.saved_model.loader"],
    ("k2", "weights-h5-k2"): ["tf_keras.load_weights"], ("k2", "json"): ["tf_keras.model_from_json"],
    ("k2", "checkpoint"): ["tf_keras.load_weights", "tf.train.load_checkpoint"],
}
# Layers whose tf_keras checkpoint keys are `layer_with_weights-<j>/<weight name>/...`.
FLAT_LAYERS = {"Dense", "Conv1D", "Conv2D", "BatchNormalization", "Embedding",
               "LayerNormalization", "Scale"}


def build_cases(zoo, tmp):
    """Returns (cases, ids expected to fail)."""
    with open(os.path.join(zoo, "manifest.json")) as f:
        manifest = json.load(f)
    cases, must_fail = [], set()
    for m in manifest["models"]:
        absolute = lambda rel: os.path.join(zoo, rel)  # noqa: E731
        by_format = {f["format"]: absolute(f["path"]) for f in m["files"]}
        common = {"inputs": [absolute(p) for p in m["inputs"]],
                  "outputs": [absolute(p) for p in m["outputs"]],
                  "custom": bool(m["custom_objects"])}
        for f in m["files"]:
            for loader in LOADERS[(m["gen"], f["format"])]:
                case = {"id": f"{m['model']}-{m['gen']}-{f['format']}-{loader}", "loader": loader,
                        "path": absolute(f["path"]), **common}
                if loader.endswith("load_weights"):
                    case["architecture"] = by_format["json"]
                if loader == "keras3.checkpoint_read":
                    # Not the JSON: Keras 3 JSON drops the optimizer from compile_config, so a
                    # model built from it gets RMSprop and cannot take the Adam slots.
                    case["architecture"] = by_format["keras"]
                if loader.endswith("model_from_json"):
                    case["weights"] = by_format["weights-h5" if m["gen"] == "k3" else "weights-h5-k2"]
                if loader == "tf.train.load_checkpoint":
                    case = checkpoint_case(case, m, absolute(m["weights"]), tmp)
                    if case is None:
                        continue
                if not f["keras_loads"]:
                    must_fail.add(case["id"])
                cases.append(case)

    mlp3, mlp2 = (next(m for m in manifest["models"] if m["model"] == "mlp" and m["gen"] == g)
                  for g in ("k3", "k2"))
    wrong = {"id": "negative-wrong-reference", "loader": "keras3.load_model",
             "path": os.path.join(zoo, mlp3["files"][0]["path"]),
             "inputs": [os.path.join(zoo, p) for p in mlp3["inputs"]],
             "outputs": [os.path.join(zoo, p) for p in mlp2["outputs"]]}
    unknown = {**wrong, "id": "negative-unknown-loader", "loader": "keras1.load_model"}
    saved_model = next(f["path"] for f in mlp2["files"] if f["format"] == "savedmodel")
    no_saver = {"id": "negative-tf1-without-saver-def", "loader": "tf1.saved_model.loader",
                "path": without_saver_def(os.path.join(zoo, saved_model), tmp),
                "inputs": [os.path.join(zoo, p) for p in mlp2["inputs"]],
                "outputs": [os.path.join(zoo, p) for p in mlp2["outputs"]]}
    cases += [wrong, unknown, no_saver]
    must_fail |= {wrong["id"], unknown["id"], no_saver["id"]}
    return cases, must_fail


def without_saver_def(saved_model, tmp):
    """A copy of a SavedModel without its saver_def: TF1 loaders then leave the variables
    uninitialized, which the tf1 loader must report as a failure."""
    from tensorflow.core.protobuf import saved_model_pb2

    copy = os.path.join(tmp, "no-saver-def")
    shutil.copytree(saved_model, copy)
    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(copy, "saved_model.pb"), "rb") as f:
        proto.ParseFromString(f.read())
    proto.meta_graphs[0].ClearField("saver_def")
    with open(os.path.join(copy, "saved_model.pb"), "wb") as f:
        f.write(proto.SerializeToString())
    return copy


def checkpoint_case(case, model, weights_npz, tmp):
    """A tf.train.load_checkpoint case comparing every layer variable of a flat tf_keras
    model with weights.npz; None for models with nested or RNN layers."""
    layers = [layer for layer in model["layers"] if layer["weight_names"]]
    if any(layer["class_name"] not in FLAT_LAYERS for layer in layers):
        return None
    weights = np.load(weights_npz)
    expect = {}
    for j, layer in enumerate(layers):
        for i, name in enumerate(layer["weight_names"]):
            npy = os.path.join(tmp, f"{case['id']}-{j}-{i}.npy")
            np.save(npy, weights[f"{layer['name']}/{i}"])
            expect[f"layer_with_weights-{j}/{name}/.ATTRIBUTES/VARIABLE_VALUE"] = npy
    return {"id": case["id"], "loader": case["loader"], "path": case["path"],
            "expect_variables": expect, "atol": 0.0, "rtol": 0.0}


def main():
    zoo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_ZOO)
    with tempfile.TemporaryDirectory() as tmp:
        cases, must_fail = build_cases(zoo, tmp)
        cases_path, report_path = os.path.join(tmp, "cases.json"), os.path.join(tmp, "report.json")
        with open(cases_path, "w") as f:
            json.dump(cases, f, indent=1)
        subprocess.run([sys.executable, os.path.join(HERE, "reverse_check.py"),
                        "--cases", cases_path, "--report", report_path], stdin=subprocess.DEVNULL)
        with open(report_path) as f:
            report = json.load(f)["results"]

    unexpected = [r for r in report if r["ok"] == (r["id"] in must_fail)]
    for r in unexpected:
        want = "fail" if r["id"] in must_fail else "pass"
        print(f"selftest: {r['id']} should {want}: {r['error']}")
    loaders = {c["loader"] for c in cases}
    print(f"selftest: {len(cases)} cases over {len(loaders)} loaders, "
          f"{len(must_fail)} expected failures")
    print(f"{len(report) - len(unexpected)} passed, {len(unexpected)} failed")
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
