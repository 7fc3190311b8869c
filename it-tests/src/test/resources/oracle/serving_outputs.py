"""TensorFlow's own outputs of SavedModel signatures: for each case of CASES_JSON ({"dir", "inputs": [npy...],
"out"}), loads the SavedModel with tf.saved_model.load, feeds serving_default its inputs (the signature's input names
in natural order, as GraphInterpreterTest feeds them) and writes out/<output name>.npy. Used where keras4j's graph
interpreter and Keras's eager predictions disagree, to tell an interpreter bug from an export that computes
differently from the model it came from."""
import json
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def natural(name):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def main():
    cases = json.load(open(sys.argv[1]))
    for case in cases:
        os.makedirs(case["out"], exist_ok=True)
        try:
            sig = tf.saved_model.load(case["dir"]).signatures["serving_default"]
            names = sorted(sig.structured_input_signature[1].keys(), key=natural)
            feeds = {n: tf.constant(np.load(p)) for n, p in zip(names, case["inputs"])}
            for name, value in sig(**feeds).items():
                np.save(os.path.join(case["out"], name + ".npy"), value.numpy())
            print("ok", case["dir"])
        except Exception as e:  # reported per case; the test decides
            with open(os.path.join(case["out"], "error.txt"), "w") as f:
                f.write(f"{type(e).__name__}: {e}")
            print("error", case["dir"], type(e).__name__, str(e).splitlines()[0] if str(e) else "")


if __name__ == "__main__":
    main()
