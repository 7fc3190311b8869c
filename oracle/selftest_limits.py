"""Self-test of the reverse check's TensorFlow-limitation probe, on both of its paths, on any CPU.

Whether TensorFlow's CPU kernels run channels_first convolutions and pooling depends on the machine (oneDNN
provides them where it is enabled), so the Java tables excuse a failed case only when reverse_check.py, asked on
the machine itself, finds a layer of the model that TensorFlow cannot run alone (result field `tf_limitation`).
This script proves that probe both ways on one machine: with TF_ENABLE_ONEDNN_OPTS=0 TensorFlow lacks the NCHW
kernels everywhere, so a channels_first model must fail WITH a limitation; with the machine's defaults it must
pass or fail with a limitation; and a plainly wrong prediction must never be excused as a limitation.

Usage: $(oracle/venv.sh) oracle/selftest_limits.py
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write_models(tmp):
    """A tf_keras channels_first CNN (with its own predictions) and a Dense model with wrong references."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as k

    k.utils.set_random_seed(1)
    x = np.random.default_rng(1).random((2, 3, 6, 6), dtype=np.float32)
    cnn = k.Sequential([k.Input((3, 6, 6)), k.layers.Conv2D(2, 2, data_format="channels_first"),
                        k.layers.MaxPooling2D(data_format="channels_first"), k.layers.Flatten(), k.layers.Dense(2)])
    dense = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
    files = {}
    for name, model, inputs, shift in (("cf", cnn, x, 0.0), ("wrong", dense, np.ones((1, 3), np.float32), 1.0)):
        path = os.path.join(tmp, f"{name}.h5")
        model.save(path)
        np.save(os.path.join(tmp, f"{name}_x.npy"), inputs)
        np.save(os.path.join(tmp, f"{name}_y.npy"), model.predict(inputs, verbose=0) + shift)
        files[name] = path
    return files


def run(tmp, files, env_extra, tag):
    cases = []
    for name, path in files.items():
        for loader in ("tf_keras.load_model", "keras3.load_model"):
            cases.append({"id": f"{name} {loader}", "loader": loader, "path": path,
                          "inputs": [os.path.join(tmp, f"{name}_x.npy")],
                          "outputs": [os.path.join(tmp, f"{name}_y.npy")]})
    cases_path, report = os.path.join(tmp, f"cases-{tag}.json"), os.path.join(tmp, f"report-{tag}.json")
    with open(cases_path, "w") as f:
        json.dump(cases, f)
    subprocess.run([sys.executable, os.path.join(HERE, "reverse_check.py"), "--cases", cases_path,
                    "--report", report], env=dict(os.environ, **env_extra), stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(report) as f:
        return {r["id"]: r for r in json.load(f)["results"]}


def main():
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        files = write_models(tmp)
        without = run(tmp, files, {"TF_ENABLE_ONEDNN_OPTS": "0"}, "no-onednn")
        default = run(tmp, files, {}, "default")
    for rid, r in without.items():
        if rid.startswith("cf ") and (r["ok"] or not r["tf_limitation"]):
            problems.append(f"without oneDNN, {rid} must fail with a TensorFlow limitation: {r}")
    for rid, r in default.items():
        if rid.startswith("cf ") and not (r["ok"] or r["tf_limitation"]):
            problems.append(f"with this machine's defaults, {rid} must pass or be a TensorFlow limitation: {r}")
        if rid.startswith("cf "):
            limited = f"TensorFlow cannot run it ({r['tf_limitation']})" if r["tf_limitation"] else "runs"
            print(f"selftest_limits: on this machine's defaults, the channels_first CNN ({rid}) {limited}")
    for rid, r in {**{f"{k} no-onednn": v for k, v in without.items()}, **default}.items():
        if rid.startswith("wrong") and (r["ok"] or r["tf_limitation"]):
            problems.append(f"{rid}: a wrong prediction must fail and never be excused: {r}")
    checked = len(without) + len(default)
    for p in problems:
        print(f"selftest_limits: {p}")
    print(f"{checked - len(problems)} passed, {len(problems)} failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
