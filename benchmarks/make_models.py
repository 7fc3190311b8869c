"""Writes the benchmark models with real Keras and times Keras's own predictions and loads of them.

Usage: python make_models.py OUT_DIR [--time predict|load|none]   (default: predict)

For each model, with Keras 3 (OUT_DIR/<model>/):
  model.json, weights.npz ("<layer>/<i>" in Keras order), input.npy (32 samples),
  model.keras, model.h5 (Keras 3 legacy h5), model.weights.h5 (with model.json as architecture);
and the same architecture built with tf.keras 2 (OUT_DIR/<model>/k2/):
  model.json, model.h5, ckpt/ckpt.* (TF checkpoint of save_weights, with model.json as architecture), savedmodel/.
--time predict writes OUT_DIR/keras_timings.json: milliseconds per predict_on_batch call, per model and batch size.
--time load writes OUT_DIR/keras_load_timings.json: milliseconds per load, per model and format, for compare-load.sh.
Both are medians of repeated calls after warm-up. Weights are seeded random (Keras initializers).
"""

import argparse
import gc
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import numpy as np
import keras
import tf_keras

SEED = 42
BATCHES = (1, 32)


def models(k):
    """The benchmark models built with the Keras module `k` (keras or tf_keras): both APIs agree on these."""
    L = k.layers
    return {
        "mlp": k.Sequential([k.Input((784,)), L.Dense(256, activation="relu"), L.Dense(256, activation="relu"),
                             L.Dense(10, activation="softmax")], name="mlp"),
        "cnn": k.Sequential([k.Input((32, 32, 3)), L.Conv2D(32, 3, padding="same", activation="relu"),
                             L.MaxPooling2D(), L.Conv2D(64, 3, padding="same", activation="relu"), L.MaxPooling2D(),
                             L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                            name="cnn"),
        "mobilenetv2": k.applications.MobileNetV2(input_shape=(224, 224, 3), alpha=0.35, weights=None),
        "lstm": k.Sequential([k.Input((80,), dtype="int32"), L.Embedding(10000, 128), L.LSTM(128),
                              L.Dense(1, activation="sigmoid")], name="lstm"),
    }


def touch(model):
    """Reads every weight, as the Java side does, so that lazy loading cannot hide work."""
    return sum(float(np.asarray(v).ravel()[-1]) for v in model.weights)


def keras3_loaders(d):
    """Per format: a function loading the Keras 3 files of model directory d."""
    def with_weights():
        with open(os.path.join(d, "model.json")) as f:
            m = keras.models.model_from_json(f.read())
        m.load_weights(os.path.join(d, "model.weights.h5"))
        return m
    return {
        "keras": lambda: keras.saving.load_model(os.path.join(d, "model.keras")),
        "h5": lambda: keras.saving.load_model(os.path.join(d, "model.h5")),
        "weights-h5": with_weights,
    }


def tf_keras_loaders(d):
    """Per format: a function loading the tf.keras files of model directory d/k2."""
    k2 = os.path.join(d, "k2")

    def with_checkpoint():
        with open(os.path.join(k2, "model.json")) as f:
            m = tf_keras.models.model_from_json(f.read())
        m.load_weights(os.path.join(k2, "ckpt", "ckpt")).expect_partial()
        return m
    return {
        "h5-k2": lambda: tf_keras.models.load_model(os.path.join(k2, "model.h5")),
        "checkpoint-k2": with_checkpoint,
        "savedmodel-k2": lambda: tf_keras.models.load_model(os.path.join(k2, "savedmodel")),
    }


def write_keras3(model, d, rng):
    with open(os.path.join(d, "model.json"), "w") as f:
        f.write(model.to_json())
    weights = {f"{layer.name}/{i}": np.asarray(w.numpy()) for layer in model.layers for i, w in enumerate(layer.weights)}
    np.savez(os.path.join(d, "weights.npz"), **weights)
    model.save(os.path.join(d, "model.keras"))
    model.save(os.path.join(d, "model.h5"))
    model.save_weights(os.path.join(d, "model.weights.h5"))
    x = sample_input(model, rng)
    np.save(os.path.join(d, "input.npy"), x)
    return x


def write_tf_keras(model, d):
    k2 = os.path.join(d, "k2")
    os.makedirs(k2, exist_ok=True)
    with open(os.path.join(k2, "model.json"), "w") as f:
        f.write(model.to_json())
    model.save(os.path.join(k2, "model.h5"))
    model.save_weights(os.path.join(k2, "ckpt", "ckpt"), save_format="tf")
    model.save(os.path.join(k2, "savedmodel"), save_format="tf")


def sample_input(model, rng):
    shape = (32, *model.inputs[0].shape[1:])
    if "int" in str(model.inputs[0].dtype):
        return rng.integers(1, 10000, size=shape).astype("int32")
    return rng.standard_normal(shape).astype("float32")


def median_ms(call, seconds, warmups=3, at_least=5, between=None):
    """Median milliseconds of call() after warm-up; `between` runs untimed after each call."""
    for _ in range(warmups):
        call()
        if between: between()
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < at_least:
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
        if between: between()
    return float(np.median(times))


def time_load(load, clear_session):
    def between():
        clear_session()  # loads otherwise pile up graphs and names in the global Keras state
        gc.collect()
    return median_ms(lambda: touch(load()), seconds=4.0, warmups=1, at_least=3, between=between)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--time", choices=("predict", "load", "none"), default="predict")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    keras.utils.set_random_seed(SEED)
    predict_timings, load_timings = {}, {}
    names = []
    for name, model in models(keras).items():
        names.append(name)
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        x = write_keras3(model, d, rng)
        if args.time == "predict":
            model.predict_on_batch(x)  # build and trace
            predict_timings[name] = {str(b): median_ms(lambda: model.predict_on_batch(x[:b]), seconds=3.0) for b in BATCHES}
            print(name, predict_timings[name], flush=True)
    tf_keras.utils.set_random_seed(SEED)
    for name, model in models(tf_keras).items():
        write_tf_keras(model, os.path.join(args.out, name))
    if args.time == "load":
        for name in names:
            d = os.path.join(args.out, name)
            load_timings[name] = {f: time_load(load, keras.backend.clear_session) for f, load in keras3_loaders(d).items()}
            load_timings[name].update({f: time_load(load, tf_keras.backend.clear_session) for f, load in tf_keras_loaders(d).items()})
            print(name, load_timings[name], flush=True)
    if predict_timings:
        with open(os.path.join(args.out, "keras_timings.json"), "w") as f:
            json.dump(predict_timings, f, indent=1)
    if load_timings:
        with open(os.path.join(args.out, "keras_load_timings.json"), "w") as f:
            json.dump(load_timings, f, indent=1)


if __name__ == "__main__":
    main()
