"""Self-test of reverse_check.py on the generator's own files.

Builds reverse-check cases from a zoo directory (default: the committed fixtures/zoo):
every file Keras itself could load must pass against its own references, with every
loader exercised (the YAML loaders on the zoo's JSON converted to YAML). Adds cases that
must fail (an unknown loader, wrong references, missing references, checkpoints that are
unrelated, partial or reordered, a weight-holding architecture for a checkpoint, the files
real Keras cannot load) to prove the checker does fail, most of them for a named reason.
Then runs reverse_check.py as a user would and checks each case's outcome.

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
    ("k3", "weights-sharded"): ["keras3.load_weights"], ("k3", "json"): ["keras3.model_from_json", "keras3.model_from_yaml"],
    ("k3", "savedmodel"): ["tf.saved_model.load", "tf1.saved_model.loader"],
    ("k3", "checkpoint"): ["keras3.checkpoint_read"],
    ("k2", "h5"): ["tf_keras.load_model"], ("k2", "keras"): ["tf_keras.load_model"],
    ("k2", "savedmodel"): ["tf_keras.load_model", "tf.saved_model.load", "tf1.saved_model.loader"],
    ("k2", "weights-h5-k2"): ["tf_keras.load_weights"],
    ("k2", "json"): ["tf_keras.model_from_json", "tf_keras.model_from_yaml"],
    ("k2", "checkpoint"): ["tf_keras.load_weights", "tf.train.load_checkpoint"],
}
# Layers whose tf_keras checkpoint keys are `layer_with_weights-<j>/<weight name>/...`.
FLAT_LAYERS = {"Dense", "Conv1D", "Conv2D", "BatchNormalization", "Embedding",
               "LayerNormalization", "Scale"}


def build_cases(zoo, tmp):
    """Returns (cases, {id expected to fail: text its error must contain, or None})."""
    with open(os.path.join(zoo, "manifest.json")) as f:
        manifest = json.load(f)
    cases, must_fail = [], {}
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
                if loader.endswith(("load_weights", "checkpoint_read")):
                    # Weightless: a checkpoint restored into it predicts the references only
                    # if it restored every variable.
                    case["architecture"] = by_format["json"]
                if loader.endswith("model_from_yaml"):
                    case["path"] = json_to_yaml(case["path"], os.path.join(tmp, f"{m['model']}-{m['gen']}.yaml"))
                if loader.endswith(("model_from_json", "model_from_yaml")):
                    case["weights"] = by_format["weights-h5" if m["gen"] == "k3" else "weights-h5-k2"]
                if loader == "tf.train.load_checkpoint":
                    case = checkpoint_case(case, m, absolute(m["weights"]), tmp)
                    if case is None:
                        continue
                if not f["keras_loads"]:
                    must_fail[case["id"]] = None
                cases.append(case)

    model = {(m["model"], m["gen"]): m for m in manifest["models"]}
    mlp3, mlp2 = model["mlp", "k3"], model["mlp", "k2"]
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
    must_fail.update({wrong["id"]: "outputs differ", unknown["id"]: "unknown loader",
                      no_saver["id"]: None})

    # A case must compare something unless it says it only loads.
    no_outputs = {**wrong, "id": "negative-no-outputs", "outputs": []}
    nothing = {"id": "negative-nothing-to-compare", "loader": wrong["loader"], "path": wrong["path"]}
    loads = {**nothing, "id": "load-only-says-so", "expect": "loads"}
    cases += [no_outputs, nothing, loads]
    must_fail.update({no_outputs["id"]: "nothing compared", nothing["id"]: "nothing compared"})

    cases_, must_fail_ = checkpoint_cases(zoo, model, tmp)
    return cases + cases_, {**must_fail, **must_fail_}


def checkpoint_cases(zoo, model, tmp):
    """The checkpoint loaders against checkpoints that must not pass: another model's, one with a
    variable dropped, one with two layers swapped in its object graph, and the right one restored
    into a weight-holding architecture. TF-rewritten but unchanged copies must pass, so the
    rewriting itself is not what fails them."""
    cases, must_fail = [], {}
    for gen, loader in (("k3", "keras3.checkpoint_read"), ("k2", "tf_keras.load_weights")):
        m, other = model["mlp", gen], model["cnn", gen]
        files = {f["format"]: os.path.join(zoo, f["path"]) for f in m["files"]}
        prefix = files["checkpoint"]
        base = {"loader": loader, "architecture": files["json"],
                "inputs": [os.path.join(zoo, p) for p in m["inputs"]],
                "outputs": [os.path.join(zoo, p) for p in m["outputs"]]}
        work = os.path.join(tmp, f"ckpt-{gen}")
        copy = rewrite_checkpoint(prefix, os.path.join(work, "copy", "ckpt"))
        partial = rewrite_checkpoint(prefix, os.path.join(work, "partial", "ckpt"), drop=True)
        swapped = rewrite_checkpoint(prefix, os.path.join(work, "swapped", "ckpt"), swap=True)
        unrelated = next(os.path.join(zoo, f["path"]) for f in other["files"] if f["format"] == "checkpoint")
        cases += [{**base, "id": f"rewritten-copy-{gen}", "path": copy},
                  {**base, "id": f"negative-partial-{gen}", "path": partial},
                  {**base, "id": f"negative-swapped-{gen}", "path": swapped},
                  {**base, "id": f"negative-unrelated-{gen}", "path": unrelated},
                  {**base, "id": f"negative-weight-holding-architecture-{gen}", "path": prefix,
                   "architecture": files["keras" if gen == "k3" else "h5"]},
                  {"id": f"rewritten-copy-same-as-{gen}", "loader": "tf.train.load_checkpoint",
                   "path": copy, "same_as": prefix},
                  {"id": f"negative-partial-same-as-{gen}", "loader": "tf.train.load_checkpoint",
                   "path": partial, "same_as": prefix}]
        must_fail.update({f"negative-partial-{gen}": "not bound to checkpointed values",
                          f"negative-swapped-{gen}": None, f"negative-unrelated-{gen}": None,
                          f"negative-weight-holding-architecture-{gen}": "weightless architecture",
                          f"negative-partial-same-as-{gen}": "VARIABLE_VALUE: missing"})
    return cases, must_fail


def rewrite_checkpoint(source, target, drop=False, swap=False):
    """Rewrites a checkpoint with tf.raw_ops.SaveV2. `drop`: its last variable leaves both the
    tensors and the object graph (node attributes and every reference to the node). `swap`: the
    first two children holding variables of one object trade places in the object graph."""
    import tensorflow as tf
    from tensorflow.core.protobuf import trackable_object_graph_pb2

    key = "_CHECKPOINTABLE_OBJECT_GRAPH"
    reader = tf.train.load_checkpoint(source)
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor(key))
    keys = sorted(k for k in reader.get_variable_to_shape_map() if k != key)
    if drop:
        dropped = keys.pop()
        node_id = next(i for i, n in enumerate(graph.nodes)
                       if any(a.checkpoint_key == dropped for a in n.attributes))
        del graph.nodes[node_id].attributes[:]
        for node in graph.nodes:
            kept = [c for c in node.children if c.node_id != node_id]
            del node.children[:]
            node.children.extend(kept)
    if swap:
        node = next(n for n in graph.nodes
                    if len({c.node_id for c in n.children if graph.nodes[c.node_id].children}) >= 2)
        a, b = sorted({c.node_id for c in node.children if graph.nodes[c.node_id].children})[:2]
        for child in node.children:
            child.node_id = {a: b, b: a}.get(child.node_id, child.node_id)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tf.raw_ops.SaveV2(prefix=target, tensor_names=keys + [key], shape_and_slices=[""] * (len(keys) + 1),
                      tensors=[reader.get_tensor(k) for k in keys] + [graph.SerializeToString()])
    return target


def json_to_yaml(json_path, yaml_path):
    """The zoo's architecture JSON as the YAML `to_yaml` would write (plain data, no tags)."""
    import yaml

    with open(json_path) as f:
        config = json.load(f)
    with open(yaml_path, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    return yaml_path


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

    def met(r):
        if r["id"] not in must_fail:
            return r["ok"]
        reason = must_fail[r["id"]]
        return not r["ok"] and (reason is None or reason in (r["error"] or ""))

    unexpected = [r for r in report if not met(r)]
    for r in unexpected:
        reason = must_fail.get(r["id"])
        want = f"fail with '{reason}'" if reason else "fail" if r["id"] in must_fail else "pass"
        print(f"selftest: {r['id']} should {want}: {r['error']}")
    loaders = {c["loader"] for c in cases}
    print(f"selftest: {len(cases)} cases over {len(loaders)} loaders, "
          f"{len(must_fail)} expected failures")
    print(f"{len(report) - len(unexpected)} passed, {len(unexpected)} failed")
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
