"""Loads files written by keras4j in real Keras, the way a user would, and compares the
predictions with reference outputs. Case and report schemas: README.md, "Reverse check".

Usage: $(oracle/venv.sh) oracle/reverse_check.py --cases CASES.json --report REPORT.json

TensorFlow is imported once per generation: Keras 3 and plain-TF cases run in one worker
process, tf_keras cases in another (TF_USE_LEGACY_KERAS=1), in parallel.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
K3_LOADERS = {"keras3.load_model", "keras3.load_weights", "keras3.model_from_json",
              "keras3.model_from_yaml", "keras3.checkpoint_read", "tf.saved_model.load",
              "tf1.saved_model.loader", "tf.train.load_checkpoint"}
K2_LOADERS = {"tf_keras.load_model", "tf_keras.load_weights", "tf_keras.model_from_json",
              "tf_keras.model_from_yaml"}
# Architecture files that hold no weights: a checkpoint restored into one can only predict the
# references if it really restored every variable.
WEIGHTLESS_SUFFIXES = (".json", ".yaml", ".yml")
DEFAULT_RTOL, DEFAULT_ATOL = 1e-5, 1e-6


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--worker", choices=["k3", "k2"], help=argparse.SUPPRESS)
    args = p.parse_args()
    with open(args.cases) as f:
        cases = json.load(f)
    if args.worker:
        results = run_cases(args.worker, cases)
        with open(args.report, "w") as f:
            json.dump(results, f)
        return

    results = {}
    groups = {"k3": [], "k2": []}
    for case in cases:
        loader = case.get("loader")
        if loader in K3_LOADERS:
            groups["k3"].append(case)
        elif loader in K2_LOADERS:
            groups["k2"].append(case)
        else:
            known = ", ".join(sorted(K3_LOADERS | K2_LOADERS))
            results[case.get("id")] = result(case, error=f"unknown loader {loader!r}; known: {known}")
    results.update(run_workers(groups))

    ordered = [results[case.get("id")] for case in cases]
    for r in ordered:
        if r["error"]:
            detail = r["error"]
        elif r.get("load_only"):
            detail = f"load only (\"expect\": \"loads\"; nothing compared) params={r['params']}"
        else:
            detail = f"max_abs_diff={r['max_abs_diff']} params={r['params']}"
        print(f"{'PASS' if r['ok'] else 'FAIL'} {r['id']}: {detail}")
    passed = sum(r["ok"] for r in ordered)
    with open(args.report, "w") as f:
        json.dump({"passed": passed, "failed": len(ordered) - passed, "results": ordered}, f, indent=1)
    print(f"{passed} passed, {len(ordered) - passed} failed")
    sys.exit(0 if passed == len(ordered) else 1)


def run_workers(groups):
    """Runs each non-empty group in its own worker process; returns {id: result}."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1",
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("TF_USE_LEGACY_KERAS", None)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        procs = {}
        for gen, cases in groups.items():
            if not cases:
                continue
            cases_path, report_path = (os.path.join(tmp, f"{gen}.{x}.json") for x in ("cases", "report"))
            with open(cases_path, "w") as f:
                json.dump(cases, f)
            worker_env = dict(env, TF_USE_LEGACY_KERAS="1") if gen == "k2" else env
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", gen,
                   "--cases", cases_path, "--report", report_path]
            procs[gen] = (subprocess.Popen(cmd, env=worker_env, stdin=subprocess.DEVNULL), report_path)
        for gen, (proc, report_path) in procs.items():
            code = proc.wait()
            if code == 0:
                with open(report_path) as f:
                    results.update({r["id"]: r for r in json.load(f)})
            else:
                for case in groups[gen]:
                    results[case.get("id")] = result(case, error=f"{gen} worker crashed (exit {code})")
    return results


def result(case, ok=False, max_abs=None, max_rel=None, params=None, error=None, load_only=False,
           tf_limitation=None):
    """tf_limitation: set only on a failed case whose model TensorFlow itself cannot run on this machine (see
    Loaders._unrunnable_layers); the Java tables excuse exactly those cases, so no list of them is kept."""
    return {"id": case.get("id"), "ok": ok, "max_abs_diff": max_abs, "max_rel_diff": max_rel,
            "params": params, "error": error, "load_only": load_only, "tf_limitation": tf_limitation}


# ---------------------------------------------------------------- worker side

CASE_TIMEOUT_SECONDS = 120


def run_cases(gen, cases):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    if gen == "k2":
        import tf_keras as k
        k.__internal__.enable_unsafe_deserialization()
    else:
        import keras as k
        k.config.enable_unsafe_deserialization()
    if any(case.get("custom") for case in cases):
        import zoo_custom
        zoo_custom.custom_objects(k)

    loaders = Loaders(k, tf)
    results = []
    # Some malformed configs send tf_keras's functional reconstruction into an endless retry loop:
    # a per-case alarm turns that into a failed case instead of a hung run.
    signal.signal(signal.SIGALRM, _case_timed_out)
    for case in cases:
        signal.alarm(int(case.get("timeout", CASE_TIMEOUT_SECONDS)))
        # Layers that draw random numbers even at inference give the same result every run, whatever ran before.
        k.utils.set_random_seed(0)
        try:
            results.append(loaders.run(case))
        except TensorFlowLimitation as e:
            results.append(result(case, error=e.error, tf_limitation=e.layers))
        except Exception as e:
            if os.environ.get("KERAS4J_ORACLE_DEBUG"):
                traceback.print_exc()
            text = str(e).strip().splitlines()
            results.append(result(case, error=f"{type(e).__name__}: {text[0] if text else ''}"))
        finally:
            signal.alarm(0)
    return results


class CaseTimeout(Exception):
    pass


def tf_error_text(e):
    """The informative part of a TensorFlow op error ('The Conv2D op currently only supports the NHWC tensor
    format on the CPU. ...'), not Keras's 'Exception encountered when calling layer' wrapper line."""
    import re

    found = re.search(r"\}\}\s*(.*?)\s*\[Op:", str(e), re.S)
    text = found.group(1) if found else str(e).strip()
    return " ".join(text.split())[:240]


class TensorFlowLimitation(Exception):
    """The loaded model failed to predict, and TensorFlow cannot run some of its layers alone on this machine."""

    def __init__(self, error, layers):
        super().__init__(error)
        self.error, self.layers = error, layers


def _case_timed_out(signum, frame):
    raise CaseTimeout(f"the case took longer than its time limit (default {CASE_TIMEOUT_SECONDS} s)")


class Loaders:
    """One method per loader name; each returns (actual arrays or None, expected arrays, params)."""

    def __init__(self, k, tf):
        self.k, self.tf = k, tf

    def run(self, case):
        method = getattr(self, case["loader"].replace(".", "_"))
        inputs = [np.load(p) for p in case.get("inputs", [])]
        out = method(case, inputs)
        if isinstance(out, dict):  # the loader judged the case itself
            return out
        actual, expected, params = out
        if actual is None or not expected:
            # A loader that compared nothing proves only that the file loads: that passes only when
            # the case asks for exactly that, so a case that lost its references cannot pass.
            if case.get("expect") == "loads":
                return result(case, ok=True, params=params, load_only=True)
            return result(case, params=params, error=(
                f"nothing compared ({len(inputs)} inputs, {len(case.get('outputs', []))} outputs, "
                f"{len(case.get('expect_variables', {}))} expect_variables); a load-only case must "
                'say "expect": "loads"'))
        return compare(case, expected, actual, params)

    @staticmethod
    def _outputs(case):
        return [np.load(p) for p in case.get("outputs", [])]

    # Keras 3 and tf_keras share these entry points; `self.k` is the generation's module.
    def _load_model(self, case, inputs):
        model = self.k.models.load_model(case["path"], safe_mode=False)
        if case.get("compile_like"):
            # Compile settings are part of a converted file's meaning: the same loss, metrics and optimizer as the
            # same model saved by this Keras generation itself.
            differences = self._compile_differences(model, case["compile_like"])
            if differences:
                raise AssertionError(f"compile settings differ from {case['compile_like']}: " + "; ".join(differences))
        if case.get("optimizer_state_of"):
            # Training resumes where the source stopped only if the optimizer's state came along: its step count and
            # every slot, compared with the tf.keras .h5's optimizer_weights (read directly, no tf_keras needed).
            differences = self._optimizer_state_differences(model, case["optimizer_state_of"])
            if differences:
                raise AssertionError(f"optimizer state differs from {case['optimizer_state_of']}: " + "; ".join(differences))
        return self._finish(case, model, inputs)

    def _compile_differences(self, model, reference_path):
        reference = self.k.models.load_model(reference_path, safe_mode=False)
        ours, theirs = self._compile_summary(model), self._compile_summary(reference)
        return [f"{key}: {ours.get(key)!r} instead of {theirs.get(key)!r}" for key in sorted(set(ours) | set(theirs))
                if ours.get(key) != theirs.get(key)]

    @staticmethod
    def _optimizer_state_differences(model, source_h5):
        import h5py
        with h5py.File(source_h5, "r") as f:
            group = f["optimizer_weights"]
            names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
            stored = [np.asarray(group[n]) for n in names]
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None:
            return ["the loaded model has no optimizer"]
        loaded = [np.asarray(v) for v in optimizer.variables]
        # Keras 3 keeps iterations and learning_rate first, then the slots in tf.keras's order.
        ours = [loaded[0]] + loaded[2:]
        if len(ours) != len(stored):
            return [f"{len(ours)} optimizer variables (but learning_rate) instead of {len(stored)}"]
        return [f"{names[i]}: max difference {float(np.max(np.abs(ours[i].astype('float64') - stored[i])))}"
                for i in range(len(stored))
                if ours[i].shape != stored[i].shape or not np.array_equal(ours[i].astype(stored[i].dtype), stored[i])]

    @staticmethod
    def _compile_summary(model):
        """What training resumes with: the optimizer's class and arguments (but its name), the loss and the metrics."""
        def rounded(value):
            return float(f"{value:.6g}") if isinstance(value, float) else value
        optimizer = getattr(model, "optimizer", None)
        summary = {"optimizer": type(optimizer).__name__ if optimizer is not None else None}
        if optimizer is not None:
            for key, value in optimizer.get_config().items():
                if key not in ("name", "is_legacy_optimizer", "jit_compile"):
                    summary[f"optimizer.{key}"] = rounded(value)
        config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
        config = config or {}
        summary["loss"] = repr(config.get("loss"))
        metrics = config.get("metrics")
        while isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
            metrics = metrics[0]
        # tf_keras records metrics=["accuracy"] as the MeanMetricWrapper it resolved (named "accuracy"): the same metric.
        def metric_name(metric):
            if isinstance(metric, dict) and metric.get("class_name") == "MeanMetricWrapper":
                return metric.get("config", {}).get("name")
            return [metric_name(m) for m in metric] if isinstance(metric, list) else metric
        summary["metrics"] = repr(metric_name(metrics))
        return summary

    def _kernel_missing(self, e):
        """TensorFlow has no kernel for the op here: UnimplementedError, or an InvalidArgumentError such as pooling's
        'Default MaxPoolingOp only supports NHWC on device type CPU' or the transposed convolutions'
        'Conv3DBackpropInputOpV2 only supports NDHWC', Conv3D's 'only supports the NHWC tensor format'."""
        import re

        return isinstance(e, self.tf.errors.UnimplementedError) or re.search(r"only supports (the )?N[A-Z]*C\b", str(e)) is not None

    def _unrunnable_layers(self, model):
        """The model's layers that TensorFlow cannot run even alone, on zeros of their input shape, here.

        Which kernels exist depends on the CPU and the TensorFlow build (e.g. channels_first convolutions and
        pooling run on some CPUs through oneDNN and raise UnimplementedError on others), so this is asked of
        TensorFlow each time instead of being listed. Only a missing kernel counts: any other failure of a
        layer alone proves nothing about TensorFlow."""
        unrunnable = []
        for layer in model._flatten_layers(include_self=False):
            if isinstance(layer, self.k.Model) or type(layer).__name__ == "InputLayer":
                continue
            try:  # tf_keras: input_shape; Keras 3: input.shape. Several inputs or calls: not probed alone.
                shape = layer.input_shape if hasattr(layer, "input_shape") else layer.input.shape
                shape = tuple(shape)
            except (AttributeError, RuntimeError, ValueError, TypeError):
                continue
            if not shape or any(isinstance(d, (tuple, list)) for d in shape):
                continue
            try:
                layer(self.tf.zeros([1 if d is None else d for d in shape]), training=False)
            except Exception as e:  # noqa: BLE001 - only a missing kernel is evidence of a TensorFlow limit
                if self._kernel_missing(e):
                    unrunnable.append(f"{layer.name} ({type(layer).__name__}): {tf_error_text(e)}"[:300])
        return unrunnable

    def _architecture(self, path, checkpoint=None, kind=None):
        """A model from an architecture file: JSON or YAML (weightless; `kind` or the suffix says
        which), else a full model file.

        Restoring `checkpoint`, a `compile_config` is dropped unless it names an optimizer and the
        checkpoint holds optimizer state: Keras 3 `to_json` leaves the optimizer out (the default
        RMSprop it would compile with cannot take saved slots), and a checkpoint written without
        optimizer state cannot fill a built one. The optimizer is judged only when both have one."""
        kind = kind or ("yaml" if path.endswith((".yaml", ".yml")) else "json" if path.endswith(".json") else None)
        if kind is None:
            return self.k.models.load_model(path, safe_mode=False)
        with open(path) as f:
            text = f.read()
        config = self._yaml_config(text) if kind == "yaml" else json.loads(text)
        compile_config = config.get("compile_config") if isinstance(config, dict) else None
        if checkpoint and compile_config is not None and (
                "optimizer" not in compile_config or not self._has_optimizer_state(checkpoint)):
            config = {key: value for key, value in config.items() if key != "compile_config"}
        return self.k.models.model_from_json(json.dumps(config))

    def _has_optimizer_state(self, prefix):
        keys = self.tf.train.load_checkpoint(prefix).get_variable_to_shape_map()
        return any(key.startswith(("optimizer/", "model/optimizer/")) for key in keys)

    @staticmethod
    def _yaml_config(text):
        """What `to_yaml` wrote, as plain data: safe_load honours no Python tags, as keras4j reads it."""
        import yaml

        return yaml.safe_load(text)

    @staticmethod
    def _require_weightless(case):
        arch = case.get("architecture", "")
        if not arch.endswith(WEIGHTLESS_SUFFIXES):
            raise ValueError(f"a checkpoint must be restored into a weightless architecture "
                             f"({'/'.join(WEIGHTLESS_SUFFIXES)}), not {os.path.basename(arch) or 'none'}: "
                             "a full model file already holds the weights")

    def _assert_restored(self, status, model, prefix):
        """Every object of the model got its value from the checkpoint; when the model holds an
        optimizer or the checkpoint none, also every value of the checkpoint was used."""
        status.assert_existing_objects_matched()
        if getattr(model, "optimizer", None) is not None or not self._has_optimizer_state(prefix):
            status.assert_consumed()
        status.expect_partial()

    def _load_weights(self, case, inputs):
        prefix = self._checkpoint_path(case["path"])
        checkpoint = not prefix.endswith((".h5", ".hdf5", ".keras", ".json"))
        if checkpoint:
            self._require_weightless(case)
        model = self._architecture(case["architecture"], checkpoint=prefix if checkpoint else None)
        self._compile_from(case, model)
        status = model.load_weights(prefix)
        if status is not None:  # TF-format checkpoints (tf_keras) return a restore status
            self._assert_restored(status, model, prefix)
        return self._finish(case, model, inputs)

    def _model_from_text(self, case, inputs):
        model = self._architecture(case["path"], kind=case["loader"].rsplit("_", 1)[1])
        if case.get("weights"):
            status = model.load_weights(case["weights"])
            if status is not None:
                self._assert_restored(status, model, case["weights"])
        return self._predict(model, inputs), self._outputs(case), model.count_params()

    keras3_load_model = tf_keras_load_model = _load_model
    keras3_load_weights = tf_keras_load_weights = _load_weights
    keras3_model_from_json = tf_keras_model_from_json = _model_from_text
    keras3_model_from_yaml = tf_keras_model_from_yaml = _model_from_text

    def keras3_checkpoint_read(self, case, inputs):
        self._require_weightless(case)
        prefix = self._checkpoint_path(case["path"])
        model = self._architecture(case["architecture"], checkpoint=prefix)
        self._compile_from(case, model)
        status = self.tf.train.Checkpoint(model=model).read(prefix)
        self._assert_restored(status, model, prefix)
        return self._finish(case, model, inputs)

    def tf_saved_model_load(self, case, inputs):
        from serving import call_serving
        loaded = self.tf.saved_model.load(case["path"])
        outputs = call_serving(loaded, inputs, case.get("input_keys"), case.get("output_keys"))
        return outputs, self._outputs(case), None

    def tf1_saved_model_loader(self, case, inputs):
        """TF1 session loading, as saved_model_cli and TF Serving do: the variables are restored
        only through the SavedModel's saver_def. A fresh graph keeps the worker's eager mode."""
        from serving import run_serving_v1
        tf1 = self.tf.compat.v1
        with self.tf.Graph().as_default() as graph, tf1.Session(graph=graph) as sess:
            meta_graph = tf1.saved_model.loader.load(sess, ["serve"], case["path"])
            outputs = run_serving_v1(sess, meta_graph, inputs, case.get("input_keys"),
                                     case.get("output_keys"))
        return outputs, self._outputs(case), None

    def tf_train_load_checkpoint(self, case, inputs):
        reader = self.tf.train.load_checkpoint(case["path"])
        expect = case.get("expect_variables", {})
        keys = sorted(expect)
        params = sum(int(np.prod(shape)) for key, shape in reader.get_variable_to_shape_map().items()
                     if key != "_CHECKPOINTABLE_OBJECT_GRAPH")
        if case.get("same_as"):
            differences = self._checkpoint_differences(reader, self.tf.train.load_checkpoint(case["same_as"]))
            if differences:
                raise AssertionError(f"{len(differences)} differences from {case['same_as']}: "
                                     + "; ".join(differences[:5]))
            if not keys:
                return result(case, ok=True, max_abs=0.0, max_rel=0.0, params=params)
        return [reader.get_tensor(key) for key in keys], [np.load(expect[key]) for key in keys], params

    def _checkpoint_differences(self, actual, expected):
        """Every key of either checkpoint whose presence, dtype, shape or bytes differ (strings as
        lists of bytes, numbers bit for bit, so NaNs, bfloat16 and 64-bit integers compare exactly)."""
        a_dtypes, e_dtypes = actual.get_variable_to_dtype_map(), expected.get_variable_to_dtype_map()
        differences = [f"{key}: missing" for key in sorted(set(e_dtypes) - set(a_dtypes))]
        differences += [f"{key}: unexpected" for key in sorted(set(a_dtypes) - set(e_dtypes))]
        for key in sorted(set(a_dtypes) & set(e_dtypes)):
            if a_dtypes[key] != e_dtypes[key]:
                differences.append(f"{key}: dtype {a_dtypes[key].name}, expected {e_dtypes[key].name}")
                continue
            a, e = np.asarray(actual.get_tensor(key)), np.asarray(expected.get_tensor(key))
            if a.shape != e.shape:
                differences.append(f"{key}: shape {a.shape}, expected {e.shape}")
            elif (a.tolist() != e.tolist()) if a_dtypes[key] == self.tf.string else (a.tobytes() != e.tobytes()):
                differences.append(f"{key}: values differ")
        return differences

    def _checkpoint_path(self, path):
        """A directory holding a `checkpoint` state file stands for its latest checkpoint."""
        if os.path.isdir(path) and os.path.exists(os.path.join(path, "checkpoint")):
            return self.tf.train.latest_checkpoint(path)
        return path

    def _compile_from(self, case, model):
        """As a user resuming from a weights file does: compile the rebuilt model as the original was compiled (the
        `compile_from` file, a full model of this generation) and build its optimizer, so the restore fills its slots."""
        if not case.get("compile_from"):
            return
        reference = self.k.models.load_model(case["compile_from"], safe_mode=False)
        optimizer = type(reference.optimizer).from_config(reference.optimizer.get_config())
        model.compile(optimizer=optimizer, loss=reference.loss)
        optimizer.build(model.trainable_variables)

    def _finish(self, case, model, inputs):
        """The loaded model's predictions; with `train_step`, one `train_on_batch` after them, as resuming training
        does. A `save_to` step (the original file in its own Keras) keeps the weights after the step; an
        `expect_from` step is judged on its predictions and its weights after the step against those."""
        predictions = self._predict(model, inputs)
        expected = self._outputs(case)
        step = case.get("train_step")
        if not step:
            return predictions, expected, model.count_params()
        if getattr(model, "optimizer", None) is None:
            raise AssertionError("the loaded model has no optimizer: training cannot resume")
        x = [np.load(p) for p in step["x"]]
        y = [np.load(p) for p in step["y"]]
        model.train_on_batch(x if len(x) > 1 else x[0], y if len(y) > 1 else y[0])
        after = [np.asarray(w) for w in model.get_weights()]
        if step.get("save_to"):
            os.makedirs(step["save_to"], exist_ok=True)
            for i, w in enumerate(after):
                np.save(os.path.join(step["save_to"], f"weight_{i:03d}.npy"), w)
            return predictions, expected, model.count_params()
        folder = step["expect_from"]
        reference = [np.load(os.path.join(folder, n)) for n in sorted(os.listdir(folder)) if n.endswith(".npy")]
        if not reference:
            raise AssertionError(f"no weights after the reference step in {folder}: its case failed")
        return (predictions or []) + after, expected + reference, model.count_params()

    def _predict(self, model, inputs):
        """The model's outputs; a failure for a kernel TensorFlow lacks here, where some layer cannot run even alone,
        is a TensorFlowLimitation (whichever loader built the model: full file, JSON + weights, checkpoint)."""
        if not inputs:
            return None
        try:
            out = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        except (self.tf.errors.UnimplementedError, self.tf.errors.InvalidArgumentError) as e:
            unrunnable = self._unrunnable_layers(model) if self._kernel_missing(e) else []
            if unrunnable:
                raise TensorFlowLimitation(f"{type(e).__name__}: {tf_error_text(e)}", "; ".join(unrunnable))
            raise
        return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def compare(case, expected, actual, params):
    """Element-wise allclose(actual, expected, rtol, atol) over every output array."""
    rtol, atol = case.get("rtol", DEFAULT_RTOL), case.get("atol", DEFAULT_ATOL)
    if len(expected) != len(actual):
        return result(case, params=params, error=f"{len(actual)} outputs, expected {len(expected)}")
    max_abs = max_rel = 0.0
    ok = True
    for i, (e, a) in enumerate(zip(expected, actual)):
        e, a = np.asarray(e, dtype="float64"), np.asarray(a, dtype="float64")
        if e.shape != a.shape:
            return result(case, params=params, error=f"output {i}: shape {a.shape}, expected {e.shape}")
        if e.size == 0:
            continue
        diff = np.abs(a - e)
        max_abs = max(max_abs, float(diff.max()))
        nonzero = e != 0
        if nonzero.any():
            max_rel = max(max_rel, float((diff[nonzero] / np.abs(e[nonzero])).max()))
        ok = ok and bool(np.allclose(a, e, rtol=rtol, atol=atol))
    error = None if ok else f"outputs differ (max_abs_diff={max_abs:.3g}, rtol={rtol}, atol={atol})"
    return result(case, ok=ok, max_abs=max_abs, max_rel=max_rel, params=params, error=error)


if __name__ == "__main__":
    main()
